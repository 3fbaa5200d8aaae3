// Entry of the create-dockervm bundle, with the templates precompiled by scripts/build.mjs.
import templates from 'virtual:dockervm-templates';
import { precompiledRenderer } from '../render/templates.ts';
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2), 'create-dockervm', precompiledRenderer(templates));

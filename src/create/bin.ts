// Entry of the create-dockervm bundle.
import { main } from './cli.ts';

process.exitCode = await main();

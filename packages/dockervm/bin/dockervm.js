#!/usr/bin/env node
// Checks the Node version before loading anything that needs a newer one.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`dockervm: needs Node.js 22.12 or newer (this is ${process.version})\n`);
  process.exit(1);
}
// V8 keeps the compiled bundle in a cache directory, so every run after the first skips compiling it.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../dist/index.js');

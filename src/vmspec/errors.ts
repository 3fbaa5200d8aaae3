// Moved to src/errors.ts (engine and CLI code need it without depending on the VmSpec model). This
// re-export stays only until the modules still importing it from here are switched over.
export { CancelledError, CLIError } from '../errors.ts';

/**
 * The one error type a user ever sees. Library code throws it with a one-line message that says what
 * is wrong and how to fix it; only the bin prints it and exits with `exitCode`.
 */
export class CLIError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CLIError';
    this.exitCode = exitCode;
  }
}

/** Ctrl-C or an aborted prompt: exit 130, nothing written. */
export class CancelledError extends CLIError {
  constructor(message = 'cancelled: nothing was written') {
    super(message, 130);
    this.name = 'CancelledError';
  }
}

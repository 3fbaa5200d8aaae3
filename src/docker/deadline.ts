// A bound on how long dockervm waits for one engine request. The request itself cannot be taken
// back (an HTTP call to the engine has no cancel), but the caller stops waiting and can put things
// right (thaw the VM) while it is still pending.
import { CLIError } from '../errors.ts';

export class DeadlineError extends CLIError {
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${(ms / 1000).toFixed(ms < 1000 ? 1 : 0)} s`);
    this.name = 'DeadlineError';
  }
}

export async function withDeadline<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, ms)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
    // A request still pending when its deadline passed may fail later: nobody waits for it then.
    work.catch(() => undefined);
  }
}

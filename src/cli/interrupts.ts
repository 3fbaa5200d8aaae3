// While a child owns the terminal (an interactive shell in the VM, logs --follow), Ctrl-C is the
// child's business: it reaches the child directly, and dockervm must not treat it as "stop".
let handedOver = 0;

export const childOwnsTerminal = () => handedOver > 0;

export async function handOverTerminal<T>(work: () => Promise<T>): Promise<T> {
  handedOver++;
  try {
    return await work();
  } finally {
    handedOver--;
  }
}

// While a VM is frozen for a save, dockervm must not exit before thawing it: a second Ctrl-C (or a
// SIGTERM) then waits for the end of the section instead of quitting at once.
let critical = 0;

export const inCriticalSection = () => critical > 0;

export async function criticalSection<T>(work: () => Promise<T>): Promise<T> {
  critical++;
  try {
    return await work();
  } finally {
    critical--;
  }
}

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

// DOCKERVM_DEBUG=timing: how long each step of a save or restore took (the pause is what users feel).
import type { Messages } from '../messages.ts';

export function stepTimer(out: Pick<Messages, 'progress'>, env: NodeJS.ProcessEnv): (label: string) => void {
  if (!env.DOCKERVM_DEBUG?.includes('timing')) return () => undefined;
  let last = performance.now();
  return (label) => {
    const now = performance.now();
    out.progress(`  [${(now - last).toFixed(0).padStart(5)} ms] ${label}`);
    last = now;
  };
}

// When the browser desktop is reachable from the network (--bind-all) or given a certificate
// (--cert/--key), it is served over TLS only, behind a long password. Pure.
import type { Answers } from './answers.ts';
import type { Desktop, RemoteAccess } from './types.ts';

export function decideRemoteAccess(desktop: Desktop, answers: Pick<Answers, 'bindAll' | 'tls'>, problems: string[]): RemoteAccess | undefined {
  if (answers.tls && desktop !== 'novnc') {
    problems.push(`--cert/--key protect the browser desktop: they need --desktop novnc (this VM's desktop is ${desktop})`);
    return undefined;
  }
  if (desktop !== 'novnc' || !(answers.bindAll || answers.tls)) return undefined;
  return { certificate: answers.tls ? 'provided' : 'generated' };
}

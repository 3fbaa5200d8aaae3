// An sshd of the test's own on 127.0.0.1 (own host key, config, pid file and authorized key, in a
// temp dir), whose sessions see DOCKER_HOST pointing at an engine the test chose: `ssh://` engine
// endpoints end there. The client side is as self-contained: an `ssh` wrapper first on PATH that
// uses only the test's key and known_hosts (OpenSSH reads the passwd home, not $HOME, so without it
// the machine's own ~/.ssh would take part).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.ts';

const SSHD = '/usr/sbin/sshd';

export interface SshServer {
  /** `ssh://<user>@127.0.0.1:<port>` */
  host: string;
  port: number;
  /** The client's environment: PATH with the ssh wrapper. */
  clientEnv: NodeJS.ProcessEnv;
  /** Added to clientEnv: a known_hosts that does not know this server. */
  strangerEnv: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export const haveSshd = () => existsSync(SSHD);

function keygen(file: string): string {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'dockervm-test', '-f', file], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1000 }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });

export async function startSshServer(options: { dockerHost: string }): Promise<SshServer> {
  const dir = mkdtempSync('/tmp/dvm-sshd-');
  const port = await freePort();
  const hostKey = keygen(join(dir, 'host_ed25519'));
  const clientKey = keygen(join(dir, 'id_ed25519'));
  writeFileSync(join(dir, 'authorized_keys'), `${clientKey}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostKey.split(' ').slice(0, 2).join(' ')}\n`);
  writeFileSync(join(dir, 'known_hosts.empty'), '');

  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // The temp dir's modes are not what StrictModes wants for a home.
      'StrictModes no',
      `SetEnv DOCKER_HOST=${options.dockerHost}`,
      '',
    ].join('\n'),
  );
  // The docker CLI runs `ssh`; this one uses only the test's key and known_hosts, and never asks.
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(dir, 'ssh_config'),
    [
      'Host *',
      `  IdentityFile ${join(dir, 'id_ed25519')}`,
      '  GlobalKnownHostsFile /dev/null',
      '  IdentitiesOnly yes',
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(bin, 'ssh'),
    `#!/bin/sh\nexec /usr/bin/ssh -F '${join(dir, 'ssh_config')}' -o "UserKnownHostsFile=\${DVM_TEST_KNOWN_HOSTS:-${join(dir, 'known_hosts')}}" "$@"\n`,
  );
  chmodSync(join(bin, 'ssh'), 0o755);

  // sshd refuses to start without its privilege separation directory (the package makes it at boot).
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  let up = false;
  for (let i = 0; i < 80 && Date.now() < deadline && child.exitCode === null; i++) {
    up = await accepts(port);
    if (up) break;
    await sleep(250);
  }
  if (!up) {
    await stop();
    throw new Error(`sshd on 127.0.0.1:${port} did not come up: ${log.trim() || '(no output)'}`);
  }
  return {
    host: `ssh://${userInfo().username}@127.0.0.1:${port}`,
    port,
    clientEnv: { PATH: `${bin}:${process.env.PATH ?? ''}`, SSH_AUTH_SOCK: '' },
    strangerEnv: { DVM_TEST_KNOWN_HOSTS: join(dir, 'known_hosts.empty') },
    stop,
  };
}

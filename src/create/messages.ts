// Every human-readable line the scaffolder prints, in one place. Results go to stdout, progress and
// warnings to stderr; tests swap the streams.
import { styleText } from 'node:util';
import type { FileMap } from '../render/project.ts';
import type { VmSpec } from '../vmspec/types.ts';
import { VM_PORT } from '../constants.ts';

export interface Streams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

type Style = Parameters<typeof styleText>[0];

export function createMessages(streams: Streams, color: boolean) {
  const paint = (style: Style, text: string) => (color ? styleText(style, text, { validateStream: false }) : text);
  const out = (line = '') => streams.stdout.write(`${line}\n`);
  const err = (line = '') => streams.stderr.write(`${line}\n`);
  return {
    progress: (text: string) => err(paint('dim', text)),
    warn: (text: string) => err(`${paint('yellow', 'warning:')} ${text}`),
    error: (text: string) => err(`${paint('red', 'error:')} ${text}`),

    pinned: (reference: string, digest: string, seconds: number) => err(`${paint('green', 'pinned')} ${reference} → ${digest} (${seconds.toFixed(1)} s)`),

    plan(target: string, files: FileMap, tasks: string[] = []) {
      out(`Would write ${files.size} files to ${target}:`);
      for (const [path, file] of files) {
        out(`  ${(file.mode & 0o777).toString(8).padStart(4, '0')}  ${String(Buffer.byteLength(file.content)).padStart(6)}  ${path}`);
      }
      if (tasks.length) out('Then run:');
      for (const task of tasks) out(`  ${task}`);
      out(`Nothing was written${tasks.length ? ' or run' : ''} (--dry-run).`);
    },

    /** `toInstall`: the install command still to run (--no-install), else undefined. */
    done(target: string, relativeTarget: string, spec: VmSpec, toInstall?: string) {
      out(`${paint('green', 'Created')} ${spec.name} in ${target}`);
      out();
      out('Next:');
      if (relativeTarget !== '.') out(`  cd ${relativeTarget}`);
      if (toInstall) out(`  ${toInstall}`);
      // npx runs the dockervm this project pins in package.json (node_modules/.bin).
      out('  npx dockervm up          (builds the image, starts the VM, waits until it is healthy)');
      const novnc = spec.ports.find((p) => p.container === VM_PORT.novnc);
      if (novnc && spec.remoteAccess)
        out(`  open https://<this machine>:${novnc.host}/   (password: cat secrets/desktop_password; npx dockervm open shows the certificate)`);
      else if (novnc) out(`  open http://127.0.0.1:${novnc.host}/   (password: cat secrets/vnc_password)`);
      const vnc = spec.ports.find((p) => p.container === VM_PORT.vnc);
      if (vnc && !novnc) out(`  connect a VNC client to 127.0.0.1:${vnc.host}   (password: cat secrets/vnc_password)`);
      out('  See README.md for connecting, persistence and snapshots.');
    },
  };
}

export type Messages = ReturnType<typeof createMessages>;

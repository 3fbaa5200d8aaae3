// The local engine's registry mirrors, asked of the docker CLI (create-dockervm carries no engine
// library), only when a base image is pinned. Bounded; no docker or no engine: none, silently.
import { execFile } from 'node:child_process';
import { parseMirrors } from '../registry/mirrors.ts';

export function engineMirrors(env: NodeJS.ProcessEnv, timeoutMs = 5000): Promise<string[]> {
  return new Promise((resolve) => {
    execFile('docker', ['info', '--format', '{{json .RegistryConfig.Mirrors}}'], { env, timeout: timeoutMs, encoding: 'utf8' }, (error, stdout) =>
      resolve(error ? [] : parseMirrors(stdout.trim())),
    );
  });
}

// doctor's verdicts, pure: facts in, one ok/warn/problem line (with a fix) out.
import { formatBytes } from '../messages.ts';

export type Verdict = 'ok' | 'warn' | 'problem' | 'skip';

export interface CheckLine {
  check: string;
  status: Verdict;
  detail: string;
  fix?: string;
}

/** Numeric dotted-version compare: 26.1.5+dfsg1 ≥ 26, 2.26.1-4 ≥ 2.23. */
export function atLeast(version: string, minimum: string): boolean {
  const parse = (v: string) => (/^v?(\d+(?:\.\d+)*)/.exec(v.trim())?.[1] ?? '0').split('.').map(Number);
  const a = parse(version);
  const b = parse(minimum);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

export function engineCheck(version: string | undefined, address: string, persistence: string | undefined, error?: string): CheckLine {
  if (!version) {
    return {
      check: 'engine',
      status: 'problem',
      detail: error ?? `cannot reach the Docker engine at ${address}`,
      fix: 'start it (sudo systemctl start docker, or Docker Desktop), or point DOCKER_HOST at it',
    };
  }
  if (!atLeast(version, '26')) {
    return persistence === 'rootfs'
      ? {
          check: 'engine',
          status: 'problem',
          detail: `Docker Engine ${version} at ${address}: rootfs persistence needs 26 or newer (volume subpaths)`,
          fix: 'upgrade the engine, or recreate the project with --persistence volumes',
        }
      : {
          check: 'engine',
          status: 'warn',
          detail: `Docker Engine ${version} at ${address}: older than 26, so the default rootfs persistence is not available`,
          fix: 'use --persistence volumes for new projects, or upgrade',
        };
  }
  return { check: 'engine', status: 'ok', detail: `Docker Engine ${version} at ${address}` };
}

export function composeCheck(version: string | undefined, persistence: string | undefined): CheckLine {
  if (!version)
    return {
      check: 'compose',
      status: 'problem',
      detail: 'no `docker compose` (v2)',
      fix: 'install the compose plugin (Debian/Ubuntu: docker-compose-plugin or docker-compose from trixie); the Python docker-compose 1.x will not do',
    };
  if (!atLeast(version, '2.23')) {
    return {
      check: 'compose',
      status: persistence === 'rootfs' ? 'problem' : 'warn',
      detail: `Compose ${version}: volume subpaths (rootfs persistence) need 2.23 or newer`,
      fix: 'upgrade the compose plugin',
    };
  }
  return { check: 'compose', status: 'ok', detail: `Compose ${version}` };
}

export function buildxCheck(version: string | undefined): CheckLine {
  return version
    ? { check: 'buildx', status: 'ok', detail: `buildx ${version} (BuildKit: RUN --mount caches in the Dockerfile)` }
    : {
        check: 'buildx',
        status: 'problem',
        detail: 'no buildx: the generated Dockerfile uses BuildKit features (RUN --mount=type=cache)',
        fix: 'install the buildx plugin (docker-buildx)',
      };
}

export interface NetworkFacts {
  ok: boolean;
  error?: string | undefined;
  unused: number;
  bridges: number;
}

export function networkCheck(facts: NetworkFacts): CheckLine {
  if (facts.ok) return { check: 'networks', status: 'ok', detail: `a new network can be created (${facts.bridges} bridge networks, ${facts.unused} unused)` };
  if (/address pool/i.test(facts.error ?? '')) {
    return {
      check: 'networks',
      status: 'problem',
      detail: `the engine has no free address pool for another network (${facts.bridges} bridge networks): \`up\` will fail`,
      fix: facts.unused
        ? `${facts.unused} of them have no container: \`docker network prune\` removes those`
        : "add pools with default-address-pools in the engine's daemon.json, or remove networks you no longer need",
    };
  }
  return { check: 'networks', status: 'warn', detail: `could not create a test network: ${facts.error ?? 'unknown error'}` };
}

/** Decimal, like formatBytes (messages.ts): every size dockervm prints is in the same units. */
export const GB = 1000 ** 3;

export function diskCheck(dir: string, free: number | undefined, reason?: string): CheckLine {
  if (free === undefined) return { check: 'disk', status: 'skip', detail: `free space in ${dir}: ${reason ?? 'unknown'}` };
  const gb = formatBytes(free);
  if (free < 2 * GB)
    return {
      check: 'disk',
      status: 'problem',
      detail: `${gb} free in ${dir}`,
      fix: 'free space: docker system prune, or remove old snapshots (npx dockervm rm)',
    };
  if (free < 10 * GB)
    return {
      check: 'disk',
      status: 'warn',
      detail: `${gb} free in ${dir}: a desktop VM with a few snapshots can use several GB`,
      fix: 'docker system df shows what uses it',
    };
  return { check: 'disk', status: 'ok', detail: `${gb} free in ${dir}` };
}

export type PortState = { state: 'free' } | { state: 'ours' } | { state: 'taken'; by?: string };

/** `variable`: the .env line the host port comes from (generated projects), if any. */
export function portCheck(ip: string, port: number, container: number, state: PortState, variable?: string): CheckLine {
  const what = `port ${ip}:${port} (→ ${container})`;
  if (state.state === 'free') return { check: 'port', status: 'ok', detail: `${what} is free` };
  if (state.state === 'ours') return { check: 'port', status: 'ok', detail: `${what} is published by this VM` };
  const fix = variable
    ? `stop it, or set another port in .env (e.g. ${variable}=${port + 1})`
    : `stop it, or change the host port in compose.yaml (e.g. "${ip}:${port + 1}:${container}")`;
  return { check: 'port', status: 'problem', detail: `${what} is taken${state.by ? ` by ${state.by}` : ' by another program'}`, fix };
}

export interface XFacts {
  display: string | undefined;
  socket: string | undefined;
  socketExists: boolean;
  /** `xhost` output, undefined when xhost is not installed or failed. */
  xhost: string | undefined;
  user: string;
}

export function xChecks(facts: XFacts): CheckLine[] {
  const lines: CheckLine[] = [];
  if (!facts.display) {
    lines.push({
      check: 'x11',
      status: 'problem',
      detail: 'DISPLAY is not set: xterm windows have nowhere to go',
      fix: 'run from a desktop session (Linux), XQuartz (macOS) or WSLg (Windows)',
    });
    return lines;
  }
  lines.push({ check: 'x11', status: 'ok', detail: `DISPLAY=${facts.display}` });
  if (facts.socket) {
    lines.push(
      facts.socketExists
        ? { check: 'x11', status: 'ok', detail: `X socket ${facts.socket}` }
        : {
            check: 'x11',
            status: 'problem',
            detail: `no X socket ${facts.socket}`,
            fix: 'the X server listens elsewhere (TCP display?): the VM mounts /tmp/.X11-unix',
          },
    );
  }
  if (facts.xhost === undefined) {
    lines.push({
      check: 'x11',
      status: 'warn',
      detail: 'xhost is not installed: cannot tell whether the VM may use the display',
      fix: 'install x11-xserver-utils, then: xhost +SI:localuser:' + facts.user,
    });
  } else if (/access control disabled/i.test(facts.xhost)) {
    lines.push({
      check: 'x11',
      status: 'warn',
      detail: 'X access control is disabled: any client may use the display',
      fix: 'xhost - ; then xhost +SI:localuser:' + facts.user,
    });
  } else if (new RegExp(`SI:localuser:${facts.user}\\b|LOCAL:`, 'i').test(facts.xhost)) {
    lines.push({ check: 'x11', status: 'ok', detail: `xhost allows ${/LOCAL:/i.test(facts.xhost) ? 'local clients' : `the user ${facts.user}`}` });
  } else {
    lines.push({
      check: 'x11',
      status: 'problem',
      detail: `the X server does not let the VM's user (${facts.user}) connect`,
      fix: `xhost +SI:localuser:${facts.user}`,
    });
  }
  return lines;
}

/** `:0`, `:1.0`, `unix:0` → /tmp/.X11-unix/X0; a TCP display (host:0) has no socket. */
export function xSocket(display: string): string | undefined {
  const match = /^(?:unix)?:(\d+)(?:\.\d+)?$/.exec(display);
  return match ? `/tmp/.X11-unix/X${match[1]}` : undefined;
}

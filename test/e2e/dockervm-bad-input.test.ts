// Bad input and faults, each run for real against a VM on the engine: wrong arguments, no project,
// a snapshot of another project, a corrupted snapshot label, the engine gone in the middle of a save
// (while copying, and while the VM is frozen) and of a restore. Every case must end in one line on
// stderr and exit 1, and lose nothing: the snapshots and the VM are as they were, and the next run
// works. The table of what dockervm says is the reference page site/…/reference/errors.md: a run
// compares with it; DOCKERVM_RECORD=1 writes it anew.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupProject,
  composeUp,
  DOCKERVM_BIN,
  dockervm,
  dockervmJson,
  engineAvailable,
  inVm,
  mustSh,
  requireBuiltDockervm,
  scaffold,
  scratchDir,
  sh,
  uniqueName,
} from '../helpers/dockervm-engine.ts';
import { findRegistryBinary, startRegistry } from '../helpers/registry-server.ts';

const haveEngine = engineAvailable();
const PAGE = join(import.meta.dirname, '../../site/src/content/docs/reference/errors.md');
const ENGINE_SOCKET = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');

interface Row {
  situation: string;
  command: string;
  says: string;
  exit: number | null;
}

/** A unix socket in front of the engine that can be cut: the engine "stops" for whoever uses it. */
async function engineProxy(dir: string) {
  const path = join(dir, 'engine.sock');
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection(ENGINE_SOCKET);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    host: `unix://${path}`,
    cut: () => {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}

/** A TCP proxy on 127.0.0.1 to `port` that cuts every connection once `afterBytes` went up it. */
async function cuttingTcpProxy(port: number, afterBytes: number) {
  let sent = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (sent > afterBytes) {
        server.close();
        for (const s of sockets) s.destroy();
      }
    });
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}

/** dockervm through `host`, cut when stderr first matches `when`; resolves with the whole run. */
async function cutMidway(args: string[], cwd: string, when: RegExp, env: NodeJS.ProcessEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'dvm-cut-'));
  const proxy = await engineProxy(dir);
  const child = spawn(process.execPath, [DOCKERVM_BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', DOCKER_HOST: proxy.host, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let cut = false;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!cut && when.test(stderr)) {
      cut = true;
      proxy.cut();
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  proxy.cut();
  rmSync(dir, { recursive: true, force: true });
  return { status, stderr, cut };
}

describe.skipIf(!haveEngine)('bad input and faults: one line, exit 1, nothing lost', () => {
  const name = uniqueName('bad');
  const other = uniqueName('other');
  const scratch = scratchDir();
  const rows: Row[] = [];
  let dir = '';
  let otherDir = '';
  let empty = '';

  /** Replaces what differs from run to run, so the table reads the same every time. */
  const normalize = (text: string) =>
    text
      .replaceAll(other, 'other-vm')
      .replaceAll(name, 'my-vm')
      .replaceAll(scratch.path, '…')
      .replace(/\/tmp\/[\w.-]+/g, '…')
      .replace(/\b\d{8}T\d{6}(?:\.\d+)?Z/g, '20261201T120000Z')
      .replace(/\bpid \d+/g, 'pid 4242')
      .trim();

  const record = (situation: string, command: string, result: { status: number | null; stderr: string }) => {
    const lines = result.stderr
      .trim()
      .split('\n')
      .filter((l) => !/^\s+\[/.test(l));
    const last = lines.at(-1) ?? '';
    rows.push({ situation, command: normalize(`npx dockervm ${command}`), says: normalize(last.replace(/^dockervm \w+: /, '')), exit: result.status });
    expect(result.status, `${command}: ${result.stderr}`).toBe(1);
    expect(result.stderr, command).not.toMatch(/\n\s+at |internal error/);
  };
  const oneLine = (situation: string, args: string[], cwd: string) => {
    const result = dockervm(args, { cwd });
    expect(result.stderr.trim().split('\n'), `${args.join(' ')}: ${result.stderr}`).toHaveLength(1);
    record(situation, args.join(' '), result);
  };
  const snapshotIds = () => dockervmJson<{ snapshots: { id: string }[] }>(['snapshots'], { cwd: dir }).snapshots.map((s) => s.id);
  const vmRunsAndAnswers = () => {
    const id = mustSh('docker', ['compose', 'ps', '-q', 'vm'], { cwd: dir }).trim();
    expect(mustSh('docker', ['inspect', '-f', '{{.State.Status}}', id]).trim()).toBe('running');
    // A frozen VM takes no exec; it is thawed at once when the save's connection goes (or by the
    // watchdog): a few tries.
    let ok = false;
    for (let i = 0; i < 100 && !ok; i++) {
      ok = sh('docker', ['exec', id, 'true'], { timeoutMs: 20_000 }).status === 0;
      if (!ok) spawnWait(500);
    }
    expect(ok).toBe(true);
  };

  beforeAll(() => {
    requireBuiltDockervm();
    dir = scaffold(scratch.path, name);
    otherDir = scaffold(scratch.path, other);
    empty = join(scratch.path, 'empty');
    mkdirSync(empty);
    composeUp(dir);
    dockervmJson(['save', '-m', 'a known state'], { cwd: dir });
  });
  afterAll(() => {
    cleanupProject(name);
    cleanupProject(other);
    scratch.cleanup();
  });

  it('no project', () => {
    for (const command of [['save'], ['restore', 'current'], ['status'], ['destroy', '--yes']]) oneLine('not in a project', command, empty);
  });

  it('wrong arguments', () => {
    oneLine('an unknown option', ['save', '--bogus'], dir);
    oneLine('a snapshot not named', ['restore'], dir);
    oneLine('one argument too many', ['restore', 'current', 'extra'], dir);
    oneLine('a snapshot that does not exist', ['restore', 'snap-nosuch'], dir);
    oneLine('a value not among the choices', ['lint', '--format', 'xml'], dir);
    oneLine('destroy without a terminal and without --yes', ['destroy'], dir);
    oneLine('an import source that does not exist', ['import', join(scratch.path, 'no-such-disk.qcow2')], dir);
    oneLine('a push target that is not an image reference', ['push', 'Not A Reference'], dir);
  });

  it('a snapshot of another project', () => {
    mustSh('docker', ['compose', 'build', '--quiet'], { cwd: otherDir, timeoutMs: 900_000 });
    const theirs = dockervmJson<{ snapshot: { id: string; name: string } }>(['save'], { cwd: otherDir }).snapshot;
    const before = snapshotIds();
    oneLine("another project's snapshot, by its full name", ['restore', `dockervm/${other}:snap-${theirs.id}`], dir);
    oneLine("another project's snapshot, by its id", ['restore', theirs.id], dir);
    expect(snapshotIds()).toEqual(before);
  });

  it('a corrupted snapshot label', () => {
    const before = snapshotIds();
    const id = '20200101T000000Z';
    const image = mustSh('docker', ['compose', 'images', '-q', 'vm'], { cwd: dir }).trim();
    // A snapshot whose list of volumes is not JSON: listed as it is, refused when restored.
    // A container of the VM's image, made by hand: it carries compose's labels (from the image)
    // and must not be taken for the VM.
    const stray = mustSh('docker', ['create', image]).trim();
    const fake = mustSh('docker', [
      'commit',
      '--change',
      `LABEL dev.dockervm.project=${name} dev.dockervm.role=snapshot dev.dockervm.snapshot=${id} dev.dockervm.snapshot.volumes={broken`,
      stray,
      `dockervm/${name}:snap-${id}`,
    ]).trim();
    expect(fake).toMatch(/^sha256:/);
    oneLine('a snapshot whose labels were edited by hand', ['restore', `snap-${id}`], dir);
    mustSh('docker', ['rmi', `dockervm/${name}:snap-${id}`]);
    expect(snapshotIds()).toEqual(before);
    vmRunsAndAnswers();
  });

  it('the engine gone in the middle of a save: while copying, and while the VM is frozen', async () => {
    const before = snapshotIds();
    inVm(dir, 'head -c 150000000 /dev/urandom > /home/dev/big.bin');
    const copying = await cutMidway(['save', '-m', 'cut while copying'], dir, /volume .*: /);
    expect(copying.cut, copying.stderr).toBe(true);
    record('the engine stops answering while a save copies the volumes', 'save', copying);
    expect(snapshotIds()).toEqual(before);
    vmRunsAndAnswers();

    inVm(dir, 'echo frozen-cut > /home/dev/marker');
    const frozen = await cutMidway(['save', '-m', 'cut while frozen'], dir, /\] frozen$/m, { DOCKERVM_DEBUG: 'timing' });
    const state = sh('docker', [
      'ps',
      '-a',
      '--filter',
      `label=dev.dockervm.project=${name}`,
      '--format',
      '{{.Names}} {{.Status}} {{.Label "dev.dockervm.role"}}',
    ]).stdout;
    expect(frozen.cut, `${frozen.stderr}\n${state}`).toBe(true);
    record('the engine stops answering while the VM is frozen for a save', 'save', frozen);
    expect(snapshotIds()).toEqual(before);
    vmRunsAndAnswers();

    // The next save cleans up after the interrupted ones and works.
    const next = dockervm(['save', '-m', 'after the cuts'], { cwd: dir });
    expect(next.status, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/interrupted/);
    expect(snapshotIds()).toHaveLength(before.length + 1);
  });

  it('the engine gone in the middle of a restore', async () => {
    const target = snapshotIds()[0]!;
    const before = snapshotIds();
    const restore = await cutMidway(['restore', target], dir, /saved the current state as/);
    expect(restore.cut, restore.stderr).toBe(true);
    record('the engine stops answering in the middle of a restore', `restore ${target}`, restore);
    // Nothing lost: every snapshot is there (an auto-save may have been added), and the restore,
    // run again, works and brings the VM back.
    expect(snapshotIds()).toEqual(expect.arrayContaining(before));
    const again = dockervm(['restore', target], { cwd: dir });
    expect(again.status, again.stderr).toBe(0);
    vmRunsAndAnswers();
  });

  it.skipIf(!findRegistryBinary() && !process.env.CI)('the registry gone in the middle of a push', async () => {
    const registry = await startRegistry();
    const proxy = await cuttingTcpProxy(registry.port, 2_000_000);
    try {
      const before = snapshotIds();
      const push = dockervm(['push', `127.0.0.1:${proxy.port}/class/lab:v1`], { cwd: dir, timeoutMs: 300_000 });
      record('the registry stops answering in the middle of a push', 'push 127.0.0.1:PORT/class/lab:v1', {
        status: push.status,
        stderr: push.stderr
          .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')
          // The engine's own words for the broken connection vary from run to run.
          .replace(/(cannot push [^:]+:[^:]+:[^:]+): .*$/m, "$1: <the engine's error for the broken connection>"),
      });
      expect(snapshotIds()).toEqual(before);
      // The registry back (here: reached without the proxy), the same push works.
      const again = dockervm(['push', `${registry.host}/class/lab:v1`], { cwd: dir, timeoutMs: 300_000 });
      expect(again.status, again.stderr).toBe(0);
    } finally {
      proxy.close();
      await registry.stop();
    }
  });

  it('the table in the docs is what dockervm says', () => {
    const table = [
      '| situation | command | what dockervm says (stderr, one line) | exit |',
      '|---|---|---|---:|',
      ...rows.map((r) => `| ${r.situation} | \`${r.command}\` | ${r.says.replaceAll('|', '\\|')} | ${r.exit} |`),
    ].join('\n');
    const page = readFileSync(PAGE, 'utf8');
    const start = page.indexOf('<!-- table: made by test/e2e/dockervm-bad-input.test.ts -->');
    const end = page.indexOf('<!-- end of table -->');
    expect(start, 'the page has lost its table markers').toBeGreaterThan(-1);
    const current = page.slice(page.indexOf('\n', start) + 1, end).trim();
    if (process.env.DOCKERVM_RECORD === '1') {
      writeFileSync(PAGE, `${page.slice(0, page.indexOf('\n', start) + 1)}${table}\n${page.slice(end)}`);
      return;
    }
    expect(current, 'dockervm says something else now: check it, then run this test with DOCKERVM_RECORD=1 to update the page').toBe(table);
  });
});

/** A short synchronous pause between retries (the checks around it are synchronous too). */
function spawnWait(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

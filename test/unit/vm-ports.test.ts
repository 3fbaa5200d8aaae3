// Host ports for VMs side by side: the flags, the free-slot choice, what is rendered into compose.yaml
// and .env, and how dockervm reads them back (with .env and the environment, as compose does).
import { describe, expect, it } from 'vitest';
import { parseProject } from '../../src/cli/project.ts';
import { interpolate, parseDotEnv } from '../../src/cli/dotenv.ts';
import { clashMessage } from '../../src/cli/port-clash.ts';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClaims, siblingClaims } from '../../src/create/port-probe.ts';
import { choosePorts, fixedPorts, type PortProbe } from '../../src/create/ports.ts';
import { renderProject } from '../../src/render/project.ts';
import { templateRenderer } from '../../src/render/compile.ts';
import { loadTemplates } from '../../src/render/load-templates.ts';
import { fileText, specFromArgs } from '../helpers/render.ts';

const render = templateRenderer(loadTemplates());

function probe(claimed: Record<number, string>, busy: number[] = []): PortProbe {
  return { isFree: async (port) => !busy.includes(port), claimed: async () => new Map(Object.entries(claimed).map(([p, n]) => [Number(p), n])) };
}

async function chosen(args: string[], claims: Record<number, string> = {}, busy: number[] = []) {
  const spec = await specFromArgs('vm', args);
  const fixed = fixedPorts(spec.ports, (await import('../../src/create/context.ts')).getContext(['vm', '--yes', ...args], {}, false).flags.hostPorts);
  const result = await choosePorts(spec, fixed, probe(claims, busy));
  return { spec: { ...spec, ports: result.ports }, warnings: result.warnings, hosts: Object.fromEntries(result.ports.map((p) => [p.variable, p.host])) };
}

describe('choosing host ports', () => {
  it('takes the usual ports when they are free', async () => {
    expect((await chosen([])).hosts).toEqual({ DOCKERVM_VNC_PORT: 5901, DOCKERVM_NOVNC_PORT: 6080 });
  });

  it('moves every port of the VM one slot up when another VM claims one, and past programs that listen', async () => {
    expect((await chosen(['--service', 'sshd'], { 6080: 'first' })).hosts).toEqual({
      DOCKERVM_VNC_PORT: 5902,
      DOCKERVM_NOVNC_PORT: 6081,
      DOCKERVM_SSH_PORT: 2223,
    });
    expect((await chosen([], { 6080: 'first', 5901: 'first' }, [5902])).hosts).toEqual({ DOCKERVM_VNC_PORT: 5903, DOCKERVM_NOVNC_PORT: 6082 });
  });

  it('--port-base numbers noVNC, VNC, SSH from N; a per-port flag wins; extra --port entries keep their host port', async () => {
    expect((await chosen(['--service', 'sshd', '--port-base', '7000'])).hosts).toEqual({
      DOCKERVM_NOVNC_PORT: 7000,
      DOCKERVM_VNC_PORT: 7001,
      DOCKERVM_SSH_PORT: 7002,
    });
    const mixed = await chosen(['--port-base', '7000', '--vnc-port', '7100', '--port', '8080:80'], { 8080: 'web' });
    expect(mixed.hosts).toEqual({ DOCKERVM_NOVNC_PORT: 7000, DOCKERVM_VNC_PORT: 7100, DOCKERVM_PORT_80: 8080 });
    expect(mixed.warnings).toEqual([expect.stringMatching(/^port 8080 \(your service\) is in use by the dockervm project "web".*DOCKERVM_PORT_80 in \.env/)]);
  });

  it('refuses flags that do not fit the VM, before anything is probed', async () => {
    await expect(chosen(['--desktop', 'vnc', '--novnc-port', '7000'])).rejects.toThrow(/--novnc-port: this VM has no such port; it needs the novnc desktop/);
    await expect(chosen(['--ssh-port', '70000', '--service', 'sshd'])).rejects.toThrow(/--ssh-port must be a port number from 1 to 65535/);
    await expect(chosen(['--novnc-port', '7000', '--vnc-port', '7000'])).rejects.toThrow(/host port 7000 is given twice/);
    await expect(chosen(['--port-base', '65535'])).rejects.toThrow(/past 65535/);
  });

  it('reads the ports other dockervm projects configured, running or not', () => {
    const text =
      'alpha\t{"5901/tcp":[{"HostIp":"127.0.0.1","HostPort":"5901"}],"6080/tcp":[{"HostIp":"127.0.0.1","HostPort":"6080"}]}\nbeta\tnull\nself\t{"22/tcp":[{"HostPort":"2222"}]}\n';
    expect(parseClaims(text, 'self')).toEqual(
      new Map([
        [5901, 'alpha'],
        [6080, 'alpha'],
      ]),
    );
  });
});

describe('projects next to the new one', () => {
  it('claim the ports in their .env, started or not', () => {
    const parent = mkdtempSync(join(tmpdir(), 'dockervm-siblings-'));
    try {
      mkdirSync(join(parent, 'first'));
      writeFileSync(join(parent, 'first/.env'), 'VNC_GEOMETRY=1280x800\nDOCKERVM_VNC_PORT=5901\nDOCKERVM_NOVNC_PORT=6080\n');
      mkdirSync(join(parent, 'other'));
      writeFileSync(join(parent, 'other/.env'), 'PORT=9999\n');
      mkdirSync(join(parent, 'new'));
      writeFileSync(join(parent, 'new/.env'), 'DOCKERVM_NOVNC_PORT=7000\n');
      expect(siblingClaims(join(parent, 'new'))).toEqual(
        new Map([
          [5901, 'first'],
          [6080, 'first'],
        ]),
      );
      expect(siblingClaims(join(parent, 'missing/deeper'))).toEqual(new Map());
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('rendered ports', () => {
  it('compose.yaml reads each host port from .env; README shows the chosen URL; dockervm reads them back', async () => {
    const { spec } = await chosen(['--service', 'sshd', '--port', '8080:80'], { 6080: 'first' });
    const files = renderProject(spec, { render, secrets: { vnc_password: 'x' } });
    const compose = fileText(files, 'compose.yaml');
    expect(compose).toContain('- 127.0.0.1:${DOCKERVM_NOVNC_PORT:-6081}:6080\n');
    expect(compose).toContain('- 127.0.0.1:${DOCKERVM_PORT_80:-8080}:80\n');
    const env = fileText(files, '.env');
    expect(env).toMatch(/^DOCKERVM_NOVNC_PORT=6081$/m);
    expect(env).toMatch(/^DOCKERVM_SSH_PORT=2223$/m);
    expect(files.get('README.md')!.content).toContain('<http://127.0.0.1:6081/>');

    const vars = parseDotEnv(env.replace('DOCKERVM_NOVNC_PORT=6081', 'DOCKERVM_NOVNC_PORT=7777'));
    const project = parseProject(compose, 'compose.yaml', (name) => vars.get(name));
    expect(project.ports).toContainEqual({ ip: '127.0.0.1', host: 7777, container: 6080, variable: 'DOCKERVM_NOVNC_PORT' });
    expect(project.desktop).toBe('novnc');
    // Without .env the defaults in compose.yaml hold.
    expect(parseProject(compose, 'compose.yaml').ports).toContainEqual({ ip: '127.0.0.1', host: 2223, container: 22, variable: 'DOCKERVM_SSH_PORT' });
  });

  it('substitutes the way compose does', () => {
    const vars = new Map([
      ['SET', '1'],
      ['EMPTY', ''],
    ]);
    const lookup = (name: string) => vars.get(name);
    expect(interpolate('${SET:-9} ${EMPTY:-9} ${EMPTY-9} ${UNSET-9} $SET $$SET ${UNSET}.', lookup)).toBe('1 9  9 1 $SET .');
    expect(parseDotEnv('# c\nexport A="x y"\nB=2 # note\nC=\'#\'\nnot a line\n')).toEqual(
      new Map([
        ['A', 'x y'],
        ['B', '2'],
        ['C', '#'],
      ]),
    );
  });

  it('a clash names the holder and the .env line to change', () => {
    expect(
      clashMessage({ ip: '127.0.0.1', host: 6080, container: 6080, variable: 'DOCKERVM_NOVNC_PORT' }, { project: 'first', container: 'first-vm-1' }, 6081),
    ).toBe(
      'noVNC port 6080 is taken by the dockervm project "first" (container first-vm-1): change DOCKERVM_NOVNC_PORT=6080 in .env (e.g. DOCKERVM_NOVNC_PORT=6081), then `npx dockervm up` again',
    );
    expect(clashMessage({ ip: '127.0.0.1', host: 9000, container: 90 }, undefined, undefined)).toMatch(
      /^host port 9000 \(for 90\) is taken by another program on this machine: change the port in compose.yaml/,
    );
  });
});

// The fleet's pure parts: where seats go (and when they do not fit), the stack file, the Caddyfile,
// and a seat's state from the swarm's nodes and tasks.
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseMemory, parseSeatCount, placeSeats, proxyConfigText, seatName, stackFile, type FleetPlan, type NodeCapacity } from '../../src/cli/fleet/plan.ts';
import { caddyfile } from '../../src/cli/fleet/proxy.ts';
import { seatRows } from '../../src/cli/fleet/seats.ts';
import type { SwarmNode, SwarmService, SwarmTask } from '../../src/docker/swarm.ts';

const GiB = 1024 ** 3;
const node = (id: string, memoryGiB: number, schedulable = true): NodeCapacity => ({ id, hostname: `host-${id}`, schedulable, memoryBytes: memoryGiB * GiB });

describe('placeSeats', () => {
  it('spreads new seats over the nodes with the fewest, in name order', () => {
    const seats = placeSeats(5, [], [node('a', 4), node('b', 4), node('c', 4)], GiB / 2);
    expect(seats.map((s) => `${s.name}@${s.nodeId}`)).toEqual(['seat-01@a', 'seat-02@b', 'seat-03@c', 'seat-04@a', 'seat-05@b']);
  });

  it('keeps a seat on the node that holds its disk, drops seats above the count', () => {
    const seats = placeSeats(
      2,
      [
        { name: 'seat-01', nodeId: 'c' },
        { name: 'seat-02', nodeId: 'c' },
        { name: 'seat-03', nodeId: 'a' },
      ],
      [node('a', 4), node('c', 4)],
      GiB,
    );
    expect(seats).toEqual([
      { name: 'seat-01', nodeId: 'c' },
      { name: 'seat-02', nodeId: 'c' },
    ]);
  });

  it('puts no new seat on a node that is down', () => {
    const seats = placeSeats(3, [{ name: 'seat-01', nodeId: 'b' }], [node('a', 4), node('b', 4, false)], GiB);
    expect(seats.map((s) => s.nodeId)).toEqual(['b', 'a', 'a']);
  });

  it('refuses, naming the nodes, when the memory cannot hold them', () => {
    expect(() => placeSeats(7, [], [node('a', 2), node('b', 1)], GiB / 2)).toThrow(
      /7 seats do not fit: the 2 ready node\(s\) hold 6 at 0\.5 GiB each \(host-a 2\.0 GiB, host-b 1\.0 GiB\)/,
    );
  });
});

describe('option parsing', () => {
  it('seat counts and memory sizes', () => {
    expect(parseSeatCount('20', '--seats')).toBe(20);
    expect(() => parseSeatCount('0', '--seats')).toThrow(/from 1 to 99/);
    expect(() => parseSeatCount('2.5', '--seats')).toThrow(/whole number/);
    expect(() => parseSeatCount(undefined, '--seats')).toThrow(/--seats N is needed/);
    expect(parseMemory('512M')).toBe(512 * 1024 ** 2);
    expect(parseMemory('1.5g')).toBe(1.5 * GiB);
    expect(() => parseMemory('lots')).toThrow(/512M or 1G/);
    expect(seatName(3)).toBe('seat-03');
  });
});

const plan: FleetPlan = {
  project: 'lab',
  stack: 'lab-fleet',
  image: 'reg.example:5000/class/lab:fleet@sha256:abc',
  proxyImage: 'dockervm/fleet-proxy:0.1.0',
  proxyNodeId: 'a',
  host: '10.0.0.5',
  port: 8443,
  seats: [
    { name: 'seat-01', nodeId: 'a' },
    { name: 'seat-02', nodeId: 'b' },
  ],
  disk: ['etc', 'home'],
  passwordFile: (seat) => `/p/secrets/fleet/${seat}`,
  proxyConfigFile: '/tmp/x/Caddyfile',
  healthcheck: { test: ['CMD', '/.dockervm/bin/healthcheck'], interval: '10s', retries: 3 },
  environment: { VNC_GEOMETRY: '1280x800' },
  seatMemoryBytes: GiB / 2,
  stopGracePeriod: '20s',
};

describe('stackFile', () => {
  const doc = parse(stackFile(plan));

  it('a seat: its own volumes, its own secret as the VM expects it, pinned to its node, no virtual IP', () => {
    const seat = doc.services['seat-02'];
    expect(seat.image).toBe(plan.image);
    expect(seat.volumes).toEqual([
      { type: 'volume', source: 'seat-02-etc', target: '/etc' },
      { type: 'volume', source: 'seat-02-home', target: '/home' },
    ]);
    expect(seat.secrets).toEqual([{ source: 'seat-02-password', target: 'vnc_password', mode: 0o444 }]);
    expect(doc.secrets['seat-02-password'].file).toBe('/p/secrets/fleet/seat-02');
    expect(seat.deploy.placement.constraints).toEqual(['node.id == b']);
    expect(seat.deploy.endpoint_mode).toBe('dnsrr');
    expect(seat.deploy.labels['dev.dockervm.fleet.node']).toBe('b');
    expect(seat.healthcheck).toEqual(plan.healthcheck);
  });

  it('the proxy: on the manager, its port published there, a config named after its content', () => {
    const proxy = doc.services.proxy;
    expect(proxy.ports).toEqual([{ target: 8443, published: 8443, protocol: 'tcp', mode: 'host' }]);
    expect(proxy.deploy.placement.constraints).toEqual(['node.id == a']);
    const [config] = Object.keys(doc.configs);
    expect(config).toMatch(/^caddyfile-[0-9a-f]{8}$/);
    const other = parse(stackFile({ ...plan, seats: plan.seats.slice(0, 1) }));
    expect(Object.keys(other.configs)[0]).not.toBe(config);
  });
});

describe('caddyfile', () => {
  it('TLS from its own CA, a route per seat with noVNC told its websocket path, 404 for the rest', () => {
    const text = caddyfile('10.0.0.5', ['seat-01']);
    expect(text).toContain('https://10.0.0.5:8443, https://localhost:8443, https://127.0.0.1:8443 {');
    expect(text).toContain('\ttls internal');
    expect(text).toContain('redir @seat-01-root /seat-01/vnc.html?path=seat-01/websockify&autoconnect=1&resize=remote&reconnect=1 302');
    expect(text).toContain('\thandle_path /seat-01/* {\n\t\treverse_proxy seat-01:6080\n\t}');
    expect(text).toMatch(/handle \{\n\t\trespond "no such seat[^"]*" 404/);
    expect(proxyConfigText(plan)).toContain('reverse_proxy seat-02:6080');
  });
});

describe('seatRows', () => {
  const nodes: SwarmNode[] = [
    { id: 'a', hostname: 'one', state: 'ready', availability: 'active', role: 'manager', address: '10.0.0.5', memoryBytes: GiB, cpus: 2 },
    { id: 'b', hostname: 'two', state: 'down', availability: 'active', role: 'worker', address: '10.0.0.6', memoryBytes: GiB, cpus: 2 },
  ];
  const service = (id: string, seat: string, nodeId: string): SwarmService => ({
    id,
    name: `lab-fleet_${seat}`,
    labels: { 'dev.dockervm.fleet.seat': seat, 'dev.dockervm.fleet.node': nodeId },
  });
  const task = (serviceId: string, state: string, createdAt: string): SwarmTask => ({
    id: `${serviceId}-${createdAt}`,
    serviceId,
    nodeId: 'a',
    state,
    desiredState: 'running',
    message: state,
    error: '',
    containerId: undefined,
    createdAt,
  });

  it("a seat on a node that is down is down; otherwise its newest task's state", () => {
    const rows = seatRows(
      [service('s2', 'seat-02', 'b'), service('s1', 'seat-01', 'a'), { id: 'p', name: 'lab-fleet_proxy', labels: {} }],
      [task('s1', 'failed', '2026-01-01T00:00:00Z'), task('s1', 'starting', '2026-01-01T00:01:00Z'), task('s2', 'running', '2026-01-01T00:00:00Z')],
      nodes,
      { host: '10.0.0.5', port: 8443 },
      (seat) => (seat === 'seat-01' ? 'pw1' : undefined),
    );
    expect(rows.map((r) => [r.name, r.node, r.state, r.url, r.password])).toEqual([
      ['seat-01', 'one', 'starting', 'https://10.0.0.5:8443/seat-01/', 'pw1'],
      ['seat-02', 'two', 'down', 'https://10.0.0.5:8443/seat-02/', null],
    ]);
    expect(rows[1]?.detail).toBe('node two is down');
  });
});

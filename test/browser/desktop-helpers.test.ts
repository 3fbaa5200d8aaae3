// Tests for the desktop-protocol helpers the e2e suite uses (test/helpers/{des,rfb,xvfb,browser,png}.ts),
// against real programs on this host: Xvfb, TigerVNC's Xtigervnc, xterm, websockify + noVNC and
// Debian's Chromium. No Docker needed. Everything listens on 127.0.0.1 and is stopped in afterAll.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { templateRenderer } from '../../src/render/compile.ts';
import { loadTemplates } from '../../src/render/load-templates.ts';
import { CHROMIUM_PATH, openNoVnc, screenshotCanvas, startWebsockify, unexpectedConsoleErrors, withChromium, type Websockify } from '../helpers/browser.ts';
import { desBackend, desEncryptBlock, desEncryptBlockPure, desEncryptEcb } from '../helpers/des.ts';
import { decodePng, encodePng, pixelStats, type RgbaImage } from '../helpers/png.ts';
import { rfbHandshake, reverseBits, vncAuthenticate, vncAuthResponse, vncObfuscatePassword, vncPasswordKey } from '../helpers/rfb.ts';
import {
  ensureDebianPackages,
  freeTcpPort,
  listWindows,
  startXvfb,
  startXvnc,
  waitForWindow,
  X_PACKAGES,
  type ManagedProcess,
  type XServer,
  type XvncServer,
} from '../helpers/xvfb.ts';

const ARTIFACTS = fileURLToPath(new URL('../../artifacts/', import.meta.url));
const isRoot = process.getuid?.() === 0;
const hex = (text: string) => Buffer.from(text, 'hex');

// Everything started here is stopped in afterAll, in reverse order, whatever failed.
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      process.stderr.write(`cleanup failed: ${(error as Error).message}\n`);
    }
  }
});

beforeAll(() => {
  ensureDebianPackages({
    ...X_PACKAGES,
    Xtigervnc: 'tigervnc-standalone-server',
    vncpasswd: 'tigervnc-tools',
    xterm: 'xterm',
    websockify: 'websockify',
    '/usr/share/novnc/vnc.html': 'novnc',
    [CHROMIUM_PATH]: 'chromium',
  });
});

describe('des', () => {
  // FIPS 46 worked example, the classic "Now is t" vector, a weak-key-free S-box vector and the
  // NBS variable-plaintext test's first entry.
  const vectors: Array<[string, string, string]> = [
    ['133457799BBCDFF1', '0123456789ABCDEF', '85E813540F0AB405'],
    ['0123456789ABCDEF', '4E6F772069732074', '3FA40E8A984D4815'],
    ['0E329232EA6D0D73', '8787878787878787', '0000000000000000'],
    ['0101010101010101', '8000000000000000', '95F8A5E5DD31D900'],
    ['7CA110454A1A6E57', '01A1D6D039776742', '690F5B0D9A26939B'],
  ];

  it.each(vectors)('key %s, plaintext %s → %s (pure and chosen backend)', (key, plain, cipher) => {
    expect(desEncryptBlockPure(hex(key), hex(plain)).toString('hex').toUpperCase()).toBe(cipher);
    expect(desEncryptBlock(hex(key), hex(plain)).toString('hex').toUpperCase()).toBe(cipher);
  });

  it('pure implementation agrees with the chosen backend on random blocks', () => {
    const backend = desBackend();
    process.stdout.write(`DES backend: ${backend}\n`);
    for (let i = 0; i < 200; i++) {
      const key = Buffer.from(Array.from({ length: 8 }, () => Math.floor(Math.random() * 256)));
      const block = Buffer.from(Array.from({ length: 8 }, () => Math.floor(Math.random() * 256)));
      expect(desEncryptBlockPure(key, block).toString('hex')).toBe(desEncryptBlock(key, block).toString('hex'));
    }
  });

  it('ECB encrypts blocks independently and rejects bad sizes', () => {
    const key = hex('133457799BBCDFF1');
    const two = desEncryptEcb(key, hex('0123456789ABCDEF0123456789ABCDEF'));
    expect(two.toString('hex').toUpperCase()).toBe('85E813540F0AB40585E813540F0AB405');
    expect(() => desEncryptBlock(Buffer.alloc(7), Buffer.alloc(8))).toThrow(/key must be 8 bytes/);
    expect(() => desEncryptEcb(key, Buffer.alloc(9))).toThrow(/multiple of 8/);
  });

  it('VNC key quirk: bit-reversed key bytes reproduce `vncpasswd -f`', () => {
    expect(reverseBits(0x01)).toBe(0x80);
    expect(reverseBits(0x17)).toBe(0xe8);
    expect([...vncPasswordKey('ab')]).toEqual([0x86, 0x46, 0, 0, 0, 0, 0, 0]);
    expect(vncPasswordKey('123456789').equals(vncPasswordKey('12345678'))).toBe(true);
    for (const password of ['secret12', 'ab', 'longer-than-eight']) {
      const made = spawnSync('vncpasswd', ['-f'], { input: `${password}\n`, timeout: 10_000 });
      expect(made.status).toBe(0);
      expect(vncObfuscatePassword(password).toString('hex')).toBe(made.stdout.toString('hex'));
    }
  });
});

describe('png', () => {
  function pattern(width: number, height: number): RgbaImage {
    const data = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const o = (y * width + x) * 4;
        data[o] = (x * 37 + y * 11) & 0xff;
        data[o + 1] = (x * y) & 0xff;
        data[o + 2] = (255 - x * 3) & 0xff;
        data[o + 3] = 255 - ((x + y) % 7) * 30;
      }
    }
    return { width, height, data };
  }

  it.each([0, 1, 2, 3, 4, 'cycle'] as const)('round-trips RGBA with filter %s', (filter) => {
    const image = pattern(23, 17);
    const decoded = decodePng(encodePng(image, { filter }));
    expect(decoded.width).toBe(23);
    expect(decoded.height).toBe(17);
    expect(Buffer.from(decoded.data).equals(Buffer.from(image.data))).toBe(true);
  });

  it('decodes RGB (colour type 2) as opaque RGBA', () => {
    const image = pattern(9, 5);
    const decoded = decodePng(encodePng(image, { rgb: true, filter: 'cycle' }));
    for (let i = 0; i < 9 * 5; i++) {
      expect([...decoded.data.subarray(i * 4, i * 4 + 4)]).toEqual([...image.data.subarray(i * 4, i * 4 + 3), 255]);
    }
  });

  it('rejects corrupt input clearly', () => {
    const png = encodePng(pattern(4, 4));
    expect(() => decodePng(Buffer.from('not a png at all'))).toThrow(/signature/);
    const corrupt = Buffer.from(png);
    corrupt[20] = corrupt[20]! ^ 0xff; // inside IHDR's data
    expect(() => decodePng(corrupt)).toThrow(/bad CRC/);
  });

  it('pixelStats: background, dominant colour and non-background share', () => {
    const width = 100;
    const height = 50;
    const data = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) data.set([0x20, 0x40, 0x60, 255], i * 4);
    // a 10×10 white "window" with a black pixel in it
    for (let y = 5; y < 15; y++) for (let x = 5; x < 15; x++) data.set([255, 255, 255, 255], (y * width + x) * 4);
    data.set([0, 0, 0, 255], (10 * width + 10) * 4);
    const stats = pixelStats(encodePng({ width, height, data }));
    expect(stats).toMatchObject({ width, height, distinctColors: 3, dominantColor: '#204060' });
    expect(stats.nonBackgroundFraction).toBeCloseTo(100 / 5000, 6);
    expect(stats.dominantFraction).toBeCloseTo(4900 / 5000, 6);
    expect(pixelStats({ width, height, data }, { background: '#ffffff' }).nonBackgroundFraction).toBeCloseTo(4901 / 5000, 6);
    expect(pixelStats({ width, height, data }, { tolerance: 255 }).nonBackgroundFraction).toBe(0);
  });
});

describe('rfb against scripted servers (edge cases)', () => {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  });

  async function scripted(onConnection: (socket: Socket) => void): Promise<number> {
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      onConnection(socket);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  /** Reads exactly `size` bytes from a socket on the server side. */
  function readExactly(socket: Socket, size: number): Promise<Buffer> {
    return new Promise((resolve) => {
      let got = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        got = Buffer.concat([got, chunk]);
        if (got.length >= size) {
          socket.off('data', onData);
          if (got.length > size) socket.unshift(got.subarray(size));
          resolve(got.subarray(0, size));
        }
      };
      socket.on('data', onData);
    });
  }

  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const rfbString = (text: string) => Buffer.concat([u32(Buffer.byteLength(text)), Buffer.from(text)]);

  it('times out on a silent server, saying what it waited for', async () => {
    const port = await scripted(() => undefined);
    const started = Date.now();
    await expect(rfbHandshake({ host: '127.0.0.1', port, timeoutMs: 300 })).rejects.toThrow(/timed out after 300 ms waiting for the ProtocolVersion message/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('rejects a non-RFB server and a connection refused', async () => {
    const port = await scripted((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await expect(rfbHandshake({ host: '127.0.0.1', port, timeoutMs: 2000 })).rejects.toThrow(/not an RFB server/);
    const closedPort = await freeTcpPort();
    await expect(rfbHandshake({ host: '127.0.0.1', port: closedPort, timeoutMs: 2000 })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('reports a server that closes mid-handshake', async () => {
    const port = await scripted((socket) => socket.end('RFB 003.008\n'));
    await expect(rfbHandshake({ host: '127.0.0.1', port, timeoutMs: 2000 })).rejects.toThrow(
      /closed the connection while waiting for the number of security types/,
    );
  });

  it('returns the reason when the server offers no security types (e.g. blacklisted)', async () => {
    const port = await scripted((socket) => {
      socket.write('RFB 003.008\n');
      void readExactly(socket, 12).then(() => socket.end(Buffer.concat([Buffer.from([0]), rfbString('Too many security failures')])));
    });
    expect(await rfbHandshake({ host: '127.0.0.1', port, timeoutMs: 2000 })).toMatchObject({ securityTypes: [], reason: 'Too many security failures' });
    expect(await vncAuthenticate({ host: '127.0.0.1', port, password: 'x', timeoutMs: 2000 })).toMatchObject({
      ok: false,
      reason: 'Too many security failures',
    });
  });

  it('refuses politely when VNC Authentication is not offered', async () => {
    const port = await scripted((socket) => {
      socket.write('RFB 003.008\n');
      void readExactly(socket, 12).then(() => socket.write(Buffer.from([2, 19, 1])));
    });
    const result = await vncAuthenticate({ host: '127.0.0.1', port, password: 'x', timeoutMs: 2000 });
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/does not offer VNC Authentication.*\[19, 1\]/);
  });

  it('speaks RFB 3.3 (server-chosen type, no failure reason) and answers 3.889 with 3.8', async () => {
    const challenge = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const port = await scripted((socket) => {
      socket.write('RFB 003.003\n');
      void (async () => {
        const version = (await readExactly(socket, 12)).toString();
        if (version !== 'RFB 003.003\n') return socket.destroy();
        socket.write(Buffer.concat([u32(2), challenge]));
        const response = await readExactly(socket, 16);
        if (!response.equals(vncAuthResponse('pw', challenge))) return socket.end(u32(1));
        socket.write(u32(0));
        await readExactly(socket, 1); // ClientInit
        const init = Buffer.alloc(20);
        init.writeUInt16BE(640, 0);
        init.writeUInt16BE(480, 2);
        init.writeUInt8(32, 4);
        socket.end(Buffer.concat([init, rfbString('old-server')]));
      })();
    });
    expect(await vncAuthenticate({ host: '127.0.0.1', port, password: 'pw', timeoutMs: 2000 })).toMatchObject({
      ok: true,
      serverVersion: 'RFB 003.003',
      width: 640,
      height: 480,
      name: 'old-server',
    });
    const failed = await vncAuthenticate({ host: '127.0.0.1', port, password: 'nope', timeoutMs: 2000 });
    expect(failed).toMatchObject({ ok: false, serverVersion: 'RFB 003.003' });
    expect(failed.reason).toMatch(/RFB 3.3 sends no reason/);

    const applePort = await scripted((socket) => {
      socket.write('RFB 003.889\n');
      void readExactly(socket, 12).then((version) => socket.end(Buffer.from(version.toString() === 'RFB 003.008\n' ? [1, 2] : [0])));
    });
    expect(await rfbHandshake({ host: '127.0.0.1', port: applePort, timeoutMs: 2000 })).toMatchObject({
      serverVersion: 'RFB 003.889',
      clientVersion: 'RFB 003.008',
      securityTypes: [2],
    });
  });
});

describe('Xvfb', () => {
  let xvfb: XServer;
  const clients: ManagedProcess[] = [];

  beforeAll(async () => {
    xvfb = await startXvfb({ allowLocalUsers: ['nobody'], ...(isRoot && hostUserFor(1000) ? { allowUids: [1000] } : {}) });
    cleanups.push(() => xvfb.stop());
    cleanups.push(() => Promise.all(clients.map((client) => client.stop())).then(() => undefined));
  });

  function hostUserFor(uid: number): string | undefined {
    const result = spawnSync('getent', ['passwd', String(uid)], { encoding: 'utf8' });
    return result.status === 0 ? result.stdout.split(':')[0] : undefined;
  }

  /** Can `uid` open the display? Runs xwininfo as that user with the given XAUTHORITY (or none). */
  function canConnect(uid: number, xauthority?: string): { ok: boolean; output: string } {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: '/nonexistent', DISPLAY: xvfb.display };
    if (xauthority) env.XAUTHORITY = xauthority;
    const result = spawnSync('xwininfo', ['-root'], { env, uid, gid: uid, encoding: 'utf8', timeout: 10_000 });
    return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
  }

  it('starts on a free display with a socket in /tmp/.X11-unix and a cookie', () => {
    expect(xvfb.display).toMatch(/^:\d+$/);
    expect(xvfb.socketDir).toBe('/tmp/.X11-unix');
    expect(spawnSync('test', ['-S', xvfb.socketPath]).status).toBe(0);
    expect(xvfb.xauthority).toBeDefined();
    expect(listWindows(xvfb.display)).toEqual(expect.any(Array));
  });

  it.runIf(isRoot && hostUserFor(1000) !== undefined)('UID 1000 (SI:localuser via allowUids) runs `xterm -title probe`; listWindows sees it', async () => {
    const xterm = xvfb.spawnClient('xterm', ['-title', 'probe'], { uid: 1000, gid: 1000, withCookie: false });
    clients.push(xterm);
    const names = await waitForWindow(xvfb.display, 'probe', { timeoutMs: 15_000 }).catch((error: Error) => {
      throw new Error(`${error.message}\nxterm output: ${xterm.output()}`);
    });
    expect(names).toContain('probe');
    expect(xterm.running()).toBe(true);
  });

  it.runIf(isRoot)('user nobody (SI:localuser) connects without a cookie', async () => {
    const xterm = xvfb.spawnClient('xterm', ['-title', 'nobody-probe'], { uid: 65534, gid: 65534, withCookie: false });
    clients.push(xterm);
    await waitForWindow(xvfb.display, 'nobody-probe', { timeoutMs: 15_000 });
  });

  it.runIf(isRoot)('a UID with no xhost entry is refused, and gets in with a copy of the cookie', () => {
    const refused = canConnect(4242);
    expect(refused.ok).toBe(false);
    expect(refused.output).toMatch(/Authorization required|unable to open display/);
    const dir = mkdtempSync(join(tmpdir(), 'xauth-copy-'));
    try {
      chmodSync(dir, 0o755);
      const cookie = join(dir, 'Xauthority');
      xvfb.writeXauthority(cookie, { uid: 4242, gid: 4242 });
      expect(canConnect(4242, cookie)).toMatchObject({ ok: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a display that is taken, clearly', async () => {
    await expect(startXvfb({ display: xvfb.displayNumber })).rejects.toThrow(new RegExp(`display :${xvfb.displayNumber} is taken`));
  });

  it.runIf(isRoot)('SI:localuid is not supported by this X server, so allow() reports it', () => {
    expect(() => xvfb.allow('SI:localuid:1000')).toThrow(/did not take effect/);
  });

  it.runIf(isRoot)('insecureNoAccessControl (-ac) lets any UID in', async () => {
    const open = await startXvfb({ insecureNoAccessControl: true });
    cleanups.push(() => open.stop());
    expect(open.xauthority).toBeUndefined();
    const result = spawnSync('xwininfo', ['-root'], {
      env: { PATH: process.env.PATH, DISPLAY: open.display },
      uid: 4242,
      gid: 4242,
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.status).toBe(0);
    await open.stop();
  });
});

describe('Xtigervnc + RFB + noVNC in Chromium', () => {
  const password = 'dvm-pass';
  let vnc: XvncServer;
  let websockify: Websockify;

  beforeAll(async () => {
    // Relaxed blacklist: these tests make several unauthenticated connections (see the blacklist test below).
    vnc = await startXvnc({ password, geometry: '1024x768', extraArgs: ['-BlacklistThreshold', '1000'] });
    cleanups.push(() => vnc.stop());
    // Coloured so the screenshot has 3 colours: the black root window, the xterm's background and its text.
    const xterm = vnc.spawnClient('xterm', [
      '-title',
      'vnc-probe',
      '-geometry',
      '100x30+40+40',
      '-bg',
      '#1e3a5f',
      '-fg',
      '#f0e68c',
      '-e',
      'sh',
      '-c',
      'echo hello from dockervm helpers; for i in 1 2 3 4 5; do echo line $i; done; sleep 3600',
    ]);
    cleanups.push(() => xterm.stop());
    await waitForWindow(vnc.display, 'vnc-probe', { timeoutMs: 15_000 });
    // Debian's noVNC plus our generated index.html (the redirect a VM user lands on).
    const webDir = mkdtempSync(join(tmpdir(), 'novnc-web-'));
    cleanups.push(() => rmSync(webDir, { recursive: true, force: true }));
    for (const entry of readdirSync('/usr/share/novnc')) symlinkSync(join('/usr/share/novnc', entry), join(webDir, entry));
    writeFileSync(join(webDir, 'index.html'), templateRenderer(loadTemplates())('rootfs/novnc-index.html.hbs', { name: 'helpers-test' }));
    websockify = await startWebsockify({ target: `127.0.0.1:${vnc.rfbPort}`, webDir });
    cleanups.push(() => websockify.stop());
  });

  it('handshake: RFB 003.008 offering VNC Authentication only', async () => {
    const times: number[] = [];
    let serverVersion = '';
    for (let i = 0; i < 5; i++) {
      const result = await rfbHandshake({ host: '127.0.0.1', port: vnc.rfbPort, timeoutMs: 5000 });
      expect(result.securityTypes).toEqual([2]);
      serverVersion = result.serverVersion;
      times.push(result.elapsedMs);
    }
    expect(serverVersion).toBe('RFB 003.008');
    process.stdout.write(`RFB handshake ms (5 runs): ${times.join(', ')}\n`);
  });

  it('correct password → ok with the server geometry and name', async () => {
    const result = await vncAuthenticate({ host: '127.0.0.1', port: vnc.rfbPort, password, timeoutMs: 5000 });
    process.stdout.write(`VNC auth ok in ${result.elapsedMs} ms\n`);
    expect(result).toMatchObject({ ok: true, serverVersion: 'RFB 003.008', width: 1024, height: 768, name: 'dockervm-test' });
    expect(result.pixelFormat).toMatchObject({ bitsPerPixel: 32, depth: 24, trueColour: true });
  });

  it('wrong password → ok:false with the server reason', async () => {
    const result = await vncAuthenticate({ host: '127.0.0.1', port: vnc.rfbPort, password: 'not-it', timeoutMs: 5000 });
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/auth/i);
    expect(result.width).toBeUndefined();
  });

  it('noVNC in Chromium logs in, shows the desktop with the xterm', async () => {
    await withChromium(async ({ page, consoleErrors }) => {
      const timings = await openNoVnc(page, { url: `${websockify.url}/vnc.html?autoconnect=1&resize=off`, password, timeoutMs: 60_000 });
      process.stdout.write(`noVNC (resize=off): ${JSON.stringify(timings)}\n`);
      expect(timings.canvasWidth).toBe(1024);
      expect(timings.canvasHeight).toBe(768);
      expect(timings.firstPixelsMs).toBeGreaterThan(0);
      expect(timings.credentialsMs).toBeDefined();
      // The first update may still be partial: give xterm's text a moment to arrive.
      await page.waitForTimeout(500);
      const png = await screenshotCanvas(page, join(ARTIFACTS, 'helpers-novnc.png'));
      await screenshotCanvas(page, join(ARTIFACTS, 'helpers-novnc-page.png'), { source: 'page' });
      const stats = pixelStats(png);
      process.stdout.write(`canvas pixelStats: ${JSON.stringify(stats)}\n`);
      expect(stats).toMatchObject({ width: 1024, height: 768 });
      expect(stats.nonBackgroundFraction).toBeGreaterThan(0.02);
      expect(stats.distinctColors).toBeGreaterThanOrEqual(3);
      expect(stats.dominantColor).toBe('#000000'); // Xtigervnc's root window
      // Debian's noVNC always logs a 404 for package.json; anything else is a real problem.
      expect(consoleErrors.length).toBeGreaterThan(0);
      expect(unexpectedConsoleErrors(consoleErrors)).toEqual([]);
    });
  });

  it('our index.html redirects to vnc.html?autoconnect=1&resize=remote&reconnect=1, which resizes the session to the viewport', async () => {
    await withChromium(
      async ({ page }) => {
        const timings = await openNoVnc(page, { url: `${websockify.url}/`, password, timeoutMs: 60_000 });
        process.stdout.write(`noVNC (index.html → resize=remote): ${JSON.stringify(timings)}\n`);
        expect(timings.url).toBe(`${websockify.url}/vnc.html?autoconnect=1&resize=remote&reconnect=1`);
        // noVNC asks the server (SetDesktopSize) for the browser's size; Xtigervnc accepts.
        await expect
          .poll(async () => (await vncAuthenticate({ host: '127.0.0.1', port: vnc.rfbPort, password, timeoutMs: 5000 })).width, { timeout: 10_000 })
          .toBe(1000);
      },
      { viewport: { width: 1000, height: 700 } },
    );
  });

  it('a wrong password in noVNC fails with a clear error', async () => {
    await withChromium(async ({ page }) => {
      await expect(openNoVnc(page, { url: `${websockify.url}/vnc.html?autoconnect=1&resize=off`, password: 'wrong-pw', timeoutMs: 20_000 })).rejects.toThrow(
        /Authentication failure/,
      );
    });
  });
});

describe('TigerVNC blacklist (default settings)', () => {
  it('counts bare handshakes as failures; the helper reports the refusal, a correct login is refused too', async () => {
    const vnc = await startXvnc({ password: 'bl-pass' });
    cleanups.push(() => vnc.stop());
    const target = { host: '127.0.0.1', port: vnc.rfbPort, timeoutMs: 5000 };
    // Startup readiness did not connect (it reads /proc/net/tcp), so all 5 allowed attempts are ours.
    for (let i = 0; i < 5; i++) expect((await rfbHandshake(target)).securityTypes).toEqual([2]);
    expect(await rfbHandshake(target)).toMatchObject({ securityTypes: [], reason: 'Too many security failures' });
    expect(await vncAuthenticate({ ...target, password: 'bl-pass' })).toMatchObject({ ok: false, reason: 'Too many security failures' });
    await vnc.stop();
  });
});

// The browser desktop's web front: on the localhost default plain http behind the VNC password; with
// --bind-all and --cert/--key behind TLS and a long password, raw VNC kept on 127.0.0.1; and what the
// generated project carries for it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { randomVncPassword } from '../../src/create/main.ts';
import { readTlsFiles, tlsSecrets } from '../../src/create/tls-files.ts';
import { CLIError } from '../../src/errors.ts';
import { fileText, GOLDEN_DESKTOP_PASSWORD, renderFromArgs, specFromArgs } from '../helpers/render.ts';

describe('remote access', () => {
  it('--bind-all: TLS with a certificate made in the VM; noVNC on every interface, raw VNC on 127.0.0.1', async () => {
    const spec = await specFromArgs('vm', ['--bind-all']);
    expect(spec.remoteAccess).toEqual({ certificate: 'generated' });
    const files = await renderFromArgs('vm', ['--bind-all']);
    const compose = parse(fileText(files, 'compose.yaml'));
    expect(compose.services.vm.ports).toEqual(['127.0.0.1:${DOCKERVM_VNC_PORT:-5901}:5901', '0.0.0.0:${DOCKERVM_NOVNC_PORT:-6080}:6080']);
    expect(compose.services.vm.secrets).toEqual(['desktop_password', 'vnc_password']);
    expect(files.get('secrets/desktop_password')).toMatchObject({ content: `${GOLDEN_DESKTOP_PASSWORD}\n`, mode: 0o600 });
    const supervisor = files.get('rootfs/.dockervm/supervisord.conf')?.content ?? '';
    expect(supervisor).toMatch(/\[program:novnc\]\ncommand=\/\.dockervm\/bin\/start-desktop-web\n/);
    expect(supervisor).not.toMatch(/-m websockify/);
    expect(files.get('rootfs/.dockervm/bin/start-desktop-web')?.content).toMatch(/openssl req -x509 .*\n.*subjectAltName/);
    expect(files.get('rootfs/.dockervm/lib/desktop-web.py')?.content).toMatch(/"ssl_only": True/);
    // The start script hands the server a certificate: https only, the login page.
    expect(files.get('rootfs/.dockervm/bin/start-desktop-web')?.content).toMatch(/desktop-web\.py 6080 5901 \S+ "[^"]+" "\$cert" "\$key"\n/);
    expect(files.get('rootfs/usr/local/share/novnc/index.html')?.content).toMatch(/fetch\('dockervm\/vnc'/);
    expect(files.get('Dockerfile')?.content).toMatch(/openssl/);
    const readme = files.get('README.md')?.content ?? '';
    expect(readme).toMatch(/speaks TLS only/);
    expect(readme).toMatch(/npx dockervm open/);
    // Files both ways behind the same sign-in.
    expect(files.get('rootfs/.dockervm/lib/desktop-files.js')?.content).toMatch(/X-Dockervm-Upload/);
    expect(files.get('rootfs/.dockervm/lib/desktop-web.py')?.content).toMatch(/UPLOAD_LIMIT = 2048 \* 1024 \* 1024/);
    expect(readme).toMatch(/\*\*Files through the browser\*\*: drop files .*\n.*at most 2048 MB per file/);
  });

  it('the localhost default: the same web front, plain http, the VNC password for the desktop and files', async () => {
    const files = await renderFromArgs('vm', []);
    expect(files.has('secrets/desktop_password')).toBe(false);
    const supervisor = files.get('rootfs/.dockervm/supervisord.conf')?.content ?? '';
    expect(supervisor).toMatch(/\[program:novnc\]\ncommand=\/\.dockervm\/bin\/start-desktop-web\n/);
    expect(supervisor).not.toMatch(/-m websockify/);
    const start = files.get('rootfs/.dockervm/bin/start-desktop-web')?.content ?? '';
    // No certificate: plain http, no openssl in the image.
    expect(start).toMatch(/desktop-web\.py 6080 5901 \S+ "[^"]+"\n/);
    expect(start).not.toMatch(/openssl/);
    expect(files.get('Dockerfile')?.content).not.toMatch(/openssl/);
    expect(files.get('rootfs/usr/local/share/novnc/index.html')?.content).toMatch(/http-equiv="refresh"/);
    // The page signs in to files with the VNC password it was given, once the desktop connected.
    const page = files.get('rootfs/.dockervm/lib/desktop-files.js')?.content ?? '';
    expect(page).toMatch(/noVNC_credentials_button/);
    expect(page).toMatch(/fetch\('dockervm\/login'/);
    expect(files.get('rootfs/.dockervm/lib/desktop-web.py')?.content).toMatch(/read_secret\(DESKTOP_PASSWORD if SECURE else VNC_PASSWORD\)/);
    expect(files.get('README.md')?.content).toMatch(/\*\*Files through the browser\*\*: once the desktop is connected/);
  });

  it('--bind-all on a plain VNC desktop keeps VNC on 127.0.0.1 and has no web front', async () => {
    const spec = await specFromArgs('vm', ['--bind-all', '--desktop', 'vnc', '--service', 'sshd', '--no-pin']);
    expect(spec.remoteAccess).toBeUndefined();
    expect(spec.ports.map((p) => [p.container, Boolean(p.loopbackOnly)])).toEqual([
      [5901, true],
      [22, false],
    ]);
  });

  it('--cert/--key: the given certificate as compose secrets, TLS also on 127.0.0.1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dvm-tls-'));
    writeFileSync(join(dir, 'cert.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    writeFileSync(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
    writeFileSync(join(dir, 'not.pem'), 'hello\n');
    const spec = await specFromArgs('vm', ['--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem')]);
    expect(spec.remoteAccess).toEqual({ certificate: 'provided' });
    expect(spec.bindAddress).toBe('127.0.0.1');
    const tls = await readTlsFiles(join(dir, 'cert.pem'), join(dir, 'key.pem'));
    expect(Object.keys(tlsSecrets(tls))).toEqual(['tls_certificate', 'tls_key']);
    await expect(readTlsFiles(join(dir, 'cert.pem'), undefined)).rejects.toThrow(/go together/);
    await expect(readTlsFiles(join(dir, 'not.pem'), join(dir, 'key.pem'))).rejects.toThrow(/not a PEM certificate/);
    await expect(readTlsFiles(join(dir, 'missing.pem'), join(dir, 'key.pem'))).rejects.toThrow(/cannot read --cert .*ENOENT/);
    await expect(specFromArgs('vm', ['--desktop', 'vnc', '--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem')])).rejects.toThrow(CLIError);
  });

  it('the desktop password is 24 characters of the unambiguous alphabet', () => {
    const password = randomVncPassword(24);
    expect(password).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{24}$/);
    expect(randomVncPassword()).toHaveLength(8);
  });
});

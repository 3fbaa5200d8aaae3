// --audio: the flag and its prompt, PulseAudio under the supervisor as the VM user, the page's sound
// behind the desktop's sign-in, and the package names of each family.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLIError } from '../../src/errors.ts';
import { fileText, renderFromArgs, specFromArgs } from '../helpers/render.ts';

describe('--audio', () => {
  it('is off by default, also with --yes', async () => {
    const spec = await specFromArgs('vm', []);
    expect(spec.audio).toBeUndefined();
    const files = await renderFromArgs('vm', []);
    expect(files.get('Dockerfile')?.content).not.toMatch(/pulseaudio/);
    expect(files.has('rootfs/.dockervm/lib/desktop-audio.js')).toBe(false);
    expect(files.get('rootfs/.dockervm/lib/desktop-web.py')?.content).toMatch(/This VM was made without --audio/);
  });

  it('runs PulseAudio with a null sink as the default output, as the VM user, under supervisord', async () => {
    const files = await renderFromArgs('vm', ['--audio']);
    const dockerfile = files.get('Dockerfile')?.content ?? '';
    expect(dockerfile).toMatch(/^ {8}pulseaudio \\$/m);
    // ALSA's plugins (ffmpeg) stand in for by a local package; the socket folder is the user's.
    expect(dockerfile).toMatch(/'Provides: libasound2-plugins'/);
    expect(dockerfile).toMatch(/chown 1000:1000 \/run\/dockervm-audio/);
    const supervisor = files.get('rootfs/.dockervm/supervisord.conf')?.content ?? '';
    expect(supervisor).toMatch(/\[program:audio\]\ncommand=\/\.dockervm\/bin\/start-audio\n/);
    expect(files.get('rootfs/.dockervm/bin/start-audio')?.content).toMatch(/exec pulseaudio -n --file=\/\.dockervm\/lib\/audio\.pa --daemonize=no/);
    const script = files.get('rootfs/.dockervm/lib/audio.pa')?.content ?? '';
    expect(script).toMatch(/load-module module-null-sink sink_name=dockervm rate=48000 channels=2/);
    expect(script).toMatch(/set-default-sink dockervm/);
    expect(script).toMatch(/module-native-protocol-unix socket=\/run\/dockervm-audio\/native auth-anonymous=1/);
    const compose = parse(fileText(files, 'compose.yaml'));
    expect(compose.services.vm.environment.PULSE_SERVER).toBe('unix:/run/dockervm-audio/native');
    expect(files.get('README.md')?.content).toMatch(/\*\*Sound\*\* \(`--audio`\)[\s\S]*1\.5 Mbit\/s[\s\S]*about 50 MB of image/);
  });

  it('streams the sink through the desktop web front, behind its sign-in, to a Sound button that starts off', async () => {
    const files = await renderFromArgs('vm', ['--audio', '--bind-all']);
    const server = files.get('rootfs/.dockervm/lib/desktop-web.py')?.content ?? '';
    expect(server).toMatch(
      /RECORD = \["parec", "--device=dockervm\.monitor", "--format=s16le", "--rate=48000", "--channels=2", "--latency-msec=20", "--raw"\]/,
    );
    expect(server).toMatch(/if not self\.guard\(private=self\.route\(\) == AUDIO\)/);
    expect(server).toMatch(/<script src="dockervm\/audio\.js" defer>/);
    const page = files.get('rootfs/.dockervm/lib/desktop-audio.js')?.content ?? '';
    expect(page).toMatch(/new WebSocket\(url, \['binary'\]\)/);
    expect(page).toMatch(/const LEAD_SECONDS = 0\.06;/);
    expect(page).toMatch(/setLabel\(false\);/);
  });

  it('runs under runit too', async () => {
    const files = await renderFromArgs('vm', ['--audio', '--supervisor', 'runit']);
    expect(files.get('rootfs/.dockervm/service/audio/run')?.content).toMatch(/\/\.dockervm\/bin\/start-audio/);
  });

  it.each([
    ['fedora', /^ {8}pulseaudio-utils \\$/m],
    ['alpine', /^ {8}pulseaudio-utils \\$/m],
    ['ubuntu', /^ {8}pulseaudio \\$/m],
  ])('names the packages on %s', async (base, pattern) => {
    const files = await renderFromArgs('vm', ['--audio', '--base', base]);
    expect(files.get('Dockerfile')?.content).toMatch(pattern);
  });

  it('needs the browser desktop', async () => {
    await expect(specFromArgs('vm', ['--audio', '--desktop', 'vnc'])).rejects.toThrow(CLIError);
    await expect(specFromArgs('vm', ['--audio', '--desktop', 'vnc'])).rejects.toThrow(/--audio .* needs --desktop novnc/);
  });
});

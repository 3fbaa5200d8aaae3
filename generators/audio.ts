// --audio: a sound server in the VM that the browser desktop plays. PulseAudio runs as the VM user
// under the supervisor with one null sink as the default output, so any program (Firefox, paplay) plays
// into it without a sound card; the desktop's web front (desktop-web.py) records the sink's monitor
// with parec and sends it to the page over a WebSocket on the desktop's own port and sign-in.
//
// Why PulseAudio and not PipeWire: on Debian 12 PipeWire would be smaller (+22 MB against +50 MB), but
// its session manager (WirePlumber 0.4) quits without logind and D-Bus, which a container does not
// have, and without it no stream reaches a sink. PulseAudio with a null sink needs neither.
import type { VmSpec } from '../src/vmspec/types.ts';
import type { Contribution } from './contribution.ts';
import { RUNTIME_BIN, RUNTIME_DIR, rootfsPath } from './paths.ts';

/**
 * What goes over the WebSocket: raw 16-bit little-endian PCM, 48 kHz, stereo, 20 ms per message.
 * 48 kHz is the null sink's rate and the browser's usual output rate, so nothing resamples on the way
 * (no added delay or CPU); 16 bits are what programs play and half the bytes of float samples; no codec,
 * because Python's standard library has none and one would add packages: 1.5 Mbit/s while sound plays,
 * nothing while it is silent (silent messages are not sent) or while the page's sound is off.
 */
export const AUDIO_SAMPLE = { format: 's16le', rate: 48_000, channels: 2, chunkMs: 20 } as const;
/** The sink programs play into; its monitor is what the page hears. */
export const AUDIO_SINK = 'dockervm';
/** The server's socket, in a folder only the VM user may enter; PULSE_SERVER points every client at it. */
export const AUDIO_SOCKET_DIR = '/run/dockervm-audio';
export const AUDIO_SOCKET = `${AUDIO_SOCKET_DIR}/native`;
export const AUDIO_PAGE_SCRIPT = 'desktop-audio.js';
const CONFIG = `${RUNTIME_DIR}/lib/audio.pa`;

const PACKAGES = {
  // pulseaudio-utils (parec, pacat, paplay, pactl) comes with Debian's pulseaudio.
  debian: ['pulseaudio'],
  fedora: ['pulseaudio', 'pulseaudio-utils'],
  alpine: ['pulseaudio', 'pulseaudio-utils'],
} as const;

export function audioLayer(spec: VmSpec): Contribution {
  if (!spec.audio) return { layer: 'audio:none' };
  const family = spec.base.family;
  if (family === 'busybox') throw new Error('--audio on busybox should have been refused by normalizeAnswers (no desktop)');
  const { uid, gid } = spec.user;
  return {
    layer: 'audio',
    packages: { [family]: [...PACKAGES[family]] },
    ...(family === 'debian' ? { beforeInstall: withoutAlsaPlugins() } : {}),
    steps: [
      {
        comment: "the sound server's socket folder: only the VM user (and root) may play or listen",
        lines: [`mkdir -p ${AUDIO_SOCKET_DIR}`, `chown ${uid}:${gid} ${AUDIO_SOCKET_DIR}`, `chmod 700 ${AUDIO_SOCKET_DIR}`],
        phase: 'before-files',
      },
    ],
    programs: [{ name: 'audio', command: [`${RUNTIME_BIN}/start-audio`], runAs: 'user', priority: 20 }],
    files: [
      {
        path: rootfsPath(`${RUNTIME_BIN}/start-audio`),
        mode: 0o755,
        template: 'rootfs/start-audio.sh.hbs',
        data: { config: CONFIG, socketDir: AUDIO_SOCKET_DIR },
      },
      {
        path: rootfsPath(CONFIG),
        mode: 0o644,
        template: 'rootfs/audio.pa.hbs',
        data: { sink: AUDIO_SINK, socket: AUDIO_SOCKET, rate: AUDIO_SAMPLE.rate, channels: AUDIO_SAMPLE.channels },
      },
    ],
    // Every program of the VM, `docker compose exec` sessions included, finds the server here.
    environment: { PULSE_SERVER: `unix:${AUDIO_SOCKET}` },
  };
}

/**
 * Debian's pulseaudio depends on libasound2-plugins, ALSA's plugins for ALSA programs (routing them to
 * PulseAudio, ffmpeg resampling), which PulseAudio itself never loads; through libavcodec they bring
 * about 135 MB. A local package providing libasound2-plugins satisfies that dependency the way apt
 * understands it (as the desktop layer does for the GL drivers); `apt-get install libasound2-plugins`
 * brings the real plugins when an ALSA program wants them.
 */
function withoutAlsaPlugins(): string[] {
  const dir = '/tmp/no-alsa-plugins';
  const control = ['Package: dockervm-no-alsa-plugins', 'Version: 1.0', 'Architecture: all', 'Maintainer: create-dockervm <dockervm@localhost>'];
  const more = ['Provides: libasound2-plugins', 'Description: no ALSA plugins: apt-get install libasound2-plugins for ALSA programs'];
  return [
    `mkdir -p ${dir}/DEBIAN`,
    `printf '%s\\n' ${[...control, ...more].map((line) => `'${line}'`).join(' ')} > ${dir}/DEBIAN/control`,
    `dpkg-deb --build ${dir} ${dir}.deb >/dev/null`,
    `dpkg --install ${dir}.deb`,
    `rm -rf ${dir} ${dir}.deb`,
  ];
}

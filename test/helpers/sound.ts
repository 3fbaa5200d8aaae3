// Sound through the desktop page (--audio): a tone played in the VM, what the page's Web Audio graph
// plays, and the spectrum of it. Used by the e2e test and the latency bench.
//
// Headless Chromium and sound: with no sound card (and no PulseAudio) on the host, Chromium's audio
// service falls back to a fake output whose clock runs in real time, so an AudioContext runs,
// currentTime advances and AudioWorklets process; no flag is needed (--mute-audio would also still run
// the graph). The click on the page's Sound button counts as the user gesture that autoplay asks for.
import type { Page } from 'playwright-core';

/** Shell text for the VM: a `seconds` long sine of `hertz` into the default sink, after printing the time it starts (epoch ms). */
export function toneCommand(hertz: number, seconds: number): string {
  const python = [
    'import math, struct, sys, time',
    `rate, hz, n = 48000, ${hertz}, int(48000 * ${seconds})`,
    'frames = b"".join(struct.pack("<hh", v, v) for v in (int(12000 * math.sin(2 * math.pi * hz * i / rate)) for i in range(n)))',
    'print("%.3f" % (time.time() * 1000), flush=True)',
    'p = __import__("subprocess").Popen(["pacat", "--format=s16le", "--rate=48000", "--channels=2", "--latency-msec=20", "--raw"], stdin=-1)',
    'p.stdin.write(frames); p.stdin.close(); p.wait()',
  ].join('\n');
  return `python3 -c '${python.replaceAll("'", "'\\''")}'`;
}

export interface Heard {
  rate: number;
  /** Left channel samples as the page played them, in order. */
  samples: number[];
  /** Page output time (epoch ms) of the first sample whose magnitude exceeds `threshold`, if any. */
  firstLoudAt?: number;
}

/**
 * Connects an AudioWorklet to the page's sound output (desktop-audio.js: window.dockervmDesktop.sound)
 * that records what passes, with each block's output time on the page's clock (AudioContext time
 * turned into epoch ms through getOutputTimestamp). The Sound button must have been clicked.
 */
export async function tapSound(page: Page): Promise<void> {
  await page.evaluate(async () => {
    type Tap = { blocks: { at: number; data: Float32Array }[] };
    const sound = (window as unknown as { dockervmDesktop?: { sound?: { context?: AudioContext; output?: GainNode } } }).dockervmDesktop?.sound;
    if (!sound?.context || !sound.output) throw new Error('the page has no sound output (Sound button not clicked?)');
    const code = `registerProcessor('dockervm-tap', class extends AudioWorkletProcessor {
      process(inputs) { const input = inputs[0]; if (input && input[0]) this.port.postMessage({ time: currentTime, data: input[0].slice() }); return true; }
    });`;
    await sound.context.audioWorklet.addModule(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
    const node = new AudioWorkletNode(sound.context, 'dockervm-tap', { numberOfOutputs: 0 });
    const tap: Tap = { blocks: [] };
    (window as unknown as { __dockervmTap: Tap }).__dockervmTap = tap;
    const context = sound.context;
    node.port.onmessage = (event: MessageEvent<{ time: number; data: Float32Array }>) => {
      const stamp = context.getOutputTimestamp();
      const at = performance.timeOrigin + (stamp.performanceTime ?? 0) + (event.data.time - (stamp.contextTime ?? 0)) * 1000;
      if (tap.blocks.length < 20_000) tap.blocks.push({ at, data: event.data.data });
    };
    sound.output.connect(node);
  });
}

/** What the tap recorded since `since` (epoch ms), and clears it. */
export async function heard(page: Page, options: { since?: number; threshold?: number } = {}): Promise<Heard> {
  return page.evaluate(
    ({ since, threshold }) => {
      const tap = (window as unknown as { __dockervmTap?: { blocks: { at: number; data: Float32Array }[] } }).__dockervmTap;
      if (!tap) throw new Error('tapSound first');
      const rate = (window as unknown as { dockervmDesktop: { sound: { context: AudioContext } } }).dockervmDesktop.sound.context.sampleRate;
      const blocks = tap.blocks.filter((block) => block.at >= since);
      tap.blocks = [];
      const samples: number[] = [];
      let firstLoudAt: number | undefined;
      for (const block of blocks) {
        block.data.forEach((value, i) => {
          if (firstLoudAt === undefined && Math.abs(value) > threshold) firstLoudAt = block.at + (i / rate) * 1000;
        });
        samples.push(...block.data);
      }
      return { rate, samples, ...(firstLoudAt !== undefined ? { firstLoudAt } : {}) };
    },
    { since: options.since ?? 0, threshold: options.threshold ?? 0.05 },
  );
}

/** The strongest frequency of `samples` (Hann window, radix-2 FFT of the loudest stretch, parabolic peak). */
export function dominantFrequency(samples: readonly number[], rate: number): { hertz: number; peak: number } {
  let size = 1;
  while (size * 2 <= samples.length && size < 32_768) size *= 2;
  if (size < 1024) throw new Error(`only ${samples.length} samples: too few for a spectrum`);
  // The loudest window of that size (the tone, not the silence around it).
  let start = 0;
  let best = -1;
  for (let offset = 0; offset + size <= samples.length; offset += size / 4) {
    let energy = 0;
    for (let i = offset; i < offset + size; i++) energy += samples[i]! ** 2;
    if (energy > best) [best, start] = [energy, offset];
  }
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < size; i++) re[i] = samples[start + i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (size - 1)));
  fft(re, im);
  const magnitude = (k: number) => Math.hypot(re[k]!, im[k]!);
  let peakBin = 1;
  for (let k = 2; k < size / 2; k++) if (magnitude(k) > magnitude(peakBin)) peakBin = k;
  const [a, b, c] = [magnitude(peakBin - 1), magnitude(peakBin), magnitude(peakBin + 1)];
  const shift = (a - c) / (2 * (a - 2 * b + c) || 1);
  return { hertz: ((peakBin + shift) * rate) / size, peak: Math.max(...samples.slice(start, start + size).map(Math.abs)) };
}

/** In-place iterative radix-2 FFT. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let length = 2; length <= n; length <<= 1) {
    const angle = (-2 * Math.PI) / length;
    for (let i = 0; i < n; i += length) {
      for (let k = 0; k < length / 2; k++) {
        const [cos, sin] = [Math.cos(angle * k), Math.sin(angle * k)];
        const [xr, xi] = [re[i + k + length / 2]!, im[i + k + length / 2]!];
        const [tr, ti] = [xr * cos - xi * sin, xr * sin + xi * cos];
        re[i + k + length / 2] = re[i + k]! - tr;
        im[i + k + length / 2] = im[i + k]! - ti;
        re[i + k] = re[i + k]! + tr;
        im[i + k] = im[i + k]! + ti;
      }
    }
  }
}

// Sound from the VM to the desktop page (--audio, issue 11): how long after a program in the VM starts
// a tone does the page play its first non-silent samples? The VM and the browser run on this machine and
// share its clock: the VM prints the time it starts the tone (python3 into pacat), the page's Web Audio
// tap (test/helpers/sound.ts) gives the output time of the first loud sample. Beside it, in the same run,
// the VM's own share: the same tone read back from the sink's monitor by parec inside the VM (what the
// web front starts from). Median of ROUNDS tones, a second of silence between them (so each one starts
// with an empty page buffer, as sound after silence does). Goal: ≤ 300 ms. Printed, never asserted.
// Needs a running engine and the local mirror (scripts/engine/up.sh); headless Chromium (Debian's).
// DOCKERVM_BENCH_PROJECT=DIR measures an already running localhost --audio project instead of building one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { openNoVnc, withChromium } from '../test/helpers/browser.ts';
import { heard, tapSound, toneCommand } from '../test/helpers/sound.ts';
import { removeLabelled, runCleanup } from './engine-cleanup.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const CREATE_BIN = join(root, 'packages/create-dockervm/bin/create-dockervm.js');
const MIRROR = process.env.DOCKERVM_REGISTRY_MIRROR ?? 'http://127.0.0.1:5000';
const ROUNDS = 7;
const GOAL_MS = 300;
const work = mkdtempSync(join(tmpdir(), 'dvmbench-audio-'));

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20 * 60_000, maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${(result.stderr ?? '').slice(-2000)}`);
  return result.stdout;
}

/** In the VM: parec on the monitor first, then the tone; the ms from the tone's start to its first loud sample read back. */
const IN_VM = `python3 -c '
import struct, subprocess, time
rec = subprocess.Popen(["parec", "--device=dockervm.monitor", "--format=s16le", "--rate=48000", "--channels=2", "--latency-msec=20", "--raw"], stdout=subprocess.PIPE, bufsize=0)
time.sleep(0.3)
tone = subprocess.Popen(["sh", "/tmp/dvmbench-tone.sh"], stdout=subprocess.PIPE)
started = float(tone.stdout.readline())
heard = "nan"
for _ in range(250):  # 5 s of 20 ms reads at most
    data = rec.stdout.read(3840)
    if any(abs(v) > 1600 for v in struct.unpack("<%dh" % (len(data) // 2), data)):
        heard = "%.1f" % (time.time() * 1000 - started); break
print(heard)
rec.terminate(); tone.wait()
'`;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const cleanup = [];
let dir = process.env.DOCKERVM_BENCH_PROJECT;
try {
  if (!dir) {
    const name = `dvmbench-audio-${Date.now().toString(36).slice(-4)}`;
    dir = join(work, name);
    sh(process.execPath, [CREATE_BIN, dir, '--yes', '--no-install', '--audio'], { env: { ...process.env, DOCKERVM_REGISTRY_MIRROR: MIRROR } });
    cleanup.push(() => removeLabelled(name));
    cleanup.push(() => sh('docker', ['compose', 'down', '--volumes', '--timeout', '5'], { cwd: dir }));
    process.stderr.write('bench: building and starting the VM…\n');
    sh('docker', ['compose', 'up', '--detach', '--build', '--wait', '--wait-timeout', '600'], { cwd: dir });
  }
  const port = Number(sh('docker', ['compose', 'port', 'vm', '6080'], { cwd: dir }).trim().split(':').pop());
  const password = readFileSync(join(dir, 'secrets', 'vnc_password'), 'utf8').trim();
  const user = sh('docker', ['compose', 'exec', '-T', 'vm', 'sh', '-c', 'ls /home | head -n1'], { cwd: dir }).trim();
  const exec = (script) => sh('docker', ['compose', 'exec', '-T', '-u', user, 'vm', 'sh', '-c', script], { cwd: dir });
  // The tone as a script in the VM, so the in-VM measure can start it too.
  exec(`cat > /tmp/dvmbench-tone.sh <<'EOF'\n${toneCommand(440, 0.3)}\nEOF`);
  const tone = 'sh /tmp/dvmbench-tone.sh';

  const page = [];
  const vm = [];
  await withChromium(async ({ page: tab }) => {
    await openNoVnc(tab, { url: `http://127.0.0.1:${port}/`, password, timeoutMs: 90_000 });
    await tab.waitForSelector('#dockervm-sound', { state: 'visible', timeout: 30_000 });
    await tab.click('#dockervm-sound');
    await tapSound(tab);
    await sleep(1000);
    for (let round = 0; round < ROUNDS; round++) {
      await heard(tab); // empties the tap
      const started = Number(exec(tone).trim());
      let sound = await heard(tab, { since: started });
      for (let polls = 0; polls < 20 && sound.firstLoudAt === undefined; polls++) {
        await sleep(100);
        sound = await heard(tab, { since: started });
      }
      if (sound.firstLoudAt === undefined) throw new Error(`round ${round}: the tone never reached the page`);
      page.push(sound.firstLoudAt - started);
      vm.push(Number(exec(IN_VM).trim()));
      await sleep(1000);
    }
  });
  const [p, v] = [median(page), median(vm)];
  console.log(`440 Hz tone started in the VM → first loud samples, median of ${ROUNDS} (alternating):`);
  console.log(`  played by the desktop page (Web Audio output time): ${p.toFixed(0)} ms  (rounds: ${page.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`  read back by parec inside the VM (the web front's source): ${v.toFixed(0)} ms  (rounds: ${vm.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`  page / in-VM: ${(p / v).toFixed(2)}×; page latency / goal: ${(p / GOAL_MS).toFixed(2)} (goal ≤ ${GOAL_MS} ms)`);
} finally {
  runCleanup(cleanup);
  rmSync(work, { recursive: true, force: true });
}

// Part 0 of bench/desktop-bench.mjs: the default desktop (noVNC, pekwm, supervisord, rootfs disk) next to
// Openbox (the default before it) and no window manager, by image size; and its start, next to the same
// image started the way the VM started before (supervisord run straight: it idles a second before it
// starts anything; the disk seeded by cp -a) and to Openbox started that way (the whole default as it
// was); and started by `npx dockervm up`, which leaves the seeding one-shot out of a later start.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withChromium } from '../test/helpers/browser.ts';
import { seedByCp, summary, timeStart, vmOf } from './desktop-start.mjs';
import { removeLabelled } from './engine-cleanup.mjs';
import { installedPackages } from './image-packages.mjs';

const MB = 1_000_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
// The start as it was: supervisord run straight, and the seed's copy by cp -a (the script keeps that
// branch for bases without GNU tar).
const BEFORE = ['USER root', `RUN ${seedByCp('/.dockervm/bin/seed-rootfs')}`, 'USER dev', 'CMD ["supervisord", "-c", "/.dockervm/supervisord.conf"]'].join(
  '\n',
);

export async function defaultDesktop({ scaffold, baseOf, imageSize, sh, cleanup, report, run }) {
  const variants = [
    { key: 'pekwm', what: 'default: pekwm', args: [] },
    { key: 'openbox', what: '--wm openbox (the default before)', args: ['--wm', 'openbox'] },
    { key: 'nowm', what: '--wm none', args: ['--wm', 'none'] },
  ];
  for (const variant of variants) {
    variant.name = `dvmbench-${variant.key}-${run}`;
    variant.dir = scaffold(variant.name, variant.args);
    cleanup.push(() => removeLabelled(variant.name));
    cleanup.push(() => sh('docker', ['compose', 'down', '--rmi', 'all', '--volumes', '--timeout', '5'], { cwd: variant.dir }));
  }
  const base = baseOf(variants[0].dir);
  const baseSize = imageSize(base);
  const basePackages = installedPackages(base);
  report.push('### The default desktop: image − base (Debian 12; goal ≤ +150 MB)', '');
  report.push('| desktop | image − base | built in | biggest packages it adds (MB installed) |', '|---|---:|---:|---|');
  for (const variant of variants) {
    process.stderr.write(`building ${variant.what} …\n`);
    const started = Date.now();
    sh('docker', ['compose', 'build', '--quiet'], { cwd: variant.dir });
    const built = (Date.now() - started) / 1000;
    const image = `dockervm/${variant.name}:latest`;
    variant.added = imageSize(image) - baseSize;
    const grown = [...installedPackages(image)].filter(([name]) => !basePackages.has(name)).sort((a, b) => b[1] - a[1]);
    const top = grown
      .slice(0, 6)
      .map(([name, kb]) => `${name} ${(kb / 1024).toFixed(1)}`)
      .join(', ');
    report.push(`| ${variant.what} | +${(variant.added / MB).toFixed(1)} MB | ${built.toFixed(0)} s | ${top} |`);
  }
  const [pekwm, openbox] = variants;
  report.push('', `pekwm / Openbox, image − base: **${(pekwm.added / openbox.added).toFixed(2)}×**`);

  // The start as it was: the same images, supervisord run straight and cp -a seeding (an image on top of each).
  const before = [];
  for (const variant of [pekwm, openbox]) {
    const name = `${variant.name}-before`;
    const dir = scaffold(name, variant.args);
    cleanup.push(() => removeLabelled(name));
    cleanup.push(() => sh('docker', ['compose', 'down', '--rmi', 'all', '--volumes', '--timeout', '5'], { cwd: dir }));
    writeFileSync(join(dir, 'Dockerfile'), `FROM dockervm/${variant.name}:latest\n${BEFORE}\n`);
    sh('docker', ['compose', 'build', '--quiet'], { cwd: dir });
    before.push({ ...variant, what: `${variant.what}, supervisord started straight, seeded by cp -a (before)`, dir });
  }
  const started = [
    { ...pekwm, what: 'default: pekwm, supervisord without its idle second' },
    before[0],
    { ...openbox, what: '--wm openbox, supervisord without its idle second' },
    before[1],
    { ...pekwm, what: 'default, started by `npx dockervm up`', by: 'dockervm' },
  ];

  report.push(
    '',
    `### The default desktop's start: \`docker compose up -d\` (or \`npx dockervm up\`) → RFB handshake and → noVNC's first pixels (median of ${RUNS}, range)`,
    '',
  );
  report.push('| desktop | start | → RFB | → first pixels |', '|---|---|---:|---:|');
  const medians = new Map();
  await withChromium(async ({ context }) => {
    for (const vm of started) {
      const ports = vmOf(vm.dir);
      for (const [kind, freshDisk, runs] of [
        ['first start (disk seeded)', true, Math.max(1, Math.ceil(RUNS / 2))],
        ['later start (disk kept)', false, RUNS],
      ]) {
        const results = [];
        for (let i = 0; i < runs; i++) {
          results.push(await timeStart(ports, context, { freshDisk, by: vm.by }));
          process.stderr.write(`${vm.what}, ${kind}: first pixels ${(results.at(-1).pixels / 1000).toFixed(2)} s\n`);
        }
        const rfb = summary(results.map((r) => r.rfb));
        const pixels = summary(results.map((r) => r.pixels));
        medians.set(`${vm.what}|${kind}`, pixels.median);
        report.push(`| ${vm.what} | ${kind} | ${rfb.text} | ${pixels.text} |`);
      }
      sh('docker', ['compose', 'down', '--timeout', '5'], { cwd: vm.dir });
    }
  });
  const ratio = (a, b, kind) => (medians.get(`${a.what}|${kind}`) / medians.get(`${b.what}|${kind}`)).toFixed(2);
  for (const kind of ['first start (disk seeded)', 'later start (disk kept)']) {
    report.push(
      '',
      `${kind}, first pixels: the default now / the default before (Openbox, supervisord straight, cp -a) **${ratio(started[0], started[3], kind)}×**; ` +
        `the supervisord and seed changes alone (pekwm) ${ratio(started[0], started[1], kind)}×; pekwm / Openbox (both changed) ${ratio(started[0], started[2], kind)}×; ` +
        `\`npx dockervm up\` / \`docker compose up -d\` ${ratio(started[4], started[0], kind)}×`,
    );
  }
}

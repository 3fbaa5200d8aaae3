// What the benchmarks leave on the engine, removed the same way by each of them: everything labelled
// with a bench project's name, and cleanup steps run last-registered first, each failure only reported.
import { spawnSync } from 'node:child_process';

/** Removes the containers, images (untagged leftovers of rebuilds too) and volumes of a bench project. */
export function removeLabelled(project) {
  const label = `label=dev.dockervm.project=${project}`;
  const list = (args) =>
    spawnSync('docker', [...args, '--filter', label], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean);
  const containers = list(['ps', '-aq']);
  if (containers.length) spawnSync('docker', ['rm', '-f', ...containers], { stdio: 'ignore' });
  const images = [...new Set(list(['images', '-aq']))];
  if (images.length) spawnSync('docker', ['rmi', '-f', ...images], { stdio: 'ignore' });
  const volumes = list(['volume', 'ls', '-q']);
  if (volumes.length) spawnSync('docker', ['volume', 'rm', '-f', ...volumes], { stdio: 'ignore' });
}

/** Runs cleanup steps in reverse order of registration; one that fails does not stop the others. */
export function runCleanup(steps) {
  for (const step of [...steps].reverse()) {
    try {
      step();
    } catch (error) {
      process.stderr.write(`cleanup: ${error.message.split('\n')[0]}\n`);
    }
  }
}

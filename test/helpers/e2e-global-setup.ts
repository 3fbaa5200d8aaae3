// Runs once before the real-engine suites: removes what an interrupted earlier run of them left on the
// engine. An engine outlives test runs (CI's keeps its state from one run to the next), and a killed run
// leaves VMs whose `restart: unless-stopped` brings them back with every engine start. Projects younger
// than an hour may belong to another run on the same engine, so they are only reported.
import { cleanupProject } from './dockervm-engine.ts';
import { engineProblem, leftoverProjects } from './e2e-engine.ts';

const STALE_AFTER_MS = 60 * 60_000;

export default function removeLeftovers(): void {
  if (engineProblem()) return; // the suites themselves say why they skip or fail
  for (const { name, ageMs } of leftoverProjects()) {
    const minutes = Math.round(ageMs / 60_000);
    if (ageMs > STALE_AFTER_MS) {
      process.stdout.write(`e2e: removing ${name}, left behind by an earlier run (${minutes} min old)\n`);
      cleanupProject(name);
    } else {
      process.stdout.write(`e2e: ${name} belongs to another run (${minutes} min old); not touched\n`);
    }
  }
}

import { defineConfig } from 'vitest/config';

// Two suites: the fast ones (pure render, prompts, CLI spawns, tool checks) and the real-engine e2e.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/cli/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'test/browser/**/*.test.ts'],
          testTimeout: 20 * 60_000,
          hookTimeout: 20 * 60_000,
          // Removes what an interrupted earlier run left on the engine (test/helpers/e2e-global-setup.ts).
          globalSetup: ['test/helpers/e2e-global-setup.ts'],
          // One engine, two cores: variants build one after another.
          fileParallelism: false,
        },
      },
    ],
  },
});

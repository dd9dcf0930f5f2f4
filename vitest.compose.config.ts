import { defineConfig } from 'vitest/config';

// The docker-compose end-to-end test runs on its own, after the rest: it uses the fixed ports
// and service range of a developer's cluster, which the parallel test clusters must not meet.
export default defineConfig({
  test: {
    include: ['test/compose/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    maxWorkers: 1,
    minWorkers: 1,
  },
});

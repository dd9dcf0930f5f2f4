import { defineConfig } from 'vitest/config';

// Test lanes, each runnable alone (`vitest run --project <name>`):
//   unit         the *.test.ts beside the code: pure logic, no etcd, no Docker, no network;
//   integration  real etcd and apiserver processes (test/integration, test/fault);
//   e2e          whole clusters on the real Docker engine (test/e2e).
// The compose test runs alone afterwards (vitest.compose.config.ts): it uses fixed ports.
const components = '{api,apiserver,client,component-base,scheduler,controller-manager,kubelet,proxy,dns,metrics-server,simulated-nodes,launcher}';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real processes; two cores are shared between them.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      { extends: true, test: { name: 'unit', include: [`${components}/**/*.test.ts`] } },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts', 'test/fault/**/*.test.ts'], globalSetup: ['test/harness/global-setup.ts'] },
      },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: ['test/harness/global-setup.ts'] } },
    ],
  },
});

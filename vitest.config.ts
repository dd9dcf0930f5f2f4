import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{api,apiserver,client,scheduler,controller-manager,kubelet,proxy,dns,launcher,test}/**/*.test.ts'],
    // The compose test runs alone afterwards (vitest.compose.config.ts): it uses fixed ports.
    exclude: ['test/compose/**', '**/node_modules/**'],
    globalSetup: ['test/harness/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real processes; two cores are shared between them.
    maxWorkers: 2,
    minWorkers: 1,
  },
});

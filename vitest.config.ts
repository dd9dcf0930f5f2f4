import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{api,apiserver,client,scheduler,controller-manager,kubelet,proxy,dns,launcher,test}/**/*.test.ts'],
    globalSetup: ['test/harness/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real processes; two cores are shared between them.
    maxWorkers: 2,
    minWorkers: 1,
  },
});

// The write load the HA tests play faults under: ConfigMaps created one after another with
// kubectl (through whatever the kubeconfig names, e.g. the balancer) while the faults happen a
// beat apart; then every acknowledged one must be stored.
import { expect } from 'vitest';
import type { kubectlWithKubeconfig } from './kubectl.js';

type Kubectl = ReturnType<typeof kubectlWithKubeconfig>;

export interface WritesOutcome {
  acked: string[];
  failures: number;
}

/** Creates `count` ConfigMaps named `<prefix>-<i>` while running `faults`, `gapMs` apart. */
export async function createUnderFaults(kubectl: Kubectl, prefix: string, count: number, faults: Array<() => Promise<unknown> | unknown>, gapMs: number): Promise<WritesOutcome> {
  const outcome: WritesOutcome = { acked: [], failures: 0 };
  const writer = (async () => {
    for (let i = 0; i < count; i++) {
      const res = await kubectl.run(['create', 'configmap', `${prefix}-${i}`, '--from-literal', `i=${i}`]);
      if (res.code === 0) outcome.acked.push(`${prefix}-${i}`);
      else outcome.failures++;
    }
  })();
  for (const fault of faults) {
    await new Promise((r) => setTimeout(r, gapMs));
    await fault();
  }
  await writer;
  return outcome;
}

/** Every acknowledged create is stored. */
export async function expectAllStored(kubectl: Kubectl, acked: string[]): Promise<void> {
  const stored = new Set((await kubectl.ok(['get', 'configmaps', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' '));
  for (const name of acked) expect(stored.has(name), name).toBe(true);
}

// Prefers nodes whose cpu and memory would be used in similar proportions after placing the pod:
// Kubernetes' score, 100 times one less the standard deviation of the two shares (half their
// difference), truncated.
import type { ScorePlugin } from '../framework.js';

export const balancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  score(state, n) {
    const want = state.requests;
    const cpu = n.allocatable.milliCPU > 0 ? Math.min(1, (n.requested.milliCPU + want.milliCPU) / n.allocatable.milliCPU) : 0;
    const mem = n.allocatable.memory > 0 ? Math.min(1, (n.requested.memory + want.memory) / n.allocatable.memory) : 0;
    return Math.trunc((1 - Math.abs(cpu - mem) / 2) * 100);
  },
};

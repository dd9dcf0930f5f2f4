// Prefers nodes whose cpu and memory would be used in similar proportions after placing the pod.
import type { ScorePlugin } from '../framework.js';

export const balancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  score(state, n) {
    const want = state.requests;
    const cpu = n.allocatable.milliCPU > 0 ? Math.min(1, (n.requested.milliCPU + want.milliCPU) / n.allocatable.milliCPU) : 0;
    const mem = n.allocatable.memory > 0 ? Math.min(1, (n.requested.memory + want.memory) / n.allocatable.memory) : 0;
    return Math.round((1 - Math.abs(cpu - mem)) * 100);
  },
};

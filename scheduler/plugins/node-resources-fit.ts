// Requests must fit in what the node has left (cpu, memory, pod count). As a score, prefers
// the node with the most left over (least allocated).
import { ok, unschedulable, type FilterPlugin, type ScorePlugin } from '../framework.js';

export const nodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter(state, n) {
    const want = state.requests;
    const reasons: string[] = [];
    if (n.requested.pods + 1 > n.allocatable.pods) reasons.push('Too many pods');
    if (want.milliCPU > 0 && n.requested.milliCPU + want.milliCPU > n.allocatable.milliCPU) reasons.push('Insufficient cpu');
    if (want.memory > 0 && n.requested.memory + want.memory > n.allocatable.memory) reasons.push('Insufficient memory');
    return reasons.length ? unschedulable(...reasons) : ok;
  },
};

function fractionFree(requested: number, allocatable: number): number {
  if (allocatable <= 0) return 0;
  return Math.max(0, (allocatable - requested) / allocatable);
}

export const leastAllocated: ScorePlugin = {
  name: 'NodeResourcesLeastAllocated',
  weight: 1,
  score(state, n) {
    const want = state.requests;
    const cpu = fractionFree(n.requested.milliCPU + want.milliCPU, n.allocatable.milliCPU);
    const mem = fractionFree(n.requested.memory + want.memory, n.allocatable.memory);
    return Math.round(((cpu + mem) / 2) * 100);
  },
};

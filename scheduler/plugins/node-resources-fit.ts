// Requests must fit in what the node has left (cpu, memory, ephemeral storage, pod count, and
// each extended resource the pod asks for). As a score, prefers the node with the most left
// over (least allocated).
import { ok, unschedulable, type FilterPlugin, type ScorePlugin } from '../framework.js';

export const nodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter(state, n) {
    const want = state.requests;
    const { requested, allocatable } = n;
    const pods = requested.pods + 1 > allocatable.pods;
    const cpu = want.milliCPU > 0 && requested.milliCPU + want.milliCPU > allocatable.milliCPU;
    const memory = want.memory > 0 && requested.memory + want.memory > allocatable.memory;
    const storage = want.ephemeralStorage > 0 && requested.ephemeralStorage + want.ephemeralStorage > allocatable.ephemeralStorage;
    let scalar: string[] | undefined;
    for (const [name, amount] of want.scalar ?? []) {
      if (amount > 0 && (requested.scalar?.get(name) ?? 0) + amount > (allocatable.scalar?.get(name) ?? 0)) (scalar ??= []).push(name);
    }
    // Asked of hundreds of nodes per pod: nothing is allocated when the pod fits.
    if (!pods && !cpu && !memory && !storage && !scalar) return ok;
    const reasons: string[] = [];
    if (pods) reasons.push('Too many pods');
    if (cpu) reasons.push('Insufficient cpu');
    if (memory) reasons.push('Insufficient memory');
    if (storage) reasons.push('Insufficient ephemeral-storage');
    for (const name of scalar ?? []) reasons.push(`Insufficient ${name}`);
    return unschedulable(...reasons);
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

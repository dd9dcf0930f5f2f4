// Requests must fit in what the node has left (cpu, memory, ephemeral storage, pod count, and
// each extended resource the pod asks for). As a score, by default prefers the node with the
// most left over (least allocated); a scheduler configuration may ask for the most allocated
// (bin packing) or a shape of its own.
import { isExtendedResource } from '../../api/pod-resources.js';
import { ok, unschedulable, type FilterPlugin, type ScorePlugin } from '../framework.js';

/**
 * The filter, leaving out the extended resources a profile ignores (NodeResourcesFitArgs'
 * ignoredResources, and ignoredResourceGroups by the part before the slash): something else
 * accounts for them. Scoring still counts them, as in Kubernetes.
 */
export function nodeResourcesFitFilter(ignored: { resources?: readonly string[]; groups?: readonly string[] } = {}): FilterPlugin {
  const names = new Set(ignored.resources ?? []);
  const groups = new Set(ignored.groups ?? []);
  const skipped = (name: string) => isExtendedResource(name) && (names.has(name) || groups.has(name.split('/')[0]!));
  return {
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
      if ((names.size || groups.size) && skipped(name)) continue;
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
}

export const nodeResourcesFit: FilterPlugin = nodeResourcesFitFilter();

/** How NodeResourcesFit scores a node (its args' scoringStrategy in KubeSchedulerConfiguration). */
export interface ScoringStrategy {
  type: 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';
  /** Resources and their weights; Kubernetes' default: cpu and memory, 1 each. */
  resources: { name: string; weight: number }[];
  /** RequestedToCapacityRatio: utilization (0..100) to score (0..10) points, utilization rising. */
  shape?: { utilization: number; score: number }[];
}

export const DEFAULT_SCORING: ScoringStrategy = { type: 'LeastAllocated', resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] };

function amountOf(r: { milliCPU: number; memory: number; ephemeralStorage: number; scalar?: Map<string, number> }, name: string): number {
  if (name === 'cpu') return r.milliCPU;
  if (name === 'memory') return r.memory;
  if (name === 'ephemeral-storage') return r.ephemeralStorage;
  return r.scalar?.get(name) ?? 0;
}

/** The shape's score (0..100) at `utilization`, by straight lines between its points, flat past the ends. */
function alongShape(shape: { utilization: number; score: number }[], utilization: number): number {
  if (utilization <= shape[0]!.utilization) return shape[0]!.score * 10;
  for (let i = 1; i < shape.length; i++) {
    const a = shape[i - 1]!;
    const b = shape[i]!;
    if (utilization <= b.utilization) return (a.score + ((b.score - a.score) * (utilization - a.utilization)) / (b.utilization - a.utilization)) * 10;
  }
  return shape[shape.length - 1]!.score * 10;
}

/** One resource's score, 0..100, with the pod placed on the node (whole numbers, as Kubernetes' integer arithmetic gives). */
function resourceScore(strategy: ScoringStrategy, requested: number, allocatable: number): number {
  if (allocatable <= 0) return 0;
  switch (strategy.type) {
    case 'LeastAllocated':
      return requested > allocatable ? 0 : Math.trunc(((allocatable - requested) * 100) / allocatable);
    case 'MostAllocated':
      return Math.trunc((Math.min(requested, allocatable) * 100) / allocatable);
    case 'RequestedToCapacityRatio':
      return Math.trunc(alongShape(strategy.shape!, Math.min(100, Math.trunc((requested * 100) / allocatable))));
  }
}

/**
 * NodeResourcesFit as a score: the weighted mean of each resource's score with the pod placed
 * on the node. A resource the node does not have is left out (as Kubernetes does for extended
 * resources), so it neither helps nor hurts.
 */
export function resourceAllocation(strategy: ScoringStrategy = DEFAULT_SCORING): ScorePlugin {
  const [first, second, ...rest] = strategy.resources;
  // The usual case, cpu and memory, without the general loop: asked of hundreds of nodes per pod.
  if (first?.name === 'cpu' && second?.name === 'memory' && !rest.length) {
    const weights = first.weight + second.weight;
    return {
      name: 'NodeResourcesFit',
      weight: 1,
      score(state, n) {
        const cpu = resourceScore(strategy, n.requested.milliCPU + state.requests.milliCPU, n.allocatable.milliCPU);
        const memory = resourceScore(strategy, n.requested.memory + state.requests.memory, n.allocatable.memory);
        return Math.trunc((cpu * first.weight + memory * second.weight) / weights);
      },
    };
  }
  return {
    name: 'NodeResourcesFit',
    weight: 1,
    score(state, n) {
      let sum = 0;
      let weights = 0;
      for (const { name, weight } of strategy.resources) {
        const allocatable = amountOf(n.allocatable, name);
        if (allocatable <= 0 && name !== 'cpu' && name !== 'memory') continue;
        sum += resourceScore(strategy, amountOf(n.requested, name) + amountOf(state.requests, name), allocatable) * weight;
        weights += weight;
      }
      return weights ? Math.trunc(sum / weights) : 0;
    },
  };
}

/** Kubernetes' default: the node with the most left over scores highest. */
export const leastAllocated: ScorePlugin = resourceAllocation();

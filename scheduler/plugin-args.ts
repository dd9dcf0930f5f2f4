// Plugin args of a KubeSchedulerConfiguration profile (pluginConfig), read and checked as
// kube-scheduler checks them: what each plugin kubette runs takes from its args, and which
// args it reads at all (the others are named at start as ignored).
import { FieldErrors } from '../api/validation/field-errors.js';
import { qualifiedName } from '../api/validation/names.js';
import { validatePodAffinity } from '../api/validation/pod-scheduling.js';
import type { TopologySpreadConstraint } from '../api/types/pod.js';
import { ConfigurationError } from './configuration.js';
import { defaultSelector, type SelectorSources } from './default-selector.js';
import type { NodeAffinity } from './plugins/node-affinity.js';
import type { ScoringStrategy } from './plugins/node-resources-fit.js';
import { SYSTEM_DEFAULT_CONSTRAINTS, type SpreadDefaults } from './plugins/topology-spread.js';
import { DEFAULT_CANDIDATE_COUNTS, type CandidateCounts } from './preemption.js';

/** The args kubette reads, by plugin; any other is said to be ignored. */
export const READ_ARGS: Record<string, string[]> = {
  NodeResourcesFit: ['scoringStrategy', 'ignoredResources', 'ignoredResourceGroups'],
  DefaultPreemption: ['minCandidateNodesPercentage', 'minCandidateNodesAbsolute'],
  PodTopologySpread: ['defaultingType', 'defaultConstraints'],
  NodeAffinity: ['addedAffinity'],
  InterPodAffinity: ['hardPodAffinityWeight'],
};

/**
 * PodTopologySpreadArgs: Kubernetes' system defaults (defaultingType System, the default), or
 * the listed defaultConstraints (List; none: no default spreading), checked as Kubernetes does.
 */
export function spreadDefaults(args: Record<string, unknown> | undefined, where: string, selectors: SelectorSources): SpreadDefaults | undefined {
  const type = args?.defaultingType ?? 'System';
  const listed = args?.defaultConstraints ?? [];
  if (type !== 'System' && type !== 'List') throw new ConfigurationError(`${where}.defaultingType: Unsupported value: "${String(type)}": supported values: "List", "System"`);
  if (!Array.isArray(listed)) throw new ConfigurationError(`${where}.defaultConstraints: must be a list`);
  if (type === 'System' && listed.length) throw new ConfigurationError(`${where}.defaultingType: Invalid value: "System": when .defaultConstraints are not empty`);
  const seen = new Set<string>();
  const constraints = listed.map((c: Record<string, unknown>, i: number): TopologySpreadConstraint => {
    const at = `${where}.defaultConstraints[${i}]`;
    if (!c || typeof c !== 'object') throw new ConfigurationError(`${at}: must be an object`);
    if (!(typeof c.maxSkew === 'number' && Number.isInteger(c.maxSkew) && c.maxSkew > 0)) throw new ConfigurationError(`${at}.maxSkew: Invalid value: ${String(c.maxSkew)}: must be greater than zero`);
    const key = typeof c.topologyKey === 'string' ? c.topologyKey : '';
    if (!key) throw new ConfigurationError(`${at}.topologyKey: Required value: can not be empty`);
    const bad = qualifiedName(key)[0];
    if (bad) throw new ConfigurationError(`${at}.topologyKey: Invalid value: "${key}": ${bad}`);
    if (c.whenUnsatisfiable !== 'DoNotSchedule' && c.whenUnsatisfiable !== 'ScheduleAnyway') {
      throw new ConfigurationError(`${at}.whenUnsatisfiable: Unsupported value: "${String(c.whenUnsatisfiable ?? '')}": supported values: "DoNotSchedule", "ScheduleAnyway"`);
    }
    if (c.labelSelector !== undefined && c.labelSelector !== null) throw new ConfigurationError(`${at}.labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod`);
    const pair = `${key}/${c.whenUnsatisfiable}`;
    if (seen.has(pair)) throw new ConfigurationError(`${at}: Duplicate value: "{${key}, ${c.whenUnsatisfiable}}"`);
    seen.add(pair);
    return { maxSkew: c.maxSkew, topologyKey: key, whenUnsatisfiable: c.whenUnsatisfiable } as TopologySpreadConstraint;
  });
  if (type === 'List' && !constraints.length) return undefined;
  return { constraints: type === 'System' ? SYSTEM_DEFAULT_CONSTRAINTS : constraints, system: type === 'System', selector: (pod) => defaultSelector(pod, selectors) };
}

/** NodeAffinityArgs' addedAffinity, checked as a pod's node affinity is. */
export function addedAffinity(args: Record<string, unknown> | undefined, where: string): NodeAffinity | undefined {
  const added = args?.addedAffinity;
  if (added === undefined || added === null) return undefined;
  if (typeof added !== 'object' || Array.isArray(added)) throw new ConfigurationError(`${where}.addedAffinity: must be an object`);
  const errs = new FieldErrors();
  validatePodAffinity({ nodeAffinity: added }, 'affinity', errs);
  const first = errs.causes[0];
  if (first) throw new ConfigurationError(`${where}.${(first.field ?? '').replace(/^affinity\.nodeAffinity/, 'addedAffinity')}: ${first.message}`);
  return added as NodeAffinity;
}

/** NodeResourcesFitArgs' ignoredResources (qualified names) and ignoredResourceGroups (the part before a slash). */
export function ignoredResources(args: Record<string, unknown> | undefined, where: string): { resources: string[]; groups: string[] } | undefined {
  const names = (key: 'ignoredResources' | 'ignoredResourceGroups'): string[] => {
    const list = args?.[key] ?? [];
    if (!Array.isArray(list)) throw new ConfigurationError(`${where}.${key}: must be a list`);
    return list.map((v, i) => {
      const name = typeof v === 'string' ? v : '';
      const bad = qualifiedName(name)[0];
      if (bad) throw new ConfigurationError(`${where}.${key}[${i}]: Invalid value: "${name}": ${bad}`);
      if (key === 'ignoredResourceGroups' && name.includes('/')) throw new ConfigurationError(`${where}.${key}[${i}]: Invalid value: "${name}": resource group name can't contain '/'`);
      return name;
    });
  };
  const resources = names('ignoredResources');
  const groups = names('ignoredResourceGroups');
  return resources.length || groups.length ? { resources, groups } : undefined;
}

/** DefaultPreemptionArgs: a share of the nodes (0..100) and an absolute count (0 or more), not both zero. */
export function candidateCounts(args: Record<string, unknown> | undefined, where: string): CandidateCounts {
  const percentage = args?.minCandidateNodesPercentage ?? DEFAULT_CANDIDATE_COUNTS.minCandidateNodesPercentage;
  const absolute = args?.minCandidateNodesAbsolute ?? DEFAULT_CANDIDATE_COUNTS.minCandidateNodesAbsolute;
  if (typeof percentage !== 'number' || !Number.isInteger(percentage) || percentage < 0 || percentage > 100) {
    throw new ConfigurationError(`${where}.minCandidateNodesPercentage: Invalid value: ${String(percentage)}: not in valid range [0, 100]`);
  }
  if (typeof absolute !== 'number' || !Number.isInteger(absolute) || absolute < 0) throw new ConfigurationError(`${where}.minCandidateNodesAbsolute: Invalid value: ${String(absolute)}: not in valid range [0, inf)`);
  if (percentage === 0 && absolute === 0) throw new ConfigurationError(`${where}: Invalid value: both minCandidateNodesPercentage and minCandidateNodesAbsolute cannot be zero`);
  return { minCandidateNodesPercentage: percentage, minCandidateNodesAbsolute: absolute };
}

/** InterPodAffinityArgs' hardPodAffinityWeight: 0..100, 1 when not given. */
export function hardPodAffinityWeight(args: Record<string, unknown> | undefined, where: string): number | undefined {
  const w = args?.hardPodAffinityWeight;
  if (w === undefined || w === null) return undefined;
  if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 100) throw new ConfigurationError(`${where}.hardPodAffinityWeight: Invalid value: ${String(w)}: not in valid range [0, 100]`);
  return w;
}

/** NodeResourcesFit's scoring strategy from its args, checked as Kubernetes checks them. */
export function scoringStrategy(args: Record<string, unknown> | undefined, where: string): ScoringStrategy | undefined {
  const s = args?.scoringStrategy as Record<string, unknown> | undefined;
  if (!s) return undefined;
  const type = s.type ?? 'LeastAllocated';
  if (type !== 'LeastAllocated' && type !== 'MostAllocated' && type !== 'RequestedToCapacityRatio') {
    throw new ConfigurationError(`${where}.scoringStrategy.type: Unsupported value: "${String(type)}": supported values: "LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"`);
  }
  const given = Array.isArray(s.resources) ? (s.resources as { name?: unknown; weight?: unknown }[]) : [];
  const resources = given.length ? given.map((r, i) => {
    const weight = r.weight === undefined ? 1 : r.weight;
    if (typeof r.name !== 'string' || !r.name) throw new ConfigurationError(`${where}.scoringStrategy.resources[${i}].name: Required value`);
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 1 || weight > 100) {
      throw new ConfigurationError(`${where}.scoringStrategy.resources[${i}].weight: Invalid value: ${String(weight)}: resource weight of ${r.name} should be in the range [1, 100]`);
    }
    return { name: r.name, weight };
  }) : [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }];
  if (type !== 'RequestedToCapacityRatio') return { type, resources };
  const shape = ((s.requestedToCapacityRatio as { shape?: unknown } | undefined)?.shape ?? []) as { utilization?: unknown; score?: unknown }[];
  if (!Array.isArray(shape) || !shape.length) throw new ConfigurationError(`${where}.scoringStrategy.requestedToCapacityRatio.shape: Required value: at least one point must be specified`);
  let last = -1;
  const points = shape.map((p, i) => {
    const u = p.utilization;
    const sc = p.score;
    if (typeof u !== 'number' || !Number.isInteger(u) || u < 0 || u > 100) throw new ConfigurationError(`${where}.scoringStrategy.requestedToCapacityRatio.shape[${i}].utilization: Invalid value: ${String(u)}: not in valid range [0, 100]`);
    if (u <= last) throw new ConfigurationError(`${where}.scoringStrategy.requestedToCapacityRatio.shape[${i}].utilization: Invalid value: ${u}: utilization values must be sorted in increasing order`);
    if (typeof sc !== 'number' || !Number.isInteger(sc) || sc < 0 || sc > 10) throw new ConfigurationError(`${where}.scoringStrategy.requestedToCapacityRatio.shape[${i}].score: Invalid value: ${String(sc)}: not in valid range [0, 10]`);
    last = u;
    return { utilization: u, score: sc };
  });
  return { type, resources, shape: points };
}

// Scheduling profiles: for each schedulerName a configuration names, the plugins that run at
// each extension point, decided as kube-scheduler decides them. Kubernetes' defaults are the
// multiPoint set; a profile's own sets are merged into them (a plugin disabled by name or with
// "*" leaves, one enabled again with a weight replaces the default in place, others are added
// at the end); then each extension point takes the multiPoint plugins that implement it unless
// disabled there, those the point itself re-enables first, in their order.
import type { FilterPlugin, ScorePlugin } from './framework.js';
import { ConfigurationError, type KubeSchedulerConfiguration, type PluginConfig, type PluginRef, type PluginSet, type PluginsConfig, type ProfileConfig } from './configuration.js';
import { ALWAYS_FIRST_FILTER, DEFAULT_PLUGINS, EXTENSION_POINTS, PLUGINS, type ExtensionPoint, type PluginContext } from './plugins/index.js';
import type { ScoringStrategy } from './plugins/node-resources-fit.js';
import type { NodeAffinity } from './plugins/node-affinity.js';
import { FieldErrors } from '../api/validation/field-errors.js';
import { validatePodAffinity } from '../api/validation/pod-scheduling.js';
import type { VolumeLookup } from './plugins/volume-binding.js';
import { SYSTEM_DEFAULT_CONSTRAINTS, type SpreadDefaults } from './plugins/topology-spread.js';
import { defaultSelector, type SelectorSources } from './default-selector.js';
import type { TopologySpreadConstraint } from '../api/types/pod.js';
import { qualifiedName } from '../api/validation/names.js';
import { DEFAULT_CANDIDATE_COUNTS, type CandidateCounts } from './preemption.js';

/** What plugins read of the cluster beyond nodes and pods: claims and volumes, and what selects pods. */
export interface PluginSources {
  volumes: VolumeLookup;
  selectors: SelectorSources;
}

/** Sources that know of nothing: for checking a configuration before the scheduler runs. */
export const NO_SOURCES: PluginSources = {
  volumes: { claim: () => undefined, volume: () => undefined, storageClass: () => undefined },
  selectors: { serviceSelectors: () => [], controllerSelector: () => undefined },
};

export interface Profile {
  schedulerName: string;
  filters: FilterPlugin[];
  scores: ScorePlugin[];
  /** DefaultPreemption is enabled: a pod that fits nowhere may make room. */
  preemption: boolean;
  /** DefaultPreemptionArgs: how many candidate nodes preemption looks for. */
  candidateCounts: CandidateCounts;
  /** SchedulingGates is enabled (preEnqueue): a pod with gates waits outside the queue until they are gone. */
  gates: boolean;
  /** The profile's own percentageOfNodesToScore, else the configuration's (0: Kubernetes' adaptive share). */
  percentageOfNodesToScore: number;
}

/** Kubernetes' mergePluginSet: the defaults less what is disabled, re-enabled ones in place with their weight, new ones after. */
function mergeSet(defaults: readonly PluginRef[], custom: PluginSet | undefined): PluginRef[] {
  if (!custom) return [...defaults];
  const disabled = new Set((custom.disabled ?? []).map((p) => p.name));
  const enabled = custom.enabled ?? [];
  const replaced = new Set<number>();
  const out: PluginRef[] = [];
  if (!disabled.has('*')) {
    for (const d of defaults) {
      if (disabled.has(d.name)) continue;
      const at = enabled.findIndex((p) => p.name === d.name);
      if (at >= 0) replaced.add(at);
      out.push(at >= 0 ? enabled[at]! : d);
    }
  }
  enabled.forEach((p, i) => {
    if (!replaced.has(i)) out.push(p);
  });
  return out;
}

function known(name: string, where: string) {
  const plugin = Object.hasOwn(PLUGINS, name) ? PLUGINS[name] : undefined;
  if (!plugin) throw new ConfigurationError(`${where}: plugin "${name}" does not exist`);
  return plugin;
}

/** The plugins enabled at `point`, with their weights, as kube-scheduler's expandMultiPointPlugins orders them. */
function atPoint(point: ExtensionPoint, multiPoint: PluginRef[], plugins: PluginsConfig, where: string): PluginRef[] {
  const set = plugins[point] ?? {};
  const specific = set.enabled ?? [];
  const disabled = new Set((set.disabled ?? []).map((p) => p.name));
  for (const p of specific) {
    if (!known(p.name, `${where}.plugins.${point}`).points.includes(point)) throw new ConfigurationError(`${where}.plugins.${point}: plugin "${p.name}" does not extend ${point} plugin`);
  }
  const specificNames = specific.map((p) => p.name);
  const overrides = new Set<string>();
  const fromMultiPoint: PluginRef[] = [];
  if (!disabled.has('*')) {
    for (const p of multiPoint) {
      if (!known(p.name, `${where}.plugins.multiPoint`).points.includes(point) || disabled.has(p.name)) continue;
      if (specificNames.includes(p.name)) overrides.add(p.name);
      else if (fromMultiPoint.some((q) => q.name === p.name)) throw new ConfigurationError(`${where}.plugins.multiPoint: plugin "${p.name}" already registered as "${point}"`);
      else fromMultiPoint.push(p);
    }
  }
  return [...specific.filter((p) => overrides.has(p.name)), ...fromMultiPoint, ...specific.filter((p) => !overrides.has(p.name))];
}

/** The args kubette reads, by plugin; any other is said to be ignored. */
const READ_ARGS: Record<string, string[]> = {
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
function spreadDefaults(args: Record<string, unknown> | undefined, where: string, selectors: SelectorSources): SpreadDefaults | undefined {
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
function addedAffinity(args: Record<string, unknown> | undefined, where: string): NodeAffinity | undefined {
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
function ignoredResources(args: Record<string, unknown> | undefined, where: string): { resources: string[]; groups: string[] } | undefined {
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
function candidateCounts(args: Record<string, unknown> | undefined, where: string): CandidateCounts {
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
function hardPodAffinityWeight(args: Record<string, unknown> | undefined, where: string): number | undefined {
  const w = args?.hardPodAffinityWeight;
  if (w === undefined || w === null) return undefined;
  if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 100) throw new ConfigurationError(`${where}.hardPodAffinityWeight: Invalid value: ${String(w)}: not in valid range [0, 100]`);
  return w;
}

/** NodeResourcesFit's scoring strategy from its args, checked as Kubernetes checks them. */
function scoringStrategy(args: Record<string, unknown> | undefined, where: string): ScoringStrategy | undefined {
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

/**
 * The profiles of a configuration, with their plugins made. Returns, beside them, what the
 * configuration asks that kubette does not do (plugins and args it has no code for), to be said
 * when the scheduler starts. Throws ConfigurationError for what kube-scheduler would refuse.
 */
export function buildProfiles(config: KubeSchedulerConfiguration, sources: PluginSources): { profiles: Profile[]; unsupported: string[] } {
  const unsupported = new Set<string>();
  const profiles = config.profiles.map((p, i) => buildProfile(p, `profiles[${i}]`, config, sources, unsupported));
  return { profiles, unsupported: [...unsupported] };
}

function buildProfile(p: ProfileConfig, where: string, config: KubeSchedulerConfiguration, sources: PluginSources, unsupported: Set<string>): Profile {
  const plugins = p.plugins ?? {};
  const multiPoint = mergeSet(DEFAULT_PLUGINS, plugins.multiPoint);
  const enabled = Object.fromEntries(EXTENSION_POINTS.map((e) => [e, atPoint(e, multiPoint, plugins, where)])) as Record<ExtensionPoint, PluginRef[]>;
  if (!enabled.queueSort.length) throw new ConfigurationError(`${where}: no queue sort plugin is enabled`);
  if (enabled.queueSort.length > 1) throw new ConfigurationError(`${where}: only one queue sort plugin can be enabled`);
  if (!enabled.bind.length) throw new ConfigurationError(`${where}: at least one bind plugin is needed`);

  const args = new Map((p.pluginConfig ?? []).map((c: PluginConfig) => [c.name, c.args]));
  for (const [name, a] of args) {
    known(name, `${where}.pluginConfig`);
    if (!a) continue;
    const kept = ['apiVersion', 'kind', ...(Object.hasOwn(READ_ARGS, name) ? READ_ARGS[name]! : [])];
    for (const k of Object.keys(a)) if (!kept.includes(k)) unsupported.add(`${name} args: ${k}`);
  }
  const ctx: PluginContext = {
    volumes: sources.volumes,
    scoring: scoringStrategy(args.get('NodeResourcesFit'), `${where}.pluginConfig[NodeResourcesFit]`),
    ignoredResources: ignoredResources(args.get('NodeResourcesFit'), `${where}.pluginConfig[NodeResourcesFit]`),
    spreadDefaults: spreadDefaults(args.get('PodTopologySpread'), `${where}.pluginConfig[PodTopologySpread]`, sources.selectors),
    addedAffinity: addedAffinity(args.get('NodeAffinity'), `${where}.pluginConfig[NodeAffinity]`),
    hardPodAffinityWeight: hardPodAffinityWeight(args.get('InterPodAffinity'), `${where}.pluginConfig[InterPodAffinity]`),
  };
  for (const point of EXTENSION_POINTS) for (const ref of enabled[point]) if (PLUGINS[ref.name]!.missing) unsupported.add(`plugin ${ref.name}`);

  const filters = [ALWAYS_FIRST_FILTER, ...enabled.filter.flatMap((ref) => PLUGINS[ref.name]!.filter?.(ctx) ?? [])];
  const scores = enabled.score.flatMap((ref) => (PLUGINS[ref.name]!.score?.(ctx) ?? []).map((s) => ({ ...s, weight: ref.weight || 1 })));
  return {
    schedulerName: p.schedulerName,
    filters,
    scores,
    preemption: enabled.postFilter.some((ref) => ref.name === 'DefaultPreemption'),
    candidateCounts: candidateCounts(args.get('DefaultPreemption'), `${where}.pluginConfig[DefaultPreemption]`),
    gates: enabled.preEnqueue.some((ref) => ref.name === 'SchedulingGates'),
    percentageOfNodesToScore: p.percentageOfNodesToScore ?? config.percentageOfNodesToScore,
  };
}

// Scheduling profiles: for each schedulerName a configuration names, the plugins that run at
// each extension point, decided as kube-scheduler decides them. Kubernetes' defaults are the
// multiPoint set; a profile's own sets are merged into them (a plugin disabled by name or with
// "*" leaves, one enabled again with a weight replaces the default in place, others are added
// at the end); then each extension point takes the multiPoint plugins that implement it unless
// disabled there, those the point itself re-enables first, in their order.
import type { FilterPlugin, ScorePlugin } from './framework.js';
import { ConfigurationError, type KubeSchedulerConfiguration, type PluginConfig, type PluginRef, type PluginSet, type PluginsConfig, type ProfileConfig } from './configuration.js';
import { ALWAYS_FIRST_FILTER, DEFAULT_PLUGINS, EXTENSION_POINTS, PLUGINS, type ExtensionPoint, type PluginContext } from './plugins/index.js';
import { NO_VOLUMES, type VolumeLookup } from './plugins/volume-binding.js';
import type { SelectorSources } from './default-selector.js';
import type { CandidateCounts } from './preemption.js';
import { addedAffinity, candidateCounts, hardPodAffinityWeight, ignoredResources, READ_ARGS, scoringStrategy, spreadDefaults } from './plugin-args.js';

/** What plugins read of the cluster beyond nodes and pods: claims and volumes, and what selects pods. */
export interface PluginSources {
  volumes: VolumeLookup;
  selectors: SelectorSources;
}

/** Sources that know of nothing: for checking a configuration before the scheduler runs. */
export const NO_SOURCES: PluginSources = {
  volumes: NO_VOLUMES,
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

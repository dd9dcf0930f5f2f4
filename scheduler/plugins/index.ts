// The plugins by their Kubernetes names: the extension points each has in Kubernetes (what
// enabling it through multiPoint turns on), what kubette runs for it at each point, and
// Kubernetes' default set (kubescheduler.config.k8s.io/v1's multiPoint defaults), in order.
import type { FilterPlugin, ScorePlugin } from '../framework.js';
import { balancedAllocation } from './balanced-allocation.js';
import { nodeAffinityFilter, preferredNodeAffinityScore, type NodeAffinity } from './node-affinity.js';
import { nodePorts } from './node-ports.js';
import { nodeReady } from './node-ready.js';
import { leastAllocated, nodeResourcesFit, nodeResourcesFitFilter, resourceAllocation, type ScoringStrategy } from './node-resources-fit.js';
import { nodeUnschedulable } from './node-unschedulable.js';
import { interPodAffinity, interPodAffinityScoring } from './inter-pod-affinity.js';
import { podTopologySpread, podTopologySpreadFilter, podTopologySpreadScoring, type SpreadDefaults } from './topology-spread.js';
import { preferNoScheduleTaints, taintToleration } from './taint-toleration.js';
import { NO_VOLUMES, volumeBinding, type VolumeLookup } from './volume-binding.js';
import { volumeRestrictions } from './volume-restrictions.js';
import { volumeZone } from './volume-zone.js';
import { imageLocality } from './image-locality.js';

export const EXTENSION_POINTS = ['preEnqueue', 'queueSort', 'preFilter', 'filter', 'postFilter', 'preScore', 'score', 'reserve', 'permit', 'preBind', 'bind', 'postBind'] as const;
export type ExtensionPoint = (typeof EXTENSION_POINTS)[number];

/** What a plugin's factories may need: the scheduler's views of volumes, and the plugin's args as configured. */
export interface PluginContext {
  volumes: VolumeLookup;
  /** NodeResourcesFit's scoring strategy. */
  scoring?: ScoringStrategy;
  /** NodeResourcesFit's ignoredResources and ignoredResourceGroups: extended resources its filter leaves out. */
  ignoredResources?: { resources: string[]; groups: string[] };
  /** PodTopologySpread's defaults for pods without constraints (none: no default spreading). */
  spreadDefaults?: SpreadDefaults;
  /** NodeAffinity's addedAffinity: node affinity every pod of the profile also has. */
  addedAffinity?: NodeAffinity;
  /** InterPodAffinity's hardPodAffinityWeight. */
  hardPodAffinityWeight?: number;
}

export interface RegisteredPlugin {
  /** Its extension points in Kubernetes. */
  points: readonly ExtensionPoint[];
  /** What runs at the filter point (with its preFilter). */
  filter?: (ctx: PluginContext) => FilterPlugin;
  /** What runs at the score point (with its preScore); each takes the configured weight. */
  score?: (ctx: PluginContext) => ScorePlugin[];
  /**
   * Known to Kubernetes, not run by kubette: enabling it changes nothing here (said at start).
   * Plugins kubette has no separate code for because their work is always done (PrioritySort's
   * queue order, DefaultBinder's binding, SchedulingGates, NodeName) are not listed so.
   */
  missing?: true;
}

export const PLUGINS: Readonly<Record<string, RegisteredPlugin>> = {
  SchedulingGates: { points: ['preEnqueue'] },
  PrioritySort: { points: ['queueSort'] },
  NodeUnschedulable: { points: ['filter'], filter: () => nodeUnschedulable },
  // Pods that name their node never reach the scheduler.
  NodeName: { points: ['filter'] },
  TaintToleration: { points: ['filter', 'preScore', 'score'], filter: () => taintToleration, score: () => [preferNoScheduleTaints] },
  NodeAffinity: { points: ['preFilter', 'filter', 'preScore', 'score'], filter: (c) => nodeAffinityFilter(c.addedAffinity), score: (c) => [preferredNodeAffinityScore(c.addedAffinity)] },
  NodePorts: { points: ['preFilter', 'filter'], filter: () => nodePorts },
  NodeResourcesFit: { points: ['preFilter', 'filter', 'preScore', 'score'], filter: (c) => (c.ignoredResources ? nodeResourcesFitFilter(c.ignoredResources) : nodeResourcesFit), score: (c) => [c.scoring ? resourceAllocation(c.scoring) : leastAllocated] },
  VolumeRestrictions: { points: ['preFilter', 'filter'], filter: (c) => volumeRestrictions(c.volumes) },
  NodeVolumeLimits: { points: ['preFilter', 'filter'], missing: true },
  VolumeBinding: { points: ['preFilter', 'filter', 'reserve', 'preBind', 'preScore', 'score'], filter: (c) => volumeBinding(c.volumes) },
  VolumeZone: { points: ['preFilter', 'filter', 'preScore', 'score'], filter: (c) => volumeZone(c.volumes) },
  PodTopologySpread: { points: ['preFilter', 'filter', 'preScore', 'score'], filter: (c) => podTopologySpreadFilter(c.spreadDefaults), score: (c) => [podTopologySpreadScoring(c.spreadDefaults)] },
  InterPodAffinity: { points: ['preFilter', 'filter', 'preScore', 'score'], filter: () => interPodAffinity, score: (c) => [interPodAffinityScoring(c.hardPodAffinityWeight)] },
  DefaultPreemption: { points: ['postFilter'] },
  NodeResourcesBalancedAllocation: { points: ['preScore', 'score'], score: () => [balancedAllocation] },
  ImageLocality: { points: ['score'], score: () => [imageLocality] },
  DefaultBinder: { points: ['bind'] },
};

/** Kubernetes' default plugins (multiPoint), in its order, with their score weights. */
export const DEFAULT_PLUGINS: readonly { name: string; weight?: number }[] = [
  { name: 'SchedulingGates' },
  { name: 'PrioritySort' },
  { name: 'NodeUnschedulable' },
  { name: 'NodeName' },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodePorts' },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'VolumeRestrictions' },
  { name: 'NodeVolumeLimits' },
  { name: 'VolumeBinding' },
  { name: 'VolumeZone' },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'DefaultPreemption' },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'ImageLocality', weight: 1 },
  { name: 'DefaultBinder' },
];

/** Not a Kubernetes plugin: Kubernetes keeps pods off not-ready nodes by their taints, which kubette's nodes may lack. Always first. */
export const ALWAYS_FIRST_FILTER = nodeReady;


/** The default profile's filters (volume binding aside, which needs the scheduler's volumes) and scores, for tests of the framework. */
export const defaultFilters: FilterPlugin[] = [nodeReady, nodeUnschedulable, taintToleration, nodeAffinityFilter(), nodePorts, nodeResourcesFit, podTopologySpread, interPodAffinity];
export const defaultScores: ScorePlugin[] = DEFAULT_PLUGINS.flatMap((p) => (PLUGINS[p.name]!.score?.({ volumes: NO_VOLUMES }) ?? []).map((s) => ({ ...s, weight: p.weight ?? 1 })));

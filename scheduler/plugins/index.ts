// The default plugin set, in the order filters run.
import type { FilterPlugin, ScorePlugin } from '../framework.js';
import { balancedAllocation } from './balanced-allocation.js';
import { nodeAffinity, preferredNodeAffinity } from './node-affinity.js';
import { nodePorts } from './node-ports.js';
import { nodeReady } from './node-ready.js';
import { leastAllocated, nodeResourcesFit } from './node-resources-fit.js';
import { nodeUnschedulable } from './node-unschedulable.js';
import { interPodAffinity, interPodAffinityScore } from './inter-pod-affinity.js';
import { ownerSpread } from './spread.js';
import { podTopologySpread, podTopologySpreadScore } from './topology-spread.js';
import { preferNoScheduleTaints, taintToleration } from './taint-toleration.js';

export const defaultFilters: FilterPlugin[] = [nodeReady, nodeUnschedulable, nodeAffinity, taintToleration, nodePorts, nodeResourcesFit, podTopologySpread, interPodAffinity];
export const defaultScores: ScorePlugin[] = [leastAllocated, balancedAllocation, ownerSpread, podTopologySpreadScore, interPodAffinityScore, preferredNodeAffinity, preferNoScheduleTaints];

// Required inter-pod affinity and anti-affinity (kube-scheduler's InterPodAffinity filter):
// the pod goes only into topology domains holding pods its affinity terms select, never into
// one holding pods its anti-affinity terms select, nor into one whose pods' anti-affinity
// terms select it. The domains are counted once per pod (preFilter), so filtering a node is a
// few label lookups, however many pods run; the counts let preemption take pods away. The
// preferred terms, and existing pods' terms about this pod, make a score.
import { matches, selectorOrNothing } from '../../api/labels.js';
import type { Pod, PodAffinityTerm } from '../../api/types/pod.js';
import { ok, SKIP, unresolvable, unschedulable, type CycleState, type FilterPlugin, type ScorePlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';

function requiredAntiAffinity(pod: Pod): PodAffinityTerm[] {
  return pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
}

function requiredAffinity(pod: Pod): PodAffinityTerm[] {
  return pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
}

type WeightedTerm = { weight: number; podAffinityTerm: PodAffinityTerm };

function preferredAffinity(pod: Pod): WeightedTerm[] {
  return pod.spec?.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
}

function preferredAntiAffinity(pod: Pod): WeightedTerm[] {
  return pod.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
}

function termSelects(term: PodAffinityTerm, owner: Pod, candidate: Pod): boolean {
  const namespaces = term.namespaces?.length ? term.namespaces : [owner.metadata.namespace!];
  if (!term.namespaceSelector && !namespaces.includes(candidate.metadata.namespace!)) return false;
  return matches(selectorOrNothing(term.labelSelector), candidate.metadata.labels);
}

/** One of the pod's terms, with how many selected pods each of its topology domains holds. */
interface CountedTerm {
  term: PodAffinityTerm;
  counts: Map<string, number>;
}

interface InterPodState {
  affinity: CountedTerm[];
  antiAffinity: CountedTerm[];
  /** Domains (topology key -> value -> pods) holding existing pods whose anti-affinity selects this pod. */
  existing: Map<string, Map<string, number>>;
  /** The pod selects itself with every affinity term: the first of its group may start a domain. */
  selectsItself: boolean;
}

const NAME = 'InterPodAffinity';

function bump(counts: Map<string, number>, value: string, delta: number): void {
  const n = (counts.get(value) ?? 0) + delta;
  if (n > 0) counts.set(value, n);
  else counts.delete(value);
}

function tally(t: CountedTerm, pod: Pod, existing: Pod, labels: Record<string, string>, delta: number): void {
  const value = labels[t.term.topologyKey];
  if (value !== undefined && termSelects(t.term, pod, existing)) bump(t.counts, value, delta);
}

/**
 * Counts (delta 1) or uncounts (-1) `existing`, on a node with `labels`: for the pod's own
 * terms (`own`), and for its own anti-affinity terms against the pod (`theirs`).
 */
function count(s: InterPodState, pod: Pod, existing: Pod, labels: Record<string, string>, delta: number, own: boolean, theirs: boolean): void {
  if (existing.metadata.uid === pod.metadata.uid) return;
  if (own) {
    for (const t of s.affinity) tally(t, pod, existing, labels, delta);
    for (const t of s.antiAffinity) tally(t, pod, existing, labels, delta);
  }
  if (!theirs) return;
  for (const term of requiredAntiAffinity(existing)) {
    const value = labels[term.topologyKey];
    if (value === undefined || !termSelects(term, existing, pod)) continue;
    const counts = s.existing.get(term.topologyKey) ?? s.existing.set(term.topologyKey, new Map()).get(term.topologyKey)!;
    bump(counts, value, delta);
  }
}

/** Brings the pod's counts up to date as if `p` joined (1) or left (-1) node `n`. */
function adjust(state: CycleState, p: Pod, n: NodeInfo, delta: number): void {
  const s = state.data.get(NAME) as InterPodState | undefined;
  if (s) count(s, state.pod, p, n.node.metadata.labels ?? {}, delta, true, true);
}

const holds = (counts: Map<string, number> | undefined, value: string | undefined) => value !== undefined && (counts?.get(value) ?? 0) > 0;

/** Every affinity term's topology on the node, with a selected pod in it; or no selected pod anywhere and the pod selects itself. */
function affinitySatisfied(s: InterPodState, labels: Record<string, string>): boolean {
  let podsThere = true;
  for (const { term, counts } of s.affinity) {
    const value = labels[term.topologyKey];
    if (value === undefined) return false;
    if (!holds(counts, value)) podsThere = false;
  }
  return podsThere || (s.selectsItself && s.affinity.every((t) => t.counts.size === 0));
}

export const interPodAffinity: FilterPlugin = {
  name: NAME,
  preFilter(state) {
    const pod = state.pod;
    const counted = (term: PodAffinityTerm): CountedTerm => ({ term, counts: new Map() });
    const affinity = requiredAffinity(pod);
    const s: InterPodState = {
      affinity: affinity.map(counted),
      antiAffinity: requiredAntiAffinity(pod).map(counted),
      existing: new Map(),
      selectsItself: affinity.every((term) => termSelects(term, pod, pod)),
    };
    // The pod's own terms look at every pod on every node.
    if (s.affinity.length || s.antiAffinity.length) {
      for (const n of state.allNodes) {
        const labels = n.node.metadata.labels ?? {};
        for (const existing of n.pods) count(s, pod, existing, labels, 1, true, false);
      }
    }
    // Existing pods' anti-affinity: only the (few) nodes holding pods that have any.
    for (const n of state.affinityNodes ?? state.allNodes) {
      const labels = n.node.metadata.labels ?? {};
      for (const existing of n.affinityPods) count(s, pod, existing, labels, 1, false, true);
    }
    // Nothing asked nor forbidden: the filter has nothing to check on any node.
    if (!s.affinity.length && !s.antiAffinity.length && !s.existing.size) return SKIP;
    state.data.set(NAME, s);
  },
  filter(state, n) {
    const s = state.data.get(NAME) as InterPodState | undefined;
    if (!s) return ok;
    const labels = n.node.metadata.labels ?? {};
    // Taking pods away cannot bring the pods affinity asks for: preemption does not try.
    if (s.affinity.length && !affinitySatisfied(s, labels)) return unresolvable("node(s) didn't match pod affinity rules");
    for (const { term, counts } of s.antiAffinity) {
      if (holds(counts, labels[term.topologyKey])) return unschedulable("node(s) didn't match pod anti-affinity rules");
    }
    for (const [key, counts] of s.existing) {
      if (holds(counts, labels[key])) return unschedulable("node(s) didn't satisfy existing pods anti-affinity rules");
    }
    return ok;
  },
  removePod: (state, p, n) => adjust(state, p, n, -1),
  addPod: (state, p, n) => adjust(state, p, n, 1),
};

/** What an existing pod's required affinity term that selects the pod is worth (kube-scheduler's hardPodAffinityWeight default). */
const SCORE_STATE = `PreScore${NAME}`;

/** Topology key -> value -> the sum of the weights of the terms drawing the pod there (or, negative, keeping it away). */
type TopologyScores = Map<string, Map<string, number>>;

/**
 * Preferred inter-pod affinity and anti-affinity, both ways, as kube-scheduler scores them:
 * each of the pod's preferred terms that selects an existing pod adds (affinity) or takes
 * (anti-affinity) its weight to the existing pod's topology domain; each existing pod's
 * preferred term that selects the pod does the same, and its required affinity terms add
 * `hardPodAffinityWeight` (InterPodAffinityArgs; 1 by default, 0 leaves them out). Nodes are
 * scored by their domains' sums, scaled so the lowest scores 0 and the highest 100.
 */
export function interPodAffinityScoring(hardPodAffinityWeight = 1): ScorePlugin {
  return {
  name: NAME,
  weight: 2,
  preScore(state) {
    const pod = state.pod;
    const ownAffinity = preferredAffinity(pod);
    const ownAnti = preferredAntiAffinity(pod);
    const hasOwn = ownAffinity.length > 0 || ownAnti.length > 0;
    const scores: TopologyScores = new Map();
    const add = (term: PodAffinityTerm, owner: Pod, candidate: Pod, labels: Record<string, string>, weight: number) => {
      const value = labels[term.topologyKey];
      if (value === undefined || !weight || !termSelects(term, owner, candidate)) return;
      const byValue = scores.get(term.topologyKey) ?? scores.set(term.topologyKey, new Map()).get(term.topologyKey)!;
      byValue.set(value, (byValue.get(value) ?? 0) + weight);
    };
    // Without terms of its own, only pods with terms (on the nodes holding them) can score it.
    for (const n of hasOwn ? state.allNodes : (state.affinityNodes ?? state.allNodes)) {
      const labels = n.node.metadata.labels ?? {};
      for (const existing of hasOwn ? n.pods : n.affinityPods) {
        if (existing.metadata.uid === pod.metadata.uid) continue;
        for (const t of ownAffinity) add(t.podAffinityTerm, pod, existing, labels, t.weight);
        for (const t of ownAnti) add(t.podAffinityTerm, pod, existing, labels, -t.weight);
        for (const term of requiredAffinity(existing)) add(term, existing, pod, labels, hardPodAffinityWeight);
        for (const t of preferredAffinity(existing)) add(t.podAffinityTerm, existing, pod, labels, t.weight);
        for (const t of preferredAntiAffinity(existing)) add(t.podAffinityTerm, existing, pod, labels, -t.weight);
      }
    }
    if (!scores.size) return SKIP;
    state.data.set(SCORE_STATE, scores);
  },
  score(state, n) {
    const scores = state.data.get(SCORE_STATE) as TopologyScores | undefined;
    if (!scores) return 0;
    const labels = n.node.metadata.labels ?? {};
    let score = 0;
    for (const [key, byValue] of scores) {
      const value = labels[key];
      if (value !== undefined) score += byValue.get(value) ?? 0;
    }
    return score;
  },
  normalize(scores) {
    const min = Math.min(...scores);
    const spread = Math.max(...scores) - min;
    return scores.map((s) => (spread > 0 ? Math.trunc((100 * (s - min)) / spread) : 0));
  },
  };
}

export const interPodAffinityScore: ScorePlugin = interPodAffinityScoring();

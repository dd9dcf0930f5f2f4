// Preemption, as kube-scheduler's DefaultPreemption plugin does it after a pod fits nowhere:
// on each node where it could help, take away the pods of lower priority, and if the pod then
// fits, give back as many of them as still leave it room (those whose PodDisruptionBudget
// would be broken first, then the rest, most important first). What is left are the victims.
// Of the nodes with victims, the best is the one that breaks the fewest budgets, then whose
// most important victim matters least, then the least priority in all, the fewest victims and
// the most recently started. This module decides; the scheduler carries it out (marks and
// deletes the victims, nominates the pod to the node).
import { matches, selectorOrNothing } from '../api/labels.js';
import type { Pod } from '../api/types/pod.js';
import type { PodDisruptionBudget } from '../api/types/policy.js';
import { firstRefusal, noNodeMessage, podJoins, podLeaves, withNominatedPods, type FilterCycle } from './framework.js';
import { addPod, newNodeInfo, podPriority, removePod, type NodeInfo } from './node-info.js';

/** The condition a victim carries before it is deleted (Kubernetes' wording). */
export const PREEMPTION_REASON = 'PreemptionByScheduler';

export interface Candidate {
  node: string;
  /** Most important first. */
  victims: Pod[];
  /** Victims whose eviction breaks a PodDisruptionBudget. */
  pdbViolations: number;
}

export type PreemptionOutcome = { candidate: Candidate } | { message: string; clearNomination: boolean };

export interface PreemptionInput {
  cycle: FilterCycle;
  nodes: NodeInfo[];
  /** Nodes a filter refused as UnschedulableAndUnresolvable: removing pods cannot help there. */
  unresolvable: ReadonlySet<string>;
  pdbs: readonly PodDisruptionBudget[];
  /** The node the pod is already nominated to, if any. */
  nominatedNode?: NodeInfo;
  /** Whether a pod is going away because of an earlier preemption. */
  terminatingByPreemption: (pod: Pod) => boolean;
  /** Where the search starts (rotates, as the scheduling search does). */
  offset: number;
  /** The profile's DefaultPreemptionArgs (Kubernetes' defaults when unset). */
  candidateCounts?: CandidateCounts;
}

const NO_VICTIMS = 'No preemption victims found for incoming pod';
const NOT_HELPFUL = 'Preemption is not helpful for scheduling';

/**
 * Why the pod may not preempt now, or undefined if it may: its policy says Never, or victims
 * of its earlier preemption are still leaving the node it waits for.
 */
export function notEligible(pod: Pod, nominatedNode: NodeInfo | undefined, nominatedUnresolvable: boolean, terminatingByPreemption: (p: Pod) => boolean): string | undefined {
  if (pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
  if (!nominatedNode || nominatedUnresolvable) return undefined;
  const priority = podPriority(pod);
  if (nominatedNode.pods.some((p) => podPriority(p) < priority && terminatingByPreemption(p))) return 'not eligible due to a terminating pod on the nominated node.';
  return undefined;
}

const startTimeOf = (pod: Pod, now: number) => {
  const t = pod.status?.startTime ? Date.parse(pod.status.startTime) : NaN;
  return Number.isNaN(t) ? now : t;
};

/** Higher priority first; among equals, the one started earlier (kube-scheduler's MoreImportantPod). */
function moreImportantFirst(now: number): (a: Pod, b: Pod) => number {
  return (a, b) => podPriority(b) - podPriority(a) || startTimeOf(a, now) - startTimeOf(b, now);
}

/**
 * Splits pods (in order) into those whose eviction would break a budget and the rest. Each
 * budget covering a pod (same namespace, a non-empty selector that selects it, and the pod
 * not already counted as disrupted) allows its disruptionsAllowed evictions, in order.
 */
export function splitByBudgets(pods: Pod[], pdbs: readonly PodDisruptionBudget[]): [violating: Pod[], other: Pod[]] {
  const allowed = pdbs.map((b) => b.status?.disruptionsAllowed ?? 0);
  const violating: Pod[] = [];
  const other: Pod[] = [];
  for (const pod of pods) {
    let breaks = false;
    pdbs.forEach((pdb, i) => {
      if (pdb.metadata.namespace !== pod.metadata.namespace) return;
      const selector = pdb.spec?.selector;
      // A budget with no selector, or an empty one, covers nothing here (as in kube-scheduler).
      if (!selector || (!Object.keys(selector.matchLabels ?? {}).length && !(selector.matchExpressions ?? []).length)) return;
      if (!matches(selectorOrNothing(selector), pod.metadata.labels) || pdb.status?.disruptedPods?.[pod.metadata.name!] !== undefined) return;
      if (--allowed[i]! < 0) breaks = true;
    });
    (breaks ? violating : other).push(pod);
  }
  return [violating, other];
}

type NodeVerdict = { candidate: Candidate } | { reasons: string[] };

/**
 * The fewest pods of lower priority whose removal lets the pod fit on `n`, or why there are
 * none. The filters see the what-if too (a lower pod the pod's anti-affinity refuses, or whose
 * own anti-affinity refuses the pod, stops counting once taken away); their state is as it was
 * when this returns.
 */
export function selectVictims(cycle: FilterCycle, n: NodeInfo, pdbs: readonly PodDisruptionBudget[], now = Date.now()): NodeVerdict {
  const priority = podPriority(cycle.state.pod);
  const lower = n.pods.filter((p) => podPriority(p) < priority);
  if (!lower.length) return { reasons: [NO_VICTIMS] };
  const view = withNominatedPods(cycle, newNodeInfo(n.node, n.pods.filter((p) => podPriority(p) >= priority)));
  for (const p of lower) podLeaves(cycle, p, n);
  const away = new Set(lower);
  try {
    const refused = firstRefusal(cycle, view);
    if (refused) return { reasons: refused.result.reasons };
    const order = moreImportantFirst(now);
    lower.sort(order);
    const [violating, other] = splitByBudgets(lower, pdbs);
    const victims: Pod[] = [];
    // Give a pod back; if the pod no longer fits, take it again: it is a victim.
    const reprieve = (p: Pod) => {
      addPod(view, p);
      podJoins(cycle, p, view);
      away.delete(p);
      if (!firstRefusal(cycle, view)) return true;
      removePod(view, p);
      podLeaves(cycle, p, view);
      away.add(p);
      victims.push(p);
      return false;
    };
    let pdbViolations = 0;
    for (const p of violating) if (!reprieve(p)) pdbViolations++;
    for (const p of other) reprieve(p);
    if (!victims.length) return { reasons: [NO_VICTIMS] };
    if (violating.length && other.length) victims.sort(order);
    return { candidate: { node: n.node.metadata.name!, victims, pdbViolations } };
  } finally {
    for (const p of away) podJoins(cycle, p, n);
  }
}

/** DefaultPreemptionArgs: how many candidate nodes to find before choosing. */
export interface CandidateCounts {
  minCandidateNodesPercentage: number;
  minCandidateNodesAbsolute: number;
}

/** Kubernetes' defaults: 10% of the nodes, at least 100. */
export const DEFAULT_CANDIDATE_COUNTS: CandidateCounts = { minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 100 };

/** How many candidates to look for before choosing: the share of the nodes, at least the absolute count, at most every node. */
export function candidatesToFind(nodes: number, counts: CandidateCounts = DEFAULT_CANDIDATE_COUNTS): number {
  return Math.min(nodes, Math.max(counts.minCandidateNodesAbsolute, Math.floor((nodes * counts.minCandidateNodesPercentage) / 100)));
}

/** Picks the node whose preemption costs least, by kube-scheduler's criteria in order; ties go to the first name. */
export function pickCandidate(candidates: Candidate[], now = Date.now()): Candidate {
  const priorityOf = (c: Candidate) => podPriority(c.victims[0]!);
  // Priorities may be negative: each counts from the lowest possible one, so more victims never weigh less.
  const sumOf = (c: Candidate) => c.victims.reduce((s, p) => s + podPriority(p) + 2 ** 31, 0);
  // Among the most important victims, the earliest start: the later it is, the less work is lost.
  const earliestStartOf = (c: Candidate) => {
    const top = priorityOf(c);
    return Math.min(...c.victims.filter((p) => podPriority(p) === top).map((p) => startTimeOf(p, now)));
  };
  const criteria: Array<(c: Candidate) => number> = [(c) => -c.pdbViolations, (c) => -priorityOf(c), (c) => -sumOf(c), (c) => -c.victims.length, earliestStartOf];
  let best = [...candidates].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  for (const score of criteria) {
    if (best.length === 1) break;
    const top = Math.max(...best.map(score));
    best = best.filter((c) => score(c) === top);
  }
  return best[0]!;
}

/** The whole PostFilter: whether and where the pod can preempt, and whom. */
export function preempt(input: PreemptionInput, now = Date.now()): PreemptionOutcome {
  const { cycle, nodes } = input;
  const pod = cycle.state.pod;
  const nominatedName = input.nominatedNode?.node.metadata.name;
  const why = notEligible(pod, input.nominatedNode, nominatedName !== undefined && input.unresolvable.has(nominatedName), input.terminatingByPreemption);
  if (why) return { message: why, clearNomination: false };
  const reasons = new Map<string, number>();
  const count = (r: string) => reasons.set(r, (reasons.get(r) ?? 0) + 1);
  const potential = nodes.filter((n) => {
    if (!input.unresolvable.has(n.node.metadata.name!)) return true;
    count(NOT_HELPFUL);
    return false;
  });
  const wanted = candidatesToFind(potential.length, input.candidateCounts);
  const candidates: Candidate[] = [];
  let withoutViolations = 0;
  for (let i = 0; i < potential.length; i++) {
    const verdict = selectVictims(cycle, potential[(input.offset + i) % potential.length]!, input.pdbs, now);
    if ('reasons' in verdict) {
      for (const r of verdict.reasons) count(r);
      continue;
    }
    candidates.push(verdict.candidate);
    if (verdict.candidate.pdbViolations === 0) withoutViolations++;
    if (withoutViolations > 0 && candidates.length >= wanted) break;
  }
  if (!candidates.length) return { message: noNodeMessage(nodes.length, reasons), clearNomination: true };
  return { candidate: pickCandidate(candidates, now) };
}

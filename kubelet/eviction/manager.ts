// Node-pressure eviction, as Kubernetes' kubelet does it. Every monitoring period the node's
// signals are observed and compared with the thresholds: a hard threshold is met at once, a soft
// one once it has held for its grace period, and a met threshold stays met until its minimum
// reclaim is free again. Each met threshold raises its node condition (MemoryPressure,
// DiskPressure, PIDPressure), which stays for the pressure transition period after the last
// sighting, so a node does not flap. While a condition holds, new pods are refused (BestEffort
// ones under memory pressure alone, unless they tolerate its taint; every pod under any other),
// critical pods aside. While a threshold is met, one pod is evicted per period, ranked for the
// starved resource (ranking.ts); the manager waits for it to stop before looking again. Pods
// over their own local storage limits (an emptyDir's sizeLimit, ephemeral-storage limits) are
// evicted whatever the node's state.
import type { Logger } from 'pino';
import { sleep } from '../../client/sleep.js';
import { podResourceTotals } from '../../api/pod-resources.js';
import { canonicalQuantity } from '../../api/quantity-canonical.js';
import { parseQuantity } from '../../api/quantity.js';
import { toleratesAll } from '../../api/tolerations.js';
import type { Pod } from '../../api/types/pod.js';
import type { Observations } from './observations.js';
import { evictionMessage, rankForEviction, type PodUsage } from './ranking.js';
import type { Measure } from './pod-usage.js';
import { formatAmount, isHard, SIGNALS, thresholdQuantity, thresholdQuantityText, type PressureCondition, type Threshold } from './thresholds.js';

/** Pods at or above this priority (system-cluster-critical and system-node-critical) are never evicted nor refused. */
const CRITICAL_PRIORITY = 2_000_000_000;
/** The grace period of a pod evicted for a hard threshold or its own storage limits. */
const IMMEDIATE_GRACE_SECONDS = 1;
const CLEANUP_TIMEOUT_MS = 30_000;
const CLEANUP_POLL_MS = 1000;
const CONDITION_ORDER: PressureCondition[] = ['MemoryPressure', 'DiskPressure', 'PIDPressure'];

export const REASON_EVICTED = 'Evicted';

/** The pod's QoS class is BestEffort: as the apiserver recorded it, else no container asks for or limits cpu or memory. */
function isBestEffort(pod: Pod): boolean {
  if (pod.status?.qosClass) return pod.status.qosClass === 'BestEffort';
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers].every((c) => {
    const r = c.resources as { requests?: Record<string, string>; limits?: Record<string, string> } | undefined;
    return ['cpu', 'memory'].every((k) => r?.requests?.[k] === undefined && r?.limits?.[k] === undefined);
  });
}

export function isCriticalPod(pod: Pod): boolean {
  return (typeof pod.spec.priority === 'number' && pod.spec.priority >= CRITICAL_PRIORITY) || !!pod.metadata.annotations?.['kubernetes.io/config.mirror'];
}

export interface EvictionSettings {
  thresholds: Threshold[];
  /** How long a pressure condition stays after its threshold was last met. */
  pressureTransitionMs: number;
  /** For soft thresholds: the most grace an evicted pod gets (0: its own). */
  maxPodGraceSeconds: number;
  monitoringMs: number;
}

export interface Eviction {
  graceSeconds: number;
  message: string;
  /** Whether the pod is marked with a DisruptionTarget condition (pressure evictions; not storage-limit ones). */
  disruption: boolean;
}

export interface EvictionDeps {
  observe(): Promise<Observations>;
  measure(pods: Pod[], what: Measure): Promise<Map<string, PodUsage>>;
  /** Pods admitted here that have not finished and are not being deleted. */
  activePods(): Pod[];
  /** Stops the pod and fails it with reason Evicted and the message. */
  evict(pod: Pod, eviction: Eviction): Promise<void>;
  /** Whether none of the pod's containers runs any more. */
  stopped(pod: Pod): Promise<boolean>;
  podEvent(pod: Pod, message: string): void;
  nodeEvent(reason: string, message: string): void;
  log: Logger;
  now?: () => number;
}

export class EvictionManager {
  private conditionsNow: PressureCondition[] = [];
  private firstObservedAt = new Map<Threshold, number>();
  private conditionLastObservedAt = new Map<PressureCondition, number>();
  private met: Threshold[] = [];
  /** Pods evicted, by the signal that made it (kubelet_evictions{eviction_signal}). */
  readonly evictions = new Map<string, number>();

  constructor(
    private readonly settings: EvictionSettings,
    private readonly d: EvictionDeps,
  ) {}

  private now(): number {
    return this.d.now?.() ?? Date.now();
  }

  /** The node's pressure conditions now, in a fixed order. */
  conditions(): PressureCondition[] {
    return [...this.conditionsNow];
  }

  /** Why the node refuses `pod` now, or undefined. */
  admit(pod: Pod): { reason: string; message: string } | undefined {
    const conds = this.conditionsNow;
    if (!conds.length || isCriticalPod(pod)) return undefined;
    if (conds.length === 1 && conds[0] === 'MemoryPressure') {
      if (!isBestEffort(pod)) return undefined;
      if (toleratesAll(pod.spec.tolerations, { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' })) return undefined;
    }
    return { reason: REASON_EVICTED, message: `The node had condition: [${conds.join(' ')}]. ` };
  }

  /** Thresholds that `observations` meet; against their minimum reclaim when `withReclaim`. */
  private thresholdsMet(thresholds: Threshold[], observations: Observations, withReclaim: boolean): Threshold[] {
    return thresholds.filter((t) => {
      const o = observations.get(t.signal);
      if (!o) return false;
      let quantity = thresholdQuantity(t.value, o.capacity);
      if (withReclaim && t.minReclaim) quantity += thresholdQuantity(t.minReclaim, o.capacity);
      return quantity > o.available;
    });
  }

  /** One pass: the pods it evicted (none when the node is fine). */
  async synchronize(): Promise<Pod[]> {
    const observations = await this.d.observe();
    const now = this.now();
    const met = this.thresholdsMet(this.settings.thresholds, observations, false);
    for (const t of this.thresholdsMet(this.met, observations, true)) if (!met.includes(t)) met.push(t);

    const firstObservedAt = new Map(met.map((t) => [t, this.firstObservedAt.get(t) ?? now]));
    const lastObservedAt = new Map(this.conditionLastObservedAt);
    for (const t of met) lastObservedAt.set(SIGNALS[t.signal].condition, now);
    const conditions = CONDITION_ORDER.filter((c) => {
      const at = lastObservedAt.get(c);
      return at !== undefined && now - at < this.settings.pressureTransitionMs;
    });
    const actionable = met.filter((t) => now - firstObservedAt.get(t)! >= t.gracePeriodMs);
    if (conditions.join() !== this.conditionsNow.join()) this.d.log.info({ conditions }, 'node pressure conditions changed');
    this.conditionsNow = conditions;
    this.firstObservedAt = firstObservedAt;
    this.conditionLastObservedAt = lastObservedAt;
    this.met = actionable;

    const active = this.d.activePods();
    const overLimits = await this.localStorageEviction(active);
    if (overLimits.length) return overLimits;
    if (!actionable.length) return [];

    // Memory first; then in the order given.
    const target = [...actionable].sort((a, b) => Number(b.signal === 'memory.available') - Number(a.signal === 'memory.available'))[0]!;
    const resource = SIGNALS[target.signal].resource;
    this.d.nodeEvent('EvictionThresholdMet', `Attempting to reclaim ${resource}`);
    if (!active.length) {
      this.d.log.warn({ resource }, 'eviction thresholds met, but no pods are active to evict');
      return [];
    }
    const usage = await this.d.measure(active, { memory: resource === 'memory' || resource === 'pids', disk: resource === 'ephemeral-storage' || resource === 'inodes' });
    const ranked = rankForEviction(active, resource, (p) => usage.get(p.metadata.uid!));
    const shown = actionable.find((t) => SIGNALS[t.signal].resource === resource && observations.has(t.signal));
    const observed = shown ? observations.get(shown.signal)! : undefined;
    const threshold = shown && observed ? { quantity: thresholdQuantityText(shown.value, observed.capacity, resource), available: observed.available } : undefined;
    for (const pod of ranked) {
      if (isCriticalPod(pod)) continue;
      const own = pod.spec.terminationGracePeriodSeconds ?? 30;
      const max = this.settings.maxPodGraceSeconds;
      const graceSeconds = isHard(target) ? IMMEDIATE_GRACE_SECONDS : max > 0 ? Math.min(max, own) : own;
      const message = evictionMessage(pod, resource, threshold, usage.get(pod.metadata.uid!));
      await this.evict(pod, { graceSeconds, message, disruption: true }, target.signal);
      return [pod];
    }
    this.d.log.warn({ resource }, 'unable to evict any pod from the node');
    return [];
  }

  private async evict(pod: Pod, eviction: Eviction, signal: string): Promise<void> {
    this.evictions.set(signal, (this.evictions.get(signal) ?? 0) + 1);
    this.d.podEvent(pod, eviction.message);
    this.d.log.info({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, message: eviction.message }, 'evicting pod');
    await this.d.evict(pod, eviction);
  }

  /** Pods over an emptyDir's sizeLimit or their ephemeral-storage limits, evicted (all of them) at once. */
  private async localStorageEviction(active: Pod[]): Promise<Pod[]> {
    const limited = active.filter(hasLocalStorageLimits);
    if (!limited.length) return [];
    const usage = await this.d.measure(limited, { disk: true });
    const evicted: Pod[] = [];
    for (const pod of limited) {
      const u = usage.get(pod.metadata.uid!);
      const violation = u && localStorageViolation(pod, u);
      if (!violation || isCriticalPod(pod)) continue;
      await this.evict(pod, { graceSeconds: IMMEDIATE_GRACE_SECONDS, message: violation.message, disruption: false }, violation.signal);
      evicted.push(pod);
    }
    return evicted;
  }

  /** Waits (30 s at most) until the evicted pods' containers have stopped. */
  private async waitForCleanup(pods: Pod[], signal: AbortSignal): Promise<void> {
    const deadline = this.now() + CLEANUP_TIMEOUT_MS;
    while (!signal.aborted && this.now() < deadline) {
      await sleep(CLEANUP_POLL_MS, signal);
      const done = await Promise.all(pods.map((p) => this.d.stopped(p).catch(() => false)));
      if (done.every(Boolean)) return;
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let evicted: Pod[] = [];
      try {
        evicted = await this.synchronize();
      } catch (err) {
        this.d.log.warn({ err: (err as Error).message }, 'eviction manager pass failed');
      }
      if (evicted.length) await this.waitForCleanup(evicted, signal);
      else await sleep(this.settings.monitoringMs, signal);
    }
  }
}

function hasLocalStorageLimits(pod: Pod): boolean {
  if ((pod.spec.volumes ?? []).some((v) => v.emptyDir && !v.emptyDir.medium && v.emptyDir.sizeLimit)) return true;
  return [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].some((c) => (c.resources?.limits as Record<string, string> | undefined)?.['ephemeral-storage']);
}

/**
 * Why the pod is over its own local storage limits, in Kubernetes' words, with the name
 * Kubernetes counts such evictions under; undefined when it is not.
 */
export function localStorageViolation(pod: Pod, usage: PodUsage): { message: string; signal: string } | undefined {
  for (const v of pod.spec.volumes ?? []) {
    const limitText = v.emptyDir && !v.emptyDir.medium ? v.emptyDir.sizeLimit : undefined;
    const limit = parseQuantity(limitText);
    const used = usage.volumes.get(v.name);
    if (limitText && limit !== undefined && limit > 0 && used !== undefined && used > limit) {
      return { signal: 'emptydirfs.limit', message: `Usage of EmptyDir volume ${JSON.stringify(v.name)} exceeds the limit ${JSON.stringify(canonicalQuantity(limitText) ?? limitText)}. ` };
    }
  }
  const podLimit = podResourceTotals(pod.spec, 'limits').get('ephemeral-storage');
  if (podLimit !== undefined && usage.disk && usage.disk.bytes > podLimit) {
    return { signal: 'ephemeralpodfs.limit', message: `Pod ephemeral local storage usage exceeds the total limit of containers ${formatAmount(podLimit, 'ephemeral-storage')}. ` };
  }
  for (const c of pod.spec.containers) {
    const limitText = (c.resources?.limits as Record<string, string> | undefined)?.['ephemeral-storage'];
    const limit = parseQuantity(limitText);
    const used = usage.containers.find((x) => x.name === c.name)?.diskBytes;
    if (limitText && limit && used !== undefined && used > limit) {
      return { signal: 'ephemeralcontainerfs.limit', message: `Container ${c.name} exceeded its local ephemeral storage limit ${JSON.stringify(canonicalQuantity(limitText) ?? limitText)}. ` };
    }
  }
  return undefined;
}

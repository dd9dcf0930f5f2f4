// The scheduling loop: pods without a node (for this scheduler) are queued; each is matched
// against the cache of nodes and the pods on them (kept current by events, including
// "assumed" pods whose binding is still in flight, so two pods never take the same free
// space), then bound through pods/binding. Pods that fit nowhere wait until a node or pod
// change could help, unless they can preempt: pods of lower priority are then deleted to make
// room, and the pod waits for them nominated to their node. The queue hands out one pod per
// event-loop turn, so binds, watch events, Lease renewals and signals are served during a burst.
import type { Logger } from 'pino';
import { StatusError } from '../api/status.js';
import type { Node } from '../api/types/core.js';
import type { Pod } from '../api/types/pod.js';
import type { EventRecorder } from '../client/events.js';
import { Informer, objectKey } from '../client/informer.js';
import { resource } from '../client/rest.js';
import type { ApiClient } from '../client/api-client.js';
import { SchedulerCache } from './cache.js';
import { schedule, type ScheduleResult } from './framework.js';
import type { KubeSchedulerConfiguration } from './configuration.js';
import { buildProfiles, type Profile } from './profiles.js';
import { SchedulingQueue, type ClusterEvent } from './queue.js';
import { claimsToProvision, type VolumeLookup } from './plugins/volume-binding.js';
import { SELECTED_NODE_ANNOTATION, type PersistentVolume, type PersistentVolumeClaim, type StorageClass } from '../api/types/storage.js';
import { rfc3339 } from '../api/time.js';
import { findCondition, isPodFinished, nodeReadyStatus } from '../api/conditions.js';
import { trimNode, trimPod, trimSelecting } from './informer-trims.js';
import type { SelectorSources } from './default-selector.js';
import type { LabelSelector } from '../api/types/meta.js';
import { podFamily } from '../client/pod-trims.js';
import { podPriority, type NodeInfo } from './node-info.js';
import { Nominator } from './nominator.js';
import { preempt, PREEMPTION_REASON, type Candidate } from './preemption.js';
import type { PodDisruptionBudget } from '../api/types/policy.js';

/** A Service, ReplicationController, ReplicaSet or StatefulSet as the scheduler keeps it: its selector. */
type Selecting = { metadata: { name?: string; namespace?: string }; spec?: { selector?: unknown } };

export interface SchedulerOptions {
  /** Profiles, back-off and the rest, checked and defaulted (scheduler/configuration.ts). */
  configuration: KubeSchedulerConfiguration;
  /** Records a profile's events (reported by its schedulerName, as kube-scheduler's are). */
  recorderFor: (schedulerName: string) => EventRecorder;
  /** Safety net: unschedulable pods waiting longer than this are tried again even without an event (Kubernetes: 5 minutes). */
  unschedulableFlushMs?: number;
}

const pods = resource('v1/pods');
const nodes = resource('v1/nodes');
/**
 * Binds in flight at once. Without a bound the loop would decide a whole backlog in moments and
 * leave thousands of binds queued on the connection pool: decisions made on an old picture, and
 * a SIGTERM that cannot stop what was already sent.
 */
const MAX_BINDS_IN_FLIGHT = 64;

/** The pods the scheduler watches: those not finished (Succeeded or Failed). */
const NOT_FINISHED = 'status.phase!=Succeeded,status.phase!=Failed';

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const sameLabels = (a: Pod, b: Pod) => same(a.metadata.labels, b.metadata.labels);

/** The events a node's change is, for the queue's hints (a heartbeat is none). */
function nodeEvents(old: Node, node: Node): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  if (!same(old.metadata.labels, node.metadata.labels)) events.push('NodeLabelsChanged');
  if (!same(old.spec?.taints, node.spec?.taints)) events.push('NodeTaintsChanged');
  if (!same(old.status?.allocatable, node.status?.allocatable)) events.push('NodeAllocatableChanged');
  if (!same(old.spec?.unschedulable, node.spec?.unschedulable)) events.push('NodeSchedulableChanged');
  if (nodeReadyStatus(old) !== nodeReadyStatus(node)) events.push('NodeReadyChanged');
  return events;
}

export class Scheduler {
  readonly podInformer: Informer<Pod>;
  readonly nodeInformer: Informer<Node>;
  private readonly claimInformer: Informer<PersistentVolumeClaim>;
  private readonly volumeInformer: Informer<PersistentVolume>;
  private readonly classInformer: Informer<StorageClass>;
  private readonly budgetInformer: Informer<PodDisruptionBudget>;
  private readonly volumes: VolumeLookup;
  private readonly serviceInformer: Informer<Selecting>;
  private readonly selectingInformers: Record<'ReplicationController' | 'ReplicaSet' | 'StatefulSet', Informer<Selecting>>;
  /** By schedulerName: the pods this scheduler takes are those naming one of its profiles. */
  readonly profiles: ReadonlyMap<string, Profile>;
  private readonly recorders = new Map<string, EventRecorder>();
  private readonly queue: SchedulingQueue;
  private readonly cache = new SchedulerCache();
  private readonly nominator = new Nominator();
  /** Victims of our preemptions whose deletion has not shown in the informer yet. */
  private readonly preempting = new Set<string>();
  /** Where the next search for nodes starts (Kubernetes' rotating start index). */
  private nextStartNode = 0;
  private bindsInFlight = 0;
  private readonly bindSlotWaiters: Array<() => void> = [];
  scheduledCount = 0;
  /** Pods that fit nowhere and so tried to preempt (kube-scheduler's scheduler_preemption_attempts_total). */
  preemptionAttempts = 0;
  /** Pods deleted to make room. */
  preemptionVictims = 0;

  constructor(
    private readonly client: ApiClient,
    private readonly opts: SchedulerOptions,
    private readonly log: Logger,
  ) {
    // Pods that have finished hold nothing on their node, so they are not watched at all (as
    // kube-scheduler does): one leaving the selection arrives as DELETED, as it last matched.
    this.podInformer = new Informer<Pod>(client, pods, { fieldSelector: NOT_FINISHED, transform: trimPod, family: podFamily }, log.child({ informer: 'pods' }));
    this.nodeInformer = new Informer<Node>(client, nodes, { transform: trimNode, family: () => '' }, log.child({ informer: 'nodes' }));
    this.claimInformer = new Informer<PersistentVolumeClaim>(client, resource('v1/persistentvolumeclaims'), {}, log.child({ informer: 'persistentvolumeclaims' }));
    this.volumeInformer = new Informer<PersistentVolume>(client, resource('v1/persistentvolumes'), {}, log.child({ informer: 'persistentvolumes' }));
    this.classInformer = new Informer<StorageClass>(client, resource('storage.k8s.io/v1/storageclasses'), {}, log.child({ informer: 'storageclasses' }));
    this.budgetInformer = new Informer<PodDisruptionBudget>(client, resource('policy/v1/poddisruptionbudgets'), {}, log.child({ informer: 'poddisruptionbudgets' }));
    this.volumes = {
      claim: (ns, name) => this.claimInformer.get(`${ns}/${name}`),
      volume: (name) => this.volumeInformer.get(name),
      storageClass: (name) => this.classInformer.get(name),
    };
    // What selects pods, for spreading pods without constraints of their own (kube-scheduler
    // watches the same four kinds for it): only their selectors are kept.
    const selecting = (path: string) => {
      const informer = new Informer<Selecting>(client, resource(path), { transform: trimSelecting }, log.child({ informer: path.split('/').pop() }));
      informer.addIndexer('namespace', (o) => [o.metadata.namespace ?? '']);
      return informer;
    };
    this.selectingInformers = { ReplicationController: selecting('v1/replicationcontrollers'), ReplicaSet: selecting('apps/v1/replicasets'), StatefulSet: selecting('apps/v1/statefulsets') };
    this.serviceInformer = selecting('v1/services');
    const selectors: SelectorSources = {
      serviceSelectors: (ns) => this.serviceInformer.byIndex('namespace', ns).map((s) => s.spec?.selector as Record<string, string> | undefined),
      controllerSelector: (kind, ns, name) => this.selectingInformers[kind].get(`${ns}/${name}`)?.spec?.selector as Record<string, string> | LabelSelector | undefined,
    };
    this.profiles = new Map(buildProfiles(opts.configuration, { volumes: this.volumes, selectors }).profiles.map((p) => [p.schedulerName, p]));
    this.queue = new SchedulingQueue({ initialBackoffMs: opts.configuration.podInitialBackoffSeconds * 1000, maxBackoffMs: opts.configuration.podMaxBackoffSeconds * 1000 });
    // A claim made, bound or deleted may make a waiting pod schedulable.
    this.claimInformer.addHandler({ add: () => this.requeue('VolumeChanged'), update: () => this.requeue('VolumeChanged') });
    this.volumeInformer.addHandler({ add: () => this.requeue('VolumeChanged') });

    this.podInformer.addHandler({
      add: (p) => this.onPod(p),
      update: (old, p) => this.onPod(p, old),
      delete: (p) => {
        const key = objectKey(p);
        this.cache.removePod(p);
        this.queue.remove(key);
        this.nominator.remove(key);
        this.preempting.delete(key);
        if (p.spec?.nodeName && !isPodFinished(p)) this.requeue('PodRemovedFromNode');
      },
    });
    this.nodeInformer.addHandler({
      add: (n) => {
        this.cache.setNode(n);
        this.requeue('NodeAdded');
      },
      update: (old, n) => {
        this.cache.setNode(n);
        for (const e of nodeEvents(old, n)) this.requeue(e);
      },
      delete: (n) => this.cache.removeNode(n.metadata.name!),
    });
  }

  private responsibleFor(p: Pod): boolean {
    return !p.spec?.nodeName && this.profiles.has(p.spec?.schedulerName ?? 'default-scheduler') && !p.metadata.deletionTimestamp && !isPodFinished(p);
  }

  private profileOf(p: Pod): Profile {
    return this.profiles.get(p.spec?.schedulerName ?? 'default-scheduler')!;
  }

  private recorder(profile: Profile): EventRecorder {
    let r = this.recorders.get(profile.schedulerName);
    if (!r) this.recorders.set(profile.schedulerName, (r = this.opts.recorderFor(profile.schedulerName)));
    return r;
  }

  private onPod(p: Pod, old?: Pod): void {
    const key = objectKey(p);
    this.cache.updatePod(p);
    if (p.spec?.nodeName) {
      this.queue.remove(key);
      this.nominator.remove(key);
      if (old && !isPodFinished(old) && isPodFinished(p)) this.requeue('PodRemovedFromNode');
      else if (!isPodFinished(p) && (!old?.spec?.nodeName || !sameLabels(old, p))) this.requeue('AssignedPodAdded');
      return;
    }
    if (!this.responsibleFor(p)) {
      this.nominator.remove(key);
      return this.queue.remove(key);
    }
    // SchedulingGates (preEnqueue): a gated pod is not tried at all; removing its last gate is
    // an update of its spec, which queues it.
    if (this.profileOf(p).gates && p.spec?.schedulingGates?.length) {
      this.nominator.remove(key);
      return this.queue.remove(key);
    }
    this.nominator.observe(key, p, old);
    // A status-only change (e.g. our own PodScheduled condition) is no reason to try again.
    if (old && this.queue.isUnschedulable(key) && JSON.stringify([old.spec, old.metadata.labels]) === JSON.stringify([p.spec, p.metadata.labels])) return;
    this.queue.add(key, podPriority(p));
  }

  private requeue(event: ClusterEvent): void {
    const moved = this.queue.onEvent(event);
    if (moved) this.log.debug({ event, pods: moved }, 'retrying unschedulable pods');
  }

  /** Every informer has delivered its first list (the sched-handler-sync readiness check). */
  handlersSynced = false;

  async run(signal: AbortSignal): Promise<void> {
    const all = [this.podInformer, this.nodeInformer, this.claimInformer, this.volumeInformer, this.classInformer, this.budgetInformer, this.serviceInformer, ...Object.values(this.selectingInformers)];
    const informers = all.map((i) => i.run(signal));
    await Promise.race([Promise.all(all.map((i) => i.synced)), new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
    this.handlersSynced = !signal.aborted;
    // The safety net, checked every 30 s as Kubernetes does.
    const maxWait = this.opts.unschedulableFlushMs ?? 300_000;
    const flush = setInterval(() => this.queue.flushWaitingLongerThan(maxWait), Math.min(30_000, maxWait));
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    this.log.info({ schedulerNames: [...this.profiles.keys()] }, 'scheduler started');
    for (;;) {
      while (this.bindsInFlight >= MAX_BINDS_IN_FLIGHT) await new Promise<void>((r) => this.bindSlotWaiters.push(r));
      const key = await this.queue.get();
      if (key === undefined) break;
      try {
        this.scheduleOne(key);
      } catch (err) {
        this.log.error({ err, pod: key }, 'scheduling failed');
        this.queue.retryAfterBackoff(key);
      } finally {
        this.queue.done(key);
      }
    }
    clearInterval(flush);
    await Promise.all(informers);
  }

  private scheduleOne(key: string): void {
    const pod = this.podInformer.get(key);
    if (!pod || !this.responsibleFor(pod) || this.cache.isAssumed(key)) return;
    const nodes = this.cache.nodes();
    // Our own nomination may be newer than the pod's status says.
    const nominatedName = this.nominator.nodeOf(key) ?? pod.status?.nominatedNodeName;
    const nominatedNode = nominatedName ? this.cache.nodeInfo(nominatedName) : undefined;
    const profile = this.profileOf(pod);
    const ctx = { affinityNodes: this.cache.nodesWithAffinityPods(), nominated: this.nominator.byNode(), nominatedNode, percentageOfNodesToScore: profile.percentageOfNodesToScore };
    const result = schedule(pod, nodes, profile.filters, profile.scores, this.nextStartNode, ctx);
    this.nextStartNode = nodes.length ? (this.nextStartNode + result.processed) % nodes.length : 0;
    if (!result.node) return this.fitsNowhere(pod, profile, nodes, result, nominatedNode);
    const node = result.node;
    this.queue.scheduled(key);
    this.nominator.remove(key);
    this.cache.assume(pod, node);
    void this.bind(pod, profile, node);
  }

  /**
   * The pod fits on no node: it preempts if it can (kube-scheduler's PostFilter), then waits
   * for an event that could help, with FailedScheduling saying why and its nomination, if any.
   */
  private fitsNowhere(pod: Pod, profile: Profile, nodes: NodeInfo[], result: ScheduleResult, nominatedNode: NodeInfo | undefined): void {
    const key = objectKey(pod);
    let message = result.message!;
    // The nomination to write with the failure: a node, null to clear one, or unchanged.
    let nomination: string | null | undefined;
    if (profile.preemption) [message, nomination] = this.tryPreemption(pod, profile, nodes, result, nominatedNode, message);
    this.queue.markUnschedulable(key, result.rejectedBy ?? new Set());
    this.log.info({ pod: key, reason: message, nominatedNode: nomination ?? undefined }, 'pod is unschedulable');
    this.recorder(profile).event(pod, 'Warning', 'FailedScheduling', message);
    void this.markUnschedulable(pod, message, nomination);
  }

  /** DefaultPreemption (kube-scheduler's PostFilter): the failure's message with its outcome, and the nomination to write. */
  private tryPreemption(pod: Pod, profile: Profile, nodes: NodeInfo[], result: ScheduleResult, nominatedNode: NodeInfo | undefined, message: string): [string, string | null | undefined] {
    const key = objectKey(pod);
    let nomination: string | null | undefined;
    this.preemptionAttempts++;
    const outcome = preempt({
      cycle: result.cycle!,
      nodes,
      unresolvable: result.unresolvable ?? new Set(),
      pdbs: this.budgetInformer.list(),
      nominatedNode,
      terminatingByPreemption: (p) => this.terminatingByPreemption(p),
      offset: this.nextStartNode,
      candidateCounts: profile.candidateCounts,
    });
    if ('candidate' in outcome) {
      nomination = outcome.candidate.node;
      this.carryOut(pod, profile, outcome.candidate);
    } else {
      message += ` preemption: ${outcome.message}`;
      if (outcome.clearNomination && (this.nominator.nodeOf(key) ?? pod.status?.nominatedNodeName)) {
        nomination = null;
        this.nominator.remove(key);
      }
    }
    return [message, nomination];
  }

  /** Going away because a scheduler preempted it: marked so (DisruptionTarget) and being deleted, or being preempted by us now. */
  private terminatingByPreemption(p: Pod): boolean {
    if (this.preempting.has(objectKey(p))) return true;
    return !!p.metadata.deletionTimestamp && findCondition(p, 'DisruptionTarget')?.reason === PREEMPTION_REASON;
  }

  /**
   * Makes room for `preemptor` on the candidate node: it is nominated there at once (so no pod
   * of lower priority takes the room), each victim is marked with a DisruptionTarget condition,
   * then deleted (gracefully), and lower-priority pods nominated to that node lose their nomination.
   */
  private carryOut(preemptor: Pod, profile: Profile, candidate: Candidate): void {
    const key = objectKey(preemptor);
    const priority = podPriority(preemptor);
    const displaced = this.nominator.podsOn(candidate.node).filter((p) => objectKey(p) !== key && podPriority(p) < priority);
    this.nominator.nominate(key, preemptor, candidate.node);
    for (const p of displaced) this.nominator.remove(objectKey(p));
    this.preemptionVictims += candidate.victims.length;
    for (const victim of candidate.victims) {
      this.preempting.add(objectKey(victim));
      void this.evict(victim, preemptor, profile, candidate.node);
    }
    for (const p of displaced) {
      void this.client.patch(pods, p.metadata.namespace, p.metadata.name!, { status: { nominatedNodeName: null } }, 'merge', 'status').catch((err) => {
        this.log.debug({ err: (err as Error).message, pod: objectKey(p) }, 'could not clear a nomination');
      });
    }
    this.log.info({ pod: key, node: candidate.node, victims: candidate.victims.map(objectKey) }, 'preempting');
  }

  private async evict(victim: Pod, preemptor: Pod, profile: Profile, node: string): Promise<void> {
    const { namespace, name, uid } = victim.metadata;
    const condition = {
      type: 'DisruptionTarget',
      status: 'True',
      reason: PREEMPTION_REASON,
      message: `${profile.schedulerName}: preempting to accommodate a higher priority pod`,
      lastProbeTime: null,
      lastTransitionTime: rfc3339(),
    };
    try {
      await this.client.patch(pods, namespace, name!, { status: { conditions: [condition] } }, 'strategic', 'status');
      // The uid precondition: a pod made since under the same name is not the victim.
      await this.client.delete(pods, namespace, name!, { preconditions: { uid } });
      this.recorder(profile).event(victim, 'Normal', 'Preempted', `Preempted by pod ${preemptor.metadata.uid} on node ${node}`);
    } catch (err) {
      const gone = err instanceof StatusError && (err.code === 404 || err.code === 409);
      if (!gone) {
        this.preempting.delete(objectKey(victim));
        this.log.warn({ pod: objectKey(victim), err: (err as Error).message }, 'could not preempt');
      }
    }
  }

  private async bind(pod: Pod, profile: Profile, node: string): Promise<void> {
    const key = objectKey(pod);
    this.bindsInFlight++;
    try {
      // Claims that wait for their first consumer learn the node now: their volume is made there.
      for (const pvc of claimsToProvision(pod, this.volumes)) {
        if (pvc.metadata.annotations?.[SELECTED_NODE_ANNOTATION] === node) continue;
        await this.client.patch(resource('v1/persistentvolumeclaims'), pvc.metadata.namespace, pvc.metadata.name!, { metadata: { annotations: { [SELECTED_NODE_ANNOTATION]: node } } }, 'merge');
      }
      await this.client.request('POST', this.client.path(pods, pod.metadata.namespace, pod.metadata.name!, 'binding'), {
        body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid }, target: { apiVersion: 'v1', kind: 'Node', name: node } },
      });
      this.scheduledCount++;
      this.recorder(profile).event(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`);
    } catch (err) {
      this.cache.forget(pod);
      const gone = err instanceof StatusError && (err.code === 404 || err.code === 409);
      this.log.warn({ pod: key, node, err: (err as Error).message }, 'binding failed');
      if (!gone) this.queue.retryAfterBackoff(key);
    } finally {
      this.bindsInFlight--;
      this.bindSlotWaiters.shift()?.();
    }
  }

  /**
   * Sets PodScheduled=False/Unschedulable, as `kubectl describe` shows, and the nomination
   * (a node, or null to clear it), when either changed.
   */
  private async markUnschedulable(pod: Pod, message: string, nomination?: string | null): Promise<void> {
    const current = findCondition(pod, 'PodScheduled');
    const sameNomination = nomination === undefined || (nomination ?? undefined) === pod.status?.nominatedNodeName;
    if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message && sameNomination) return;
    const condition = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: rfc3339() };
    const status = nomination === undefined ? { conditions: [condition] } : { conditions: [condition], nominatedNodeName: nomination };
    await this.client.patch(pods, pod.metadata.namespace, pod.metadata.name!, { status }, 'strategic', 'status').catch((err) => {
      this.log.debug({ err: (err as Error).message }, 'could not update PodScheduled');
    });
  }
}

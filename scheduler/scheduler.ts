// The scheduling loop: pods without a node (for this scheduler) are queued; each is matched
// against the cache of nodes and the pods on them (kept current by events, including
// "assumed" pods whose binding is still in flight, so two pods never take the same free
// space), then bound through pods/binding. Pods that fit nowhere wait until a node or pod
// change could help. The queue hands out one pod per event-loop turn, so binds, watch events,
// Lease renewals and signals are served during a burst.
import type { Logger } from 'pino';
import { StatusError } from '../api/status.js';
import type { Node } from '../api/types/core.js';
import type { Pod } from '../api/types/pod.js';
import type { EventRecorder } from '../client/events.js';
import { Informer, objectKey } from '../client/informer.js';
import { resource } from '../client/rest.js';
import type { ApiClient } from '../client/api-client.js';
import { WorkQueue } from '../client/workqueue.js';
import { SchedulerCache } from './cache.js';
import { schedule, type FilterPlugin, type ScorePlugin } from './framework.js';
import { claimsToProvision, volumeBinding, type VolumeLookup } from './plugins/volume-binding.js';
import { SELECTED_NODE_ANNOTATION, type PersistentVolume, type PersistentVolumeClaim, type StorageClass } from '../api/types/storage.js';
import { rfc3339 } from '../api/time.js';
import { findCondition, isPodFinished, nodeReadyStatus } from '../api/conditions.js';

export interface SchedulerOptions {
  schedulerName: string;
  filters: FilterPlugin[];
  scores: ScorePlugin[];
  /** Safety net: unschedulable pods are retried at least this often even without events. */
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

/** What of a node matters for placement (not its heartbeats). */
function placementView(node: Node): string {
  return JSON.stringify([node.metadata.labels, node.spec, node.status?.allocatable, nodeReadyStatus(node)]);
}

export class Scheduler {
  readonly podInformer: Informer<Pod>;
  readonly nodeInformer: Informer<Node>;
  private readonly claimInformer: Informer<PersistentVolumeClaim>;
  private readonly volumeInformer: Informer<PersistentVolume>;
  private readonly classInformer: Informer<StorageClass>;
  private readonly volumes: VolumeLookup;
  private readonly filters: FilterPlugin[];
  private readonly queue = new WorkQueue<string>({ baseDelayMs: 1000, maxDelayMs: 10_000 });
  private readonly cache = new SchedulerCache();
  /** Where the next search for nodes starts (Kubernetes' rotating start index). */
  private nextStartNode = 0;
  private readonly unschedulable = new Set<string>();
  private bindsInFlight = 0;
  private readonly bindSlotWaiters: Array<() => void> = [];
  scheduledCount = 0;

  constructor(
    private readonly client: ApiClient,
    private readonly recorder: EventRecorder,
    private readonly opts: SchedulerOptions,
    private readonly log: Logger,
  ) {
    this.podInformer = new Informer<Pod>(client, pods, {}, log.child({ informer: 'pods' }));
    this.nodeInformer = new Informer<Node>(client, nodes, {}, log.child({ informer: 'nodes' }));
    this.claimInformer = new Informer<PersistentVolumeClaim>(client, resource('v1/persistentvolumeclaims'), {}, log.child({ informer: 'persistentvolumeclaims' }));
    this.volumeInformer = new Informer<PersistentVolume>(client, resource('v1/persistentvolumes'), {}, log.child({ informer: 'persistentvolumes' }));
    this.classInformer = new Informer<StorageClass>(client, resource('storage.k8s.io/v1/storageclasses'), {}, log.child({ informer: 'storageclasses' }));
    this.volumes = {
      claim: (ns, name) => this.claimInformer.get(`${ns}/${name}`),
      volume: (name) => this.volumeInformer.get(name),
      storageClass: (name) => this.classInformer.get(name),
    };
    this.filters = [...opts.filters, volumeBinding(this.volumes)];
    // A claim made, bound or deleted may make a waiting pod schedulable.
    this.claimInformer.addHandler({ add: () => this.flushUnschedulable('a claim was added'), update: () => this.flushUnschedulable('a claim changed') });
    this.volumeInformer.addHandler({ add: () => this.flushUnschedulable('a volume was added') });

    this.podInformer.addHandler({
      add: (p) => this.onPod(p),
      update: (old, p) => this.onPod(p, old),
      delete: (p) => {
        const key = objectKey(p);
        this.cache.removePod(p);
        this.unschedulable.delete(key);
        if (p.spec?.nodeName) this.flushUnschedulable('a pod left a node');
      },
    });
    this.nodeInformer.addHandler({
      add: (n) => {
        this.cache.setNode(n);
        this.flushUnschedulable('a node was added');
      },
      update: (old, n) => {
        this.cache.setNode(n);
        if (placementView(old) !== placementView(n)) this.flushUnschedulable('a node changed');
      },
      delete: (n) => this.cache.removeNode(n.metadata.name!),
    });
  }

  private responsibleFor(p: Pod): boolean {
    return !p.spec?.nodeName && (p.spec?.schedulerName ?? 'default-scheduler') === this.opts.schedulerName && !p.metadata.deletionTimestamp && !isPodFinished(p);
  }

  private onPod(p: Pod, old?: Pod): void {
    const key = objectKey(p);
    this.cache.updatePod(p);
    if (p.spec?.nodeName) {
      this.unschedulable.delete(key);
      if (old && !isPodFinished(old) && isPodFinished(p)) this.flushUnschedulable('a pod finished');
      return;
    }
    if (!this.responsibleFor(p)) return;
    // A status-only change (e.g. our own PodScheduled condition) is no reason to try again.
    if (old && this.unschedulable.has(key) && JSON.stringify([old.spec, old.metadata.labels]) === JSON.stringify([p.spec, p.metadata.labels])) return;
    this.unschedulable.delete(key);
    this.queue.add(key);
  }

  private flushUnschedulable(why: string): void {
    if (this.unschedulable.size === 0) return;
    this.log.debug({ count: this.unschedulable.size, why }, 'retrying unschedulable pods');
    for (const key of this.unschedulable) this.queue.add(key);
    this.unschedulable.clear();
  }

  async run(signal: AbortSignal): Promise<void> {
    const all = [this.podInformer, this.nodeInformer, this.claimInformer, this.volumeInformer, this.classInformer];
    const informers = all.map((i) => i.run(signal));
    await Promise.race([Promise.all(all.map((i) => i.synced)), new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
    const flush = setInterval(() => this.flushUnschedulable('periodic retry'), this.opts.unschedulableFlushMs ?? 300_000);
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    this.log.info({ schedulerName: this.opts.schedulerName }, 'scheduler started');
    for (;;) {
      while (this.bindsInFlight >= MAX_BINDS_IN_FLIGHT) await new Promise<void>((r) => this.bindSlotWaiters.push(r));
      const key = await this.queue.get();
      if (key === undefined) break;
      try {
        this.scheduleOne(key);
        this.queue.forget(key);
      } catch (err) {
        this.log.error({ err, pod: key }, 'scheduling failed');
        this.queue.addRateLimited(key);
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
    const result = schedule(pod, nodes, this.filters, this.opts.scores, this.nextStartNode);
    this.nextStartNode = nodes.length ? (this.nextStartNode + result.processed) % nodes.length : 0;
    if (!result.node) {
      this.unschedulable.add(key);
      this.log.info({ pod: key, reason: result.message }, 'pod is unschedulable');
      this.recorder.event(pod, 'Warning', 'FailedScheduling', result.message!);
      void this.markUnschedulable(pod, result.message!);
      return;
    }
    const node = result.node;
    this.cache.assume(pod, node);
    void this.bind(pod, node);
  }

  private async bind(pod: Pod, node: string): Promise<void> {
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
      this.recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`);
    } catch (err) {
      this.cache.forget(pod);
      const gone = err instanceof StatusError && (err.code === 404 || err.code === 409);
      this.log.warn({ pod: key, node, err: (err as Error).message }, 'binding failed');
      if (!gone) this.queue.addRateLimited(key);
    } finally {
      this.bindsInFlight--;
      this.bindSlotWaiters.shift()?.();
    }
  }

  /** Sets PodScheduled=False/Unschedulable, as `kubectl describe` shows, when it changed. */
  private async markUnschedulable(pod: Pod, message: string): Promise<void> {
    const current = findCondition(pod, 'PodScheduled');
    if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return;
    const condition = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: rfc3339() };
    await this.client.patch(pods, pod.metadata.namespace, pod.metadata.name!, { status: { conditions: [condition] } }, 'strategic', 'status').catch((err) => {
      this.log.debug({ err: (err as Error).message }, 'could not update PodScheduled');
    });
  }
}

// Pod garbage collection, every 20 seconds as in Kubernetes: finished pods beyond
// --terminated-pod-gc-threshold go, oldest first; pods bound to a node that no longer exists
// (checked again with the apiserver, the node gone for 40 s) and pods that were never scheduled
// but are being deleted go at once (grace 0), marked Failed first, since no kubelet will ever
// finish them.
import { StatusError } from '../../api/status.js';
import type { Node } from '../../api/types/core.js';
import type { Pod } from '../../api/types/pod.js';
import type { Informer } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';
import { isPodFinished } from '../../api/conditions.js';
import { deleteForDisruption } from './pod-disruption.js';

const pods = resource('v1/pods');
const nodes = resource('v1/nodes');
const PERIOD_MS = 20_000;
const QUARANTINE_MS = 40_000;

export class PodGCController extends Controller {
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  /** When each missing node was first seen missing. */
  private readonly missingSince = new Map<string, number>();

  constructor(
    ctx: ControllerContext,
    private readonly threshold: number,
    private readonly now: () => number = Date.now,
  ) {
    super('podgc', ctx);
    this.pods = ctx.informers.for<Pod>('v1/pods');
    this.nodes = ctx.informers.for<Node>('v1/nodes');
  }

  override async run(signal: AbortSignal): Promise<void> {
    this.queue.add('gc');
    return super.run(signal);
  }

  async reconcile(): Promise<ReconcileResult> {
    const all = this.pods.list();
    await this.collectTerminated(all);
    await this.collectOrphans(all);
    await this.collectUnscheduledTerminating(all);
    return { requeueAfterMs: PERIOD_MS };
  }

  private async remove(pod: Pod, grace?: number): Promise<void> {
    try {
      await this.ctx.client.delete(pods, pod.metadata.namespace, pod.metadata.name!, { ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}), preconditions: { uid: pod.metadata.uid } });
      this.log.info({ pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'garbage-collected a pod');
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
    }
  }

  private async collectTerminated(all: Pod[]): Promise<void> {
    if (this.threshold <= 0) return;
    const finished = all.filter((p) => (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') && !p.metadata.deletionTimestamp);
    const excess = finished.length - this.threshold;
    if (excess <= 0) return;
    const oldest = finished.sort((a, b) => Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? '')).slice(0, excess);
    for (const p of oldest) await this.remove(p);
  }

  private async collectOrphans(all: Pod[]): Promise<void> {
    const now = this.now();
    const known = new Set(this.nodes.list().map((n) => n.metadata.name!));
    const missing = new Set<string>();
    for (const p of all) if (p.spec.nodeName && !known.has(p.spec.nodeName)) missing.add(p.spec.nodeName);
    for (const name of [...this.missingSince.keys()]) if (!missing.has(name)) this.missingSince.delete(name);
    for (const name of missing) {
      const since = this.missingSince.get(name) ?? now;
      this.missingSince.set(name, since);
      if (now - since < QUARANTINE_MS) continue;
      // The cache may trail a node that registered a moment ago: ask before deleting anything.
      try {
        await this.ctx.client.get(nodes, undefined, name);
        this.missingSince.delete(name);
        continue;
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
      for (const p of all.filter((x) => x.spec.nodeName === name)) {
        // A pod still running as far as the API knows ends Failed, marked as disrupted (Kubernetes' PodGC).
        if (isPodFinished(p)) await this.remove(p, 0);
        else if (await deleteForDisruption(this.ctx.client, p, { reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', failed: true, gracePeriodSeconds: 0 })) {
          this.log.info({ pod: `${p.metadata.namespace}/${p.metadata.name}`, node: name }, 'garbage-collected a pod of a node that no longer exists');
        }
      }
      this.missingSince.delete(name);
    }
  }

  /** Never scheduled and being deleted: no kubelet will end it, so it ends Failed here (a finalizer's holder, e.g. a Job, learns it), then goes. */
  private async collectUnscheduledTerminating(all: Pod[]): Promise<void> {
    for (const p of all) {
      if (!p.metadata.deletionTimestamp || p.spec.nodeName) continue;
      if (!isPodFinished(p)) {
        try {
          await this.ctx.client.patch(pods, p.metadata.namespace, p.metadata.name!, { metadata: { uid: p.metadata.uid }, status: { phase: 'Failed' } }, 'merge', 'status');
        } catch (err) {
          if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
          continue;
        }
      }
      await this.remove(p, 0);
    }
  }
}

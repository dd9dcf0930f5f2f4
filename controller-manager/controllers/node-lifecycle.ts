// Node lifecycle: a node whose kubelet has not renewed its Lease (or posted status) within the
// grace period gets Unknown conditions ("Kubelet stopped posting node status."), its pods are
// marked not Ready, and it is tainted node.kubernetes.io/unreachable (not-ready when the
// kubelet reports Ready=False) with NoSchedule and NoExecute. Pods on a node with NoExecute
// taints are evicted at once if they do not tolerate them, or after their tolerationSeconds.
// When the node is Ready again the taints go.
import type { Lease } from '../../api/types/coordination.js';
import type { Node, Taint } from '../../api/types/core.js';
import type { Pod } from '../../api/types/pod.js';
import { StatusError } from '../../api/status.js';
import { rfc3339 } from '../../api/time.js';
import { toleratesAll } from '../../api/tolerations.js';
import type { Condition } from '../../api/types/meta.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { sleep } from '../../client/sleep.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';
import { isActive } from './pod-util.js';
import { deleteForDisruption } from './pod-disruption.js';
import { findCondition, nodeReadyStatus } from '../../api/conditions.js';

const nodes = resource('v1/nodes');
const pods = resource('v1/pods');
const UNREACHABLE = 'node.kubernetes.io/unreachable';
const NOT_READY = 'node.kubernetes.io/not-ready';
const CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** What Kubernetes' node events are about: the Node by name and uid, no version. */
const nodeRef = (node: Node) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: node.metadata.name, uid: node.metadata.uid } });

/** The taints a node's readiness calls for (keys this controller owns). */
export function readinessTaints(ready: string | undefined): Array<Pick<Taint, 'key' | 'effect'>> {
  const key = ready === 'False' ? NOT_READY : ready === 'Unknown' ? UNREACHABLE : undefined;
  return key ? [{ key, effect: 'NoSchedule' as const }, { key, effect: 'NoExecute' as const }] : [];
}

/** The NoSchedule taint each node condition calls for while it is True (Kubernetes' TaintNodesByCondition). */
const CONDITION_TAINTS: Record<string, string> = {
  MemoryPressure: 'node.kubernetes.io/memory-pressure',
  DiskPressure: 'node.kubernetes.io/disk-pressure',
  PIDPressure: 'node.kubernetes.io/pid-pressure',
  NetworkUnavailable: 'node.kubernetes.io/network-unavailable',
};
const CONDITION_TAINT_KEYS = new Set(Object.values(CONDITION_TAINTS));

/** The taints a node's conditions call for: its readiness's, and NoSchedule for each pressure it reports. */
export function conditionTaints(node: Node): Array<Pick<Taint, 'key' | 'effect'>> {
  const pressure = (node.status?.conditions ?? []).filter((c) => c.status === 'True' && CONDITION_TAINTS[c.type]).map((c) => ({ key: CONDITION_TAINTS[c.type]!, effect: 'NoSchedule' as const }));
  return [...readinessTaints(nodeReadyStatus(node)), ...pressure];
}

/** When a pod on a node with these NoExecute taints must go: now (0), at a time, or never. */
export function evictionTime(pod: Pod, taints: Taint[], now: number): number | undefined {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (!noExecute.length) return undefined;
  let at = Infinity;
  for (const t of noExecute) {
    const tolerations = (pod.spec.tolerations ?? []).filter((tol) => toleratesAll([tol], t));
    if (!tolerations.length) return now;
    const seconds = Math.min(...tolerations.map((tol) => (tol.tolerationSeconds === undefined || tol.tolerationSeconds === null ? Infinity : Math.max(0, Number(tol.tolerationSeconds)))));
    if (seconds === Infinity) continue;
    const added = t.timeAdded ? Date.parse(t.timeAdded) : now;
    at = Math.min(at, added + seconds * 1000);
  }
  return at === Infinity ? undefined : at;
}

export class NodeLifecycleController extends Controller {
  private readonly nodes: Informer<Node>;
  private readonly leases: Informer<Lease>;
  private readonly pods: Informer<Pod>;
  /** Pod evictions for NoExecute taints are the taint eviction controller's in Kubernetes, and signed so. */
  private readonly evictions: EventRecorder;

  constructor(ctx: ControllerContext) {
    super('nodelifecycle', ctx);
    this.nodes = ctx.informers.for('v1/nodes');
    this.leases = ctx.informers.for('coordination.k8s.io/v1/leases');
    this.pods = ctx.informers.for('v1/pods');
    this.pods.addIndexer('node', (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
    this.nodes.addHandler({
      add: (n) => {
        // Every node this controller comes to know, after each start as in Kubernetes.
        this.nodeEvent(n, 'RegisteredNode', `Registered Node ${n.metadata.name} in Controller`);
        this.enqueue(n);
      },
      update: (_o, n) => this.enqueue(n),
      delete: (n) => this.nodeEvent(n, 'RemovingNode', `Removing Node ${n.metadata.name} from Controller`),
    });
    this.evictions = ctx.recorder.forComponent('taint-eviction-controller');
    this.leases.addHandler({ update: (_o, l) => l.metadata.namespace === 'kube-node-lease' && this.queue.add(l.metadata.name!) });
    this.pods.addHandler({ add: (p) => this.podOnTaintedNode(p), update: (_o, p) => this.podOnTaintedNode(p) });
  }

  private nodeEvent(node: Node, reason: string, what: string): void {
    this.ctx.recorder.event(nodeRef(node), 'Normal', reason, `Node ${node.metadata.name} event: ${what}`);
  }

  private podOnTaintedNode(p: Pod): void {
    const node = p.spec?.nodeName && this.nodes.get(p.spec.nodeName);
    if (node && (node.spec?.taints ?? []).some((t) => t.effect === 'NoExecute')) this.queue.add(node.metadata.name!);
  }

  override async run(signal: AbortSignal): Promise<void> {
    // Missing heartbeats produce no events: look at every node each monitor period.
    const ticker = (async () => {
      while (!signal.aborted) {
        for (const n of this.nodes.list()) this.enqueue(n);
        await sleep(this.ctx.options.nodeMonitorPeriodMs, signal);
      }
    })();
    await Promise.all([super.run(signal), ticker]);
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    let node = this.nodes.get(name);
    if (!node) return;
    const now = Date.now();
    const grace = this.ctx.options.nodeMonitorGracePeriodMs;
    const conditions = node.status?.conditions ?? [];
    const readyCond = findCondition(node, 'Ready');
    const lease = this.leases.get(`kube-node-lease/${name}`);
    const heartbeat = Math.max(
      Date.parse(lease?.spec?.renewTime ?? '') || 0,
      Date.parse(readyCond?.lastHeartbeatTime ?? '') || 0,
      Date.parse(node.metadata.creationTimestamp ?? '') || 0,
    );
    let waits: number[] = [];
    if (now - heartbeat > grace) {
      if (readyCond?.status !== 'Unknown') node = await this.markUnknown(node, conditions);
    } else {
      waits.push(heartbeat + grace - now + 10);
    }
    node = await this.reconcileTaints(node);
    const evictAt = await this.evict(node, now);
    if (evictAt !== undefined) waits.push(evictAt - now + 10);
    waits = waits.filter((w) => w > 0);
    return waits.length ? { requeueAfterMs: Math.min(...waits) } : undefined;
  }

  private async markUnknown(node: Node, conditions: Condition[]): Promise<Node> {
    const now = rfc3339();
    const next = CONDITIONS.map((type) => {
      const c = conditions.find((x) => x.type === type);
      return { type, status: 'Unknown', lastHeartbeatTime: c?.lastHeartbeatTime ?? now, lastTransitionTime: now, reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' };
    });
    const others = conditions.filter((c) => !CONDITIONS.includes(c.type));
    // On the version read: a kubelet that posted status meanwhile is not overwritten (a
    // conflict, and the next pass reads its heartbeat), as Kubernetes' UpdateStatus would.
    const precondition = { uid: node.metadata.uid, resourceVersion: node.metadata.resourceVersion };
    const updated = await this.ctx.client.patch<Node>(nodes, undefined, node.metadata.name!, { metadata: precondition, status: { conditions: [...next, ...others] } }, 'merge', 'status');
    this.ctx.recorder.event(nodeRef(node), 'Normal', 'NodeNotReady', `Node ${node.metadata.name} status is now: NodeNotReady`);
    this.log.info({ node: node.metadata.name }, 'node stopped posting status; marked Unknown');
    await this.markPodsNotReady(node.metadata.name!);
    return updated;
  }

  private async markPodsNotReady(nodeName: string): Promise<void> {
    const now = rfc3339();
    for (const pod of this.pods.byIndex('node', nodeName)) {
      if (!isActive(pod)) continue;
      const conds = pod.status?.conditions ?? [];
      if (!conds.some((c) => (c.type === 'Ready' || c.type === 'ContainersReady') && c.status === 'True')) continue;
      // A strategic merge patch of these two conditions only (merged by type): whatever else
      // the pod's conditions say, and whoever writes them meanwhile, stays as it is.
      const next = conds
        .filter((c) => c.type === 'Ready' || c.type === 'ContainersReady')
        .map((c) => ({ type: c.type, status: 'False', lastTransitionTime: now, reason: 'NodeNotReady', message: null }));
      try {
        await this.ctx.client.patch(pods, pod.metadata.namespace, pod.metadata.name!, { metadata: { uid: pod.metadata.uid }, status: { conditions: next } }, 'strategic', 'status');
      } catch (err) {
        if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
      }
    }
  }

  private async reconcileTaints(node: Node): Promise<Node> {
    const current = node.spec?.taints ?? [];
    const owned = (t: Taint) =>
      ((t.key === UNREACHABLE || t.key === NOT_READY) && (t.effect === 'NoSchedule' || t.effect === 'NoExecute')) || (CONDITION_TAINT_KEYS.has(t.key) && t.effect === 'NoSchedule');
    const want = conditionTaints(node).map((w) => current.find((t) => t.key === w.key && t.effect === w.effect) ?? { ...w, ...(w.effect === 'NoExecute' ? { timeAdded: rfc3339() } : {}) });
    const next = [...current.filter((t) => !owned(t)), ...want];
    const same = next.length === current.length && next.every((t) => current.includes(t));
    if (same) return node;
    const updated = await this.ctx.client.update<Node>(nodes, { ...structuredClone(node), spec: { ...(node.spec ?? {}), taints: next.length ? next : undefined } });
    this.log.info({ node: node.metadata.name, taints: next.map((t) => `${t.key}:${t.effect}`) }, 'node taints updated');
    return updated;
  }

  /** Evicts pods that must go now; returns when the next one is due. */
  private async evict(node: Node, now: number): Promise<number | undefined> {
    const taints = node.spec?.taints ?? [];
    if (!taints.some((t) => t.effect === 'NoExecute')) return undefined;
    let next: number | undefined;
    for (const pod of this.pods.byIndex('node', node.metadata.name!)) {
      if (!isActive(pod)) continue;
      const at = evictionTime(pod, taints, now);
      if (at === undefined) continue;
      if (at > now) {
        next = Math.min(next ?? Infinity, at);
        continue;
      }
      if (await deleteForDisruption(this.ctx.client, pod, { reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' })) {
        this.evictions.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`);
      }
    }
    return next;
  }
}

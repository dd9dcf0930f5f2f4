// The DaemonSet controller: one pod on every node that should run one, as Kubernetes' does.
//  - A node should run the pod when its nodeSelector and required node affinity accept the node
//    and its NoSchedule/NoExecute taints are tolerated, counting the tolerations every daemon
//    pod gets (not-ready, unreachable, disk/memory/pid pressure, unschedulable, and
//    network-unavailable for host-network pods).
//  - Pods go through the scheduler, pinned by a required node-affinity term on metadata.name.
//  - Nodes that appear get a pod; pods on nodes that stop qualifying (relabelled, tainted,
//    gone) are deleted, as are failed pods (replaced) and extra pods on one node.
//  - Each template is kept as a ControllerRevision (<set>-<hash>), numbered; a template going
//    back to an earlier one (rollout undo) renumbers that revision. Pods carry
//    controller-revision-hash; RollingUpdate replaces old pods with at most maxUnavailable
//    nodes unavailable at once, or with maxSurge starts the new pod beside the old one on up to
//    that many nodes and removes the old once the new is available; OnDelete replaces only pods
//    someone deleted.
import { fromLabelSelector, matches } from '../../api/labels.js';
import { nodeMatchesPod } from '../../api/node-affinity.js';
import { controllerRef, controllerRefTo } from '../../api/owners.js';
import { isNamespaceTerminating, StatusError } from '../../api/status.js';
import { toleratesAll } from '../../api/tolerations.js';
import type { ControllerRevision, DaemonSet } from '../../api/types/apps.js';
import type { Node } from '../../api/types/core.js';
import type { NodeSelectorRequirement, Pod, PodSpec, Toleration } from '../../api/types/pod.js';
import type { Informer } from '../../client/informer.js';
import { objectKey } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';
import { Expectations } from '../framework/expectations.js';
import { resolveIntOrPercent } from './workload-arithmetic.js';
import { deleteOwnedPods, followOwnedPods } from '../framework/pod-control.js';
import { recordRevision, REVISION_HASH } from './revisions.js';
import { isAvailable, isReady, untilAvailable } from './pod-util.js';

const pods = resource('v1/pods');
const daemonsets = resource('apps/v1/daemonsets');

const exists = (key: string, effect: 'NoSchedule' | 'NoExecute'): Toleration => ({ key, operator: 'Exists', effect });
/** The tolerations every daemon pod gets, so daemons keep running where others may not. */
export function daemonTolerations(spec: PodSpec): Toleration[] {
  const wanted = [
    exists('node.kubernetes.io/not-ready', 'NoExecute'),
    exists('node.kubernetes.io/unreachable', 'NoExecute'),
    exists('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/unschedulable', 'NoSchedule'),
    ...(spec.hostNetwork ? [exists('node.kubernetes.io/network-unavailable', 'NoSchedule')] : []),
  ];
  const have = spec.tolerations ?? [];
  return [...have, ...wanted.filter((w) => !have.some((t) => t.key === w.key && t.effect === w.effect))];
}

/** Whether `node` should run a pod of this template (selector, affinity, taints). */
export function shouldRun(spec: PodSpec, node: Node): boolean {
  if (!nodeMatchesPod(spec, node)) return false;
  const tolerations = daemonTolerations(spec);
  return (node.spec?.taints ?? []).every((t) => (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') || toleratesAll(tolerations, t));
}

/** The node a daemon pod is for: where it runs, or the node its affinity pins it to. */
export function targetNode(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    const req = (term.matchFields ?? []).find((r) => r.key === 'metadata.name' && r.operator === 'In' && r.values?.length === 1);
    if (req) return req.values![0];
  }
  return undefined;
}

/** The pod spec for `node`: the template's, with daemon tolerations and pinned to the node. */
export function podSpecFor(template: PodSpec, node: string): PodSpec {
  const spec = structuredClone(template);
  spec.tolerations = daemonTolerations(spec);
  const pin: NodeSelectorRequirement = { key: 'metadata.name', operator: 'In', values: [node] };
  const nodeAffinity = { ...(spec.affinity?.nodeAffinity ?? {}) };
  const terms = nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: terms.length ? terms.map((t) => ({ ...t, matchFields: [pin] })) : [{ matchFields: [pin] }],
  };
  spec.affinity = { ...(spec.affinity ?? {}), nodeAffinity };
  return spec;
}

export class DaemonSetController extends Controller {
  private readonly sets: Informer<DaemonSet>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly expectations = new Expectations();

  constructor(ctx: ControllerContext) {
    super('daemonset', ctx);
    this.sets = ctx.informers.for<DaemonSet>('apps/v1/daemonsets');
    this.pods = ctx.informers.for<Pod>('v1/pods');
    this.nodes = ctx.informers.for<Node>('v1/nodes');
    this.revisions = ctx.informers.for<ControllerRevision>('apps/v1/controllerrevisions');
    this.revisions.addIndexer('daemonset-owner', (r) => {
      const ref = controllerRef(r);
      return ref?.kind === 'DaemonSet' ? [ref.uid] : [];
    });
    this.sets.addHandler({
      add: (d) => this.enqueue(d),
      update: (_o, d) => this.enqueue(d),
      delete: (d) => this.expectations.forget(objectKey(d)),
    });
    followOwnedPods(this.pods, 'DaemonSet', this.sets, this.expectations, (d) => this.enqueue(d));
    // Any node change may change where daemons belong.
    const all = () => this.sets.list().forEach((d) => this.enqueue(d));
    this.nodes.addHandler({ add: all, update: (o, n) => (JSON.stringify([o.metadata.labels, o.spec]) !== JSON.stringify([n.metadata.labels, n.spec]) ? all() : undefined), delete: all });
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.sets.get(key);
    if (!cached) {
      this.expectations.forget(key);
      return;
    }
    const ds = structuredClone(cached);
    if (ds.metadata.deletionTimestamp) return;
    const selector = fromLabelSelector(ds.spec.selector);
    const owned = this.pods.byIndex('daemonset-owner', ds.metadata.uid!).filter((p) => matches(selector, p.metadata.labels));
    const hash = await this.currentRevision(ds, owned);
    const nodes = this.nodes.list();
    const now = Date.now();
    const minReady = ds.spec.minReadySeconds ?? 0;

    const byNode = new Map<string, Pod[]>();
    for (const p of owned) {
      if (p.metadata.deletionTimestamp) continue;
      const n = targetNode(p);
      if (n) byNode.set(n, [...(byNode.get(n) ?? []), p]);
    }
    const create: string[] = [];
    const remove: Pod[] = [];
    const desired = nodes.filter((n) => shouldRun(ds.spec.template.spec, n));
    const desiredNames = new Set(desired.map((n) => n.metadata.name!));
    const strategy = ds.spec.updateStrategy?.type ?? 'RollingUpdate';
    const rolling = ds.spec.updateStrategy?.rollingUpdate;
    const maxSurge = strategy === 'RollingUpdate' ? resolveIntOrPercent(rolling?.maxSurge, desired.length, true, '0') : 0;
    const isNew = (p: Pod) => p.metadata.labels?.[REVISION_HASH] === hash;
    const byAge = (a: Pod, b: Pod) => Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? '');
    // Nodes running an old and a new pod side by side (surging).
    let surging = desired.filter((n) => {
      const here = (byNode.get(n.metadata.name!) ?? []).filter((p) => p.status?.phase !== 'Failed');
      return here.some(isNew) && here.some((p) => !isNew(p));
    }).length;
    for (const node of desired) {
      const here = (byNode.get(node.metadata.name!) ?? []).sort(byAge);
      remove.push(...here.filter((p) => p.status?.phase === 'Failed'));
      const alive = here.filter((p) => p.status?.phase !== 'Failed');
      if (alive.length === 0) {
        create.push(node.metadata.name!);
        continue;
      }
      if (maxSurge === 0) {
        remove.push(...alive.slice(1)); // one per node: the oldest stays
        continue;
      }
      // Surge: the new pod starts beside the old one, which goes once the new one is available.
      const fresh = alive.filter(isNew);
      const old = alive.filter((p) => !isNew(p));
      if (fresh.length) {
        remove.push(...fresh.slice(1));
        if (isAvailable(fresh[0]!, minReady, now)) remove.push(...old);
      } else {
        remove.push(...old.slice(1));
        if (!isAvailable(old[0]!, minReady, now)) remove.push(old[0]!);
        else if (surging < maxSurge) {
          create.push(node.metadata.name!);
          surging++;
        }
      }
    }
    for (const [node, here] of byNode) if (!desiredNames.has(node)) remove.push(...here);

    // Rolling update without surge: old pods go while no more than maxUnavailable nodes lack an available pod.
    if (strategy === 'RollingUpdate' && maxSurge === 0) {
      const maxUnavailable = Math.max(1, resolveIntOrPercent(rolling?.maxUnavailable, desired.length, true, '1'));
      const current = (n: Node) => (byNode.get(n.metadata.name!) ?? []).find((p) => p.status?.phase !== 'Failed');
      let unavailable = desired.filter((n) => {
        const p = current(n);
        return !p || !isAvailable(p, minReady, now) || remove.includes(p);
      }).length;
      for (const node of desired) {
        const p = current(node);
        if (!p || isNew(p) || remove.includes(p)) continue;
        // An old pod that is not available anyway costs nothing to replace.
        if (!isAvailable(p, minReady, now)) remove.push(p);
        else if (unavailable < maxUnavailable) {
          remove.push(p);
          unavailable++;
        }
      }
    }

    let refused: Error | undefined;
    if (this.expectations.satisfied(key)) {
      await deleteOwnedPods(this.ctx, this.expectations, key, ds, remove, (p) => `Deleted pod: ${p.metadata.name}`);
      refused = await this.createPods(key, ds, create, hash);
    }
    const result = await this.writeStatus(ds, desired, byNode, hash, now);
    // A refused create (quota, admission) is retried with the queue's back-off, as Kubernetes'
    // controller does: nothing else would bring the DaemonSet back once the refusal is lifted.
    if (refused) throw refused;
    return result;
  }

  /** The revision hash of the current template, recording it as a ControllerRevision. */
  private async currentRevision(ds: DaemonSet, owned: Pod[]): Promise<string> {
    const history = this.revisions.byIndex('daemonset-owner', ds.metadata.uid!);
    const inUse = new Set(owned.map((p) => `${ds.metadata.name}-${p.metadata.labels?.[REVISION_HASH]}`));
    return (await recordRevision(this.ctx.client, ds, 'DaemonSet', history, inUse)).hash;
  }

  /** Creates the pods for `nodes`; the first refusal, if any, is returned for a retry. */
  private async createPods(key: string, ds: DaemonSet, nodes: string[], hash: string): Promise<Error | undefined> {
    if (!nodes.length) return undefined;
    const template = ds.spec.template;
    this.expectations.expectCreations(key, nodes.length);
    const results = await Promise.allSettled(
      nodes.map((node) =>
        this.ctx.client.create<Pod>(pods, ds.metadata.namespace, {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            generateName: `${ds.metadata.name}-`,
            namespace: ds.metadata.namespace,
            labels: { ...(template.metadata?.labels ?? {}), [REVISION_HASH]: hash, 'pod-template-generation': String(ds.metadata.generation ?? 1) },
            ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
            ownerReferences: [controllerRefTo(ds, 'apps/v1', 'DaemonSet')],
          },
          spec: podSpecFor(template.spec, node),
        }),
      ),
    );
    let refused: Error | undefined;
    for (const r of results) {
      if (r.status === 'fulfilled') this.ctx.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name}`);
      else {
        this.expectations.creationSkipped(key);
        // A namespace being deleted refuses every create: nothing to report or retry.
        if (isNamespaceTerminating(r.reason)) continue;
        this.ctx.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${(r.reason as Error).message}`);
        refused ??= r.reason as Error;
      }
    }
    return refused;
  }

  private async writeStatus(ds: DaemonSet, desired: Node[], byNode: Map<string, Pod[]>, hash: string, now: number): Promise<ReconcileResult> {
    const minReady = ds.spec.minReadySeconds ?? 0;
    const desiredNames = new Set(desired.map((n) => n.metadata.name!));
    // With a surge a node may run two: the current revision's speaks for it.
    const podOn = (n: string) => {
      const here = (byNode.get(n) ?? []).filter((p) => p.status?.phase !== 'Failed');
      return here.find((p) => p.metadata.labels?.[REVISION_HASH] === hash) ?? here[0];
    };
    const scheduled = desired.filter((n) => podOn(n.metadata.name!));
    const available = scheduled.filter((n) => isAvailable(podOn(n.metadata.name!)!, minReady, now)).length;
    const status = {
      currentNumberScheduled: scheduled.length,
      numberMisscheduled: [...byNode.keys()].filter((n) => !desiredNames.has(n)).length,
      desiredNumberScheduled: desired.length,
      numberReady: scheduled.filter((n) => isReady(podOn(n.metadata.name!)!)).length,
      observedGeneration: ds.metadata.generation ?? 1,
      updatedNumberScheduled: scheduled.filter((n) => podOn(n.metadata.name!)!.metadata.labels?.[REVISION_HASH] === hash).length,
      numberAvailable: available,
      numberUnavailable: desired.length - available,
    };
    const before = ds.status ?? {};
    if (Object.entries(status).some(([k, v]) => (before as Record<string, unknown>)[k] !== v)) {
      try {
        await this.ctx.client.request('PUT', this.ctx.client.path(daemonsets, ds.metadata.namespace, ds.metadata.name!, 'status'), { body: { ...ds, status: { ...before, ...status } } });
      } catch (err) {
        if (!(err instanceof StatusError && (err.code === 409 || err.code === 404))) throw err;
      }
    }
    const wait = Math.min(...[...byNode.values()].flat().map((p) => untilAvailable(p, minReady, now)).filter((ms) => ms > 0));
    return Number.isFinite(wait) ? { requeueAfterMs: wait + 100 } : undefined;
  }
}

// The garbage collector: a graph of every object's ownerReferences, kept from informers on all
// resources. Dependents whose owners are all gone are deleted (background); an owner deleted
// in the foreground keeps its `foregroundDeletion` finalizer until its blocking dependents are
// gone (dependents are deleted in the foreground too, cycles excepted); an owner deleted with
// `orphan` first has its reference removed from every dependent. Owners missing from the graph
// are checked live before anything is deleted, so cache lag never deletes a live object.
import { builtinResources, findBuiltinByKind, groupVersion, type ApiResource } from '../../api/resource-catalog.js';
import { StatusError } from '../../api/status.js';
import type { KubeObject, OwnerReference } from '../../api/types/meta.js';
import { discoverExtraResources } from '../../client/discovery.js';
import { Informer as InformerOf, type Informer } from '../../client/informer.js';
import { sleep } from '../../client/sleep.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';

interface GraphNode {
  uid: string;
  resource?: ApiResource;
  obj?: KubeObject;
  /** Uids of the objects that name this one as an owner (changed only by addDependent/removeDependent). */
  dependents: ReadonlySet<string>;
}

// Most objects (every pod, lease, endpoint...) own nothing: one set for all of them rather than
// an empty Set each. Never added to: addDependent gives a node its own set first.
const NO_DEPENDENTS: ReadonlySet<string> = new Set<string>();

function addDependent(owner: GraphNode, uid: string): void {
  const set = owner.dependents === NO_DEPENDENTS ? new Set<string>() : (owner.dependents as Set<string>);
  set.add(uid);
  owner.dependents = set;
}

function removeDependent(owner: GraphNode | undefined, uid: string): void {
  if (owner && owner.dependents !== NO_DEPENDENTS) (owner.dependents as Set<string>).delete(uid);
}

const FOREGROUND = 'foregroundDeletion';
const ORPHAN = 'orphan';

const collectable = (r: ApiResource) => r.verbs.includes('list') && r.verbs.includes('watch') && r.verbs.includes('delete') && r.plural !== 'events';

/** Every built-in resource whose objects can be owned or own: listable, watchable, deletable; one version per storage. */
export function collectableResources(): ApiResource[] {
  return builtinResources.filter((r) => r.storageVersion && collectable(r));
}

const DISCOVERY_RESYNC_MS = 30_000;

const hasFinalizer = (o: KubeObject, f: string) => (o.metadata.finalizers ?? []).includes(f);

export class GarbageCollector extends Controller {
  private readonly graph = new Map<string, GraphNode>();
  private readonly informers: Array<[ApiResource, Informer]> = [];
  /** Custom resources found by discovery and followed, by `group/version/plural`. */
  private readonly custom = new Map<string, ApiResource>();
  deleted = 0;

  constructor(ctx: ControllerContext) {
    super('garbagecollector', ctx);
    for (const r of collectableResources()) this.monitor(r, ctx.informers.for(`${groupVersion(r)}/${r.plural}`));
  }

  private monitor(r: ApiResource, inf: Informer): void {
    this.informers.push([r, inf]);
    inf.addHandler({
      add: (o) => this.observe(r, o),
      update: (_old, o) => this.observe(r, o),
      delete: (o) => this.forgetObject(o),
    });
  }

  /** Custom resources own and are owned too: follow what discovery adds, as Kubernetes' GC resyncs its monitors. */
  private async followDiscovery(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        for (const r of await discoverExtraResources(this.ctx.client)) {
          const key = `${groupVersion(r)}/${r.plural}`;
          if (this.custom.has(key) || !collectable(r)) continue;
          const inf = new InformerOf(this.ctx.client, r, {}, this.log);
          this.custom.set(key, r);
          this.monitor(r, inf);
          void inf.run(signal);
          // Owners of this kind seen before it was followed were taken as alive: look again.
          void inf.synced.then(() => {
            for (const n of this.graph.values()) {
              if (n.obj?.metadata.ownerReferences?.some((ref) => ref.apiVersion === groupVersion(r) && ref.kind === r.kind)) this.queue.add(`delete:${n.uid}`);
            }
          });
        }
      } catch (err) {
        this.log.debug({ err: (err as Error).message }, 'discovery failed; trying again');
      }
      // At most one look every two seconds, however many unknown owners are seen.
      await sleep(2000, signal);
      const wake = new AbortController();
      this.wakeDiscovery = () => {
        this.unknownOwnerSeen = true;
        wake.abort();
      };
      if (this.unknownOwnerSeen) wake.abort();
      this.unknownOwnerSeen = false;
      await sleep(DISCOVERY_RESYNC_MS, AbortSignal.any([signal, wake.signal]));
    }
  }

  /** Looks at discovery again now (an owner of a kind not followed yet was seen). */
  private wakeDiscovery: () => void = () => (this.unknownOwnerSeen = true);
  private unknownOwnerSeen = false;

  override async run(signal: AbortSignal): Promise<void> {
    void this.followDiscovery(signal);
    await super.run(signal);
  }

  /** The resource of an owner reference's kind, built in or discovered. */
  private resourceOfKind(apiVersion: string, kind: string): ApiResource | undefined {
    return findBuiltinByKind(apiVersion, kind) ?? [...this.custom.values()].find((r) => groupVersion(r) === apiVersion && r.kind === kind);
  }

  private node(uid: string): GraphNode {
    let n = this.graph.get(uid);
    if (!n) this.graph.set(uid, (n = { uid, dependents: NO_DEPENDENTS }));
    return n;
  }

  private observe(r: ApiResource, o: KubeObject): void {
    const uid = o.metadata.uid!;
    const n = this.node(uid);
    const before = n.obj?.metadata.ownerReferences ?? [];
    n.obj = o;
    n.resource = r;
    const now = o.metadata.ownerReferences ?? [];
    for (const ref of before) if (!now.some((x) => x.uid === ref.uid)) removeDependent(this.graph.get(ref.uid), uid);
    for (const ref of now) addDependent(this.node(ref.uid), uid);
    if (now.some((ref) => !this.resourceOfKind(ref.apiVersion, ref.kind))) this.wakeDiscovery();

    if (o.metadata.deletionTimestamp) {
      if (hasFinalizer(o, FOREGROUND)) this.queue.add(`delete:${uid}`);
      if (hasFinalizer(o, ORPHAN)) this.queue.add(`orphan:${uid}`);
    }
    for (const ref of now) {
      const owner = this.graph.get(ref.uid)?.obj;
      if (!owner || owner.metadata.deletionTimestamp) this.queue.add(`delete:${uid}`);
      // An owner waiting for its dependents hears about every change to them.
      if (owner?.metadata.deletionTimestamp && hasFinalizer(owner, FOREGROUND)) this.queue.add(`delete:${ref.uid}`);
    }
  }

  private forgetObject(o: KubeObject): void {
    const uid = o.metadata.uid!;
    const n = this.graph.get(uid);
    if (!n) return;
    for (const ref of n.obj?.metadata.ownerReferences ?? []) {
      const owner = this.graph.get(ref.uid);
      removeDependent(owner, uid);
      if (owner?.obj?.metadata.deletionTimestamp) this.queue.add(`delete:${ref.uid}`);
      if (owner && !owner.obj && owner.dependents.size === 0) this.graph.delete(ref.uid);
    }
    n.obj = undefined;
    for (const dep of n.dependents) this.queue.add(`delete:${dep}`);
    if (n.dependents.size === 0) this.graph.delete(uid);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const [action, uid] = key.split(':') as ['delete' | 'orphan', string];
    const n = this.graph.get(uid);
    if (!n?.obj) return;
    if (action === 'orphan') return this.orphanDependents(n);
    const obj = n.obj;
    if (obj.metadata.deletionTimestamp) {
      if (hasFinalizer(obj, FOREGROUND)) return this.processDeletingDependents(n);
      return;
    }
    await this.attemptToDelete(n);
  }

  private liveDependents(n: GraphNode): GraphNode[] {
    return [...n.dependents].map((d) => this.graph.get(d)).filter((d): d is GraphNode => !!d?.obj);
  }

  private blocks(dep: GraphNode, ownerUid: string): boolean {
    return (dep.obj!.metadata.ownerReferences ?? []).some((r) => r.uid === ownerUid && r.blockOwnerDeletion);
  }

  /** Whether `target` is reachable from `from` along blocking-dependent edges (a foreground cycle). */
  private reaches(from: GraphNode, target: string, seen = new Set<string>()): boolean {
    for (const d of this.liveDependents(from)) {
      if (!this.blocks(d, from.uid) || seen.has(d.uid)) continue;
      if (d.uid === target) return true;
      seen.add(d.uid);
      if (this.reaches(d, target, seen)) return true;
    }
    return false;
  }

  private async processDeletingDependents(n: GraphNode): Promise<ReconcileResult> {
    const blocking = this.liveDependents(n).filter((d) => this.blocks(d, n.uid));
    // A dependent that itself waits on us (a cycle) cannot be waited for.
    const waitFor = blocking.filter((d) => !(d.obj!.metadata.deletionTimestamp && hasFinalizer(d.obj!, FOREGROUND) && this.reaches(d, n.uid)));
    if (waitFor.length === 0) {
      await this.removeFinalizer(n, FOREGROUND);
      return;
    }
    for (const d of waitFor) if (!d.obj!.metadata.deletionTimestamp) this.queue.add(`delete:${d.uid}`);
    // Dependents without blockOwnerDeletion are deleted too, but nobody waits for them.
    for (const d of this.liveDependents(n)) if (!d.obj!.metadata.deletionTimestamp) this.queue.add(`delete:${d.uid}`);
  }

  /** Live check of an owner reference: does an object of that kind, name and uid exist? */
  private async ownerState(dependent: KubeObject, ref: OwnerReference): Promise<'solid' | 'dangling' | 'waiting'> {
    const cached = this.graph.get(ref.uid)?.obj;
    const check = (o: KubeObject) => (o.metadata.deletionTimestamp && hasFinalizer(o, FOREGROUND) ? 'waiting' : 'solid');
    if (cached) return check(cached);
    const r = this.resourceOfKind(ref.apiVersion, ref.kind);
    if (!r) return 'solid'; // a kind we cannot look up: never delete on a guess
    try {
      const live = await this.ctx.client.get(r, r.namespaced ? dependent.metadata.namespace : undefined, ref.name);
      return live.metadata.uid === ref.uid ? check(live) : 'dangling';
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return 'dangling';
      throw err;
    }
  }

  private async attemptToDelete(n: GraphNode): Promise<void> {
    const obj = n.obj!;
    const refs = obj.metadata.ownerReferences ?? [];
    if (!refs.length) return;
    const states = await Promise.all(refs.map(async (ref) => ({ ref, state: await this.ownerState(obj, ref) })));
    const solid = states.filter((s) => s.state === 'solid');
    const gone = states.filter((s) => s.state !== 'solid');
    if (!gone.length) return;
    if (solid.length) {
      // Another owner still holds it: only drop the references to owners that are gone or going.
      await this.patchOwnerRefs(n, refs.filter((r) => solid.some((s) => s.ref.uid === r.uid)));
      return;
    }
    const waiting = gone.some((s) => s.state === 'waiting');
    const policy = hasFinalizer(obj, ORPHAN) ? 'Orphan' : waiting || hasFinalizer(obj, FOREGROUND) ? 'Foreground' : 'Background';
    try {
      await this.ctx.client.delete(n.resource!, obj.metadata.namespace, obj.metadata.name!, { propagationPolicy: policy, preconditions: { uid: obj.metadata.uid } });
      this.deleted++;
      this.log.debug({ kind: obj.kind, name: obj.metadata.name, policy }, 'deleted a dependent whose owners are gone');
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
    }
  }

  private async orphanDependents(n: GraphNode): Promise<void> {
    for (const d of this.liveDependents(n)) {
      await this.patchOwnerRefs(d, (d.obj!.metadata.ownerReferences ?? []).filter((r) => r.uid !== n.uid));
    }
    await this.removeFinalizer(n, ORPHAN);
  }

  private async patchOwnerRefs(n: GraphNode, refs: OwnerReference[]): Promise<void> {
    const o = n.obj!;
    try {
      await this.ctx.client.patch(n.resource!, o.metadata.namespace, o.metadata.name!, { metadata: { uid: o.metadata.uid, ownerReferences: refs.length ? refs : null } }, 'merge');
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
    }
  }

  /** Removes one finalizer by a read-modify-write on the current object (409 retries via the queue). */
  private async removeFinalizer(n: GraphNode, finalizer: string): Promise<void> {
    const o = n.obj!;
    let live: KubeObject;
    try {
      live = await this.ctx.client.get(n.resource!, o.metadata.namespace, o.metadata.name!);
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return;
      throw err;
    }
    if (live.metadata.uid !== o.metadata.uid || !hasFinalizer(live, finalizer)) return;
    live.metadata.finalizers = live.metadata.finalizers!.filter((f) => f !== finalizer);
    try {
      await this.ctx.client.update(n.resource!, live);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }
}

// An in-memory ApiClient for unit tests, in the manner of client-go's fake clientset: it keeps
// objects per resource, answers reads from them, applies writes to them (merge patches too)
// and records every call as an action, so a test can seed state, run one reconcile and compare
// the actions it made. No network, no apiserver.
import { clone } from '../api/codec/values.js';
import { applyMergePatch } from '../api/patch/merge-patch.js';
import { applyJsonPatch } from '../api/patch/json-patch.js';
import { labelSelectorToString } from '../api/labels.js';
import { findBuiltin, type ApiResource } from '../api/resource-catalog.js';
import { alreadyExists, notFound, StatusError } from '../api/status.js';
import type { DeleteOptions, KubeList, KubeObject, Status } from '../api/types/meta.js';
import type { ApiClient, HttpMethod, Query, WatchResponse } from './api-client.js';
import { resourcePath, type ListOptions, type PatchType } from './rest.js';

export type Verb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface Action {
  verb: Verb;
  /** The resource's plural, e.g. pods or replicasets. */
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The body of a create or update, or the patch document. */
  body?: unknown;
  patchType?: PatchType;
}

type Reactor = (action: Action) => Error | undefined;

export class FakeClient implements ApiClient {
  readonly actions: Action[] = [];
  private readonly objects = new Map<string, KubeObject>();
  private readonly reactors: Reactor[] = [];
  private revision = 1;
  private uids = 0;

  /** Puts objects in the store (not recorded as actions). */
  seed(r: ApiResource, ...objs: KubeObject[]): void {
    for (const o of objs) this.objects.set(this.key(r, o.metadata.namespace, o.metadata.name!), clone(o));
  }

  /** Makes calls that `match` fail with `error` (e.g. a 409 Conflict for the next update). */
  failWhen(match: Partial<Pick<Action, 'verb' | 'resource' | 'subresource'>>, error: Error, times = Infinity): void {
    let left = times;
    this.reactors.push((a) => {
      if (left <= 0) return undefined;
      if (match.verb && match.verb !== a.verb) return undefined;
      if (match.resource && match.resource !== a.resource) return undefined;
      if (match.subresource !== undefined && match.subresource !== a.subresource) return undefined;
      left--;
      return error;
    });
  }

  /** Recorded writes (everything but get and list), optionally of one resource. */
  writes(resource?: string): Action[] {
    return this.actions.filter((a) => a.verb !== 'get' && a.verb !== 'list' && (!resource || a.resource === resource));
  }

  stored<T extends KubeObject = KubeObject>(r: ApiResource, namespace: string | undefined, name: string): T | undefined {
    const o = this.objects.get(this.key(r, namespace, name));
    return o ? (clone(o) as T) : undefined;
  }

  private key(r: ApiResource, namespace: string | undefined, name: string): string {
    return `${r.storage}/${r.namespaced ? (namespace ?? '') : ''}/${name}`;
  }

  private record(action: Action): void {
    this.actions.push(action);
    for (const reactor of this.reactors) {
      const err = reactor(action);
      if (err) throw err;
    }
  }

  private stamp(o: KubeObject): KubeObject {
    o.metadata.resourceVersion = String(++this.revision);
    return o;
  }

  path(r: ApiResource, namespace?: string, name?: string, subresource?: string): string {
    return resourcePath(r, namespace, name, subresource);
  }

  /** Generic requests, resolved back to a verb on a resource. */
  async request<T>(method: HttpMethod, path: string, opts: { query?: Query; body?: unknown; contentType?: string; accept?: string } = {}): Promise<T> {
    // Discovery: a fake server serves the built-in resources only.
    if (method === 'GET' && path === '/apis') return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items: [] } as T;
    const m = /^\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(path.split('?')[0]!);
    if (!m) throw new Error(`FakeClient cannot resolve ${path}`);
    const [, coreVersion, group, groupVersion] = m;
    let namespace: string | undefined = m[4];
    let plural: string | undefined = m[5];
    let rawName: string | undefined = m[6];
    let subresource: string | undefined = m[7];
    // /api/v1/namespaces/<name>/<subresource> is a namespace's own subresource (finalize, status).
    if (namespace && !rawName && !findBuiltin(group ?? '', coreVersion ?? groupVersion!, plural!)) {
      [subresource, rawName, plural, namespace] = [plural, namespace, 'namespaces', undefined];
    }
    const r = findBuiltin(group ?? '', coreVersion ?? groupVersion!, plural!);
    if (!r) throw new Error(`FakeClient: unknown resource in ${path}`);
    const name = rawName ? decodeURIComponent(rawName) : undefined;
    const ns = namespace ? decodeURIComponent(namespace) : undefined;
    if (subresource === 'scale' && name) return this.scale(r, ns, name, method, opts.body as KubeObject) as T;
    switch (method) {
      case 'GET':
        return (name ? this.get(r, ns, name) : this.list(r, ns)) as Promise<T>;
      case 'POST':
        if (subresource) {
          this.record({ verb: 'create', resource: r.plural, namespace: ns, name, subresource, body: opts.body });
          return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } as T;
        }
        return this.create(r, ns, opts.body as KubeObject) as Promise<T>;
      case 'PUT':
        return this.write(r, ns, name!, subresource, opts.body as KubeObject) as unknown as T;
      case 'DELETE':
        return (name ? this.delete(r, ns, name, opts.body as DeleteOptions) : this.deleteCollection(r, ns, opts.body as DeleteOptions)) as Promise<T>;
      default:
        throw new Error(`FakeClient: ${method} ${path} is not supported`);
    }
  }

  /** The scale subresource of a workload: its replicas and selector as an autoscaling/v1 Scale. */
  private scale(r: ApiResource, namespace: string | undefined, name: string, method: HttpMethod, body: KubeObject | undefined): KubeObject {
    const key = this.key(r, namespace, name);
    const o = this.objects.get(key);
    if (!o) throw notFound(r.plural, r.group, name);
    if (method === 'PUT') {
      this.record({ verb: 'update', resource: r.plural, namespace, name, subresource: 'scale', body: clone(body) });
      const next = clone(o);
      next.spec = { ...next.spec, replicas: body?.spec?.replicas ?? 0 };
      this.objects.set(key, this.stamp(next));
    } else if (method !== 'GET') throw new Error(`FakeClient: ${method} of scale is not supported`);
    else this.record({ verb: 'get', resource: r.plural, namespace, name, subresource: 'scale' });
    const cur = this.objects.get(key)!;
    const selector = cur.kind === 'ReplicationController' ? labelSelectorToString({ matchLabels: cur.spec?.selector ?? {} }) : labelSelectorToString(cur.spec?.selector);
    return { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name, namespace, resourceVersion: cur.metadata.resourceVersion }, spec: { replicas: cur.spec?.replicas ?? 0 }, status: { replicas: cur.status?.replicas ?? 0, selector } };
  }

  async get<T extends KubeObject>(r: ApiResource, namespace: string | undefined, name: string): Promise<T> {
    this.record({ verb: 'get', resource: r.plural, namespace, name });
    const o = this.objects.get(this.key(r, namespace, name));
    if (!o) throw notFound(r.plural, r.group, name);
    return clone(o) as T;
  }

  async list<T extends KubeObject>(r: ApiResource, namespace?: string, _opts?: ListOptions): Promise<KubeList<T>> {
    this.record({ verb: 'list', resource: r.plural, namespace });
    return { apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: `${r.kind}List`, metadata: { resourceVersion: String(this.revision) }, items: await this.listQuietly<T>(r, namespace) };
  }

  private async listQuietly<T extends KubeObject>(r: ApiResource, namespace?: string): Promise<T[]> {
    const prefix = `${r.storage}/${r.namespaced ? (namespace ?? '') : ''}/`;
    return [...this.objects]
      .filter(([k]) => (namespace || !r.namespaced ? k.startsWith(prefix) : k.startsWith(`${r.storage}/`)))
      .map(([, o]) => clone(o) as T);
  }

  private readonly reviewers = new Map<string, (obj: KubeObject) => KubeObject>();

  /** Answers creates of `plural` (reviews, which the server computes and never stores) with `answer`. */
  answerCreates(plural: string, answer: (obj: KubeObject) => KubeObject): void {
    this.reviewers.set(plural, answer);
  }

  async create<T extends KubeObject>(r: ApiResource, namespace: string | undefined, obj: T): Promise<T> {
    const reviewer = this.reviewers.get(r.plural);
    if (reviewer) {
      this.record({ verb: 'create', resource: r.plural, namespace, body: clone(obj) });
      return reviewer(clone(obj)) as T;
    }
    const o = clone(obj);
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = `${o.metadata.generateName}${(++this.uids).toString(36).padStart(5, '0')}`;
    if (r.namespaced) o.metadata.namespace ??= namespace;
    this.record({ verb: 'create', resource: r.plural, namespace, name: o.metadata.name, body: clone(o) });
    const key = this.key(r, namespace, o.metadata.name!);
    if (this.objects.has(key)) throw alreadyExists(r.plural, r.group, o.metadata.name!);
    o.metadata.uid ??= `uid-${++this.uids}`;
    this.objects.set(key, this.stamp(o));
    return clone(o) as T;
  }

  private write<T extends KubeObject>(r: ApiResource, namespace: string | undefined, name: string, subresource: string | undefined, obj: T): T {
    this.record({ verb: 'update', resource: r.plural, namespace, name, subresource, body: clone(obj) });
    const key = this.key(r, namespace, name);
    const current = this.objects.get(key);
    if (!current) throw notFound(r.plural, r.group, name);
    const rv = obj.metadata.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) {
      throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${r.plural} "${name}": the object has been modified`);
    }
    const next = subresource === 'status' ? { ...clone(current), status: clone(obj.status) } : clone(obj);
    this.objects.set(key, this.stamp(next));
    return clone(next) as T;
  }

  async update<T extends KubeObject>(r: ApiResource, obj: T): Promise<T> {
    return this.write(r, obj.metadata.namespace, obj.metadata.name!, undefined, obj);
  }

  async updateStatus<T extends KubeObject>(r: ApiResource, obj: T): Promise<T> {
    return this.write(r, obj.metadata.namespace, obj.metadata.name!, 'status', obj);
  }

  async patch<T extends KubeObject>(r: ApiResource, namespace: string | undefined, name: string, patch: unknown, type: PatchType = 'merge', subresource?: string): Promise<T> {
    this.record({ verb: 'patch', resource: r.plural, namespace, name, subresource, body: clone(patch), patchType: type });
    const key = this.key(r, namespace, name);
    const current = this.objects.get(key);
    if (!current) throw notFound(r.plural, r.group, name);
    // Merge-style patches as merge patches (enough for tests; lists are replaced), JSON patches as such.
    const next = (type === 'json' ? applyJsonPatch(current, patch) : applyMergePatch(current, patch)) as KubeObject;
    const uid = (patch as { metadata?: { uid?: string } })?.metadata?.uid;
    if (uid && uid !== current.metadata.uid) throw new StatusError(409, 'Conflict', `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid}`);
    this.objects.set(key, this.stamp(next));
    return clone(next) as T;
  }

  async delete(r: ApiResource, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<KubeObject | Status> {
    this.record({ verb: 'delete', resource: r.plural, namespace, name, body: options });
    const key = this.key(r, namespace, name);
    const current = this.objects.get(key);
    if (!current) throw notFound(r.plural, r.group, name);
    this.objects.delete(key);
    return clone(current);
  }

  /** Deletes every object of the resource in the namespace (or cluster-wide). */
  async deleteCollection(r: ApiResource, namespace: string | undefined, options: DeleteOptions = {}): Promise<Status> {
    this.record({ verb: 'deletecollection', resource: r.plural, namespace, body: options });
    for (const o of (await this.listQuietly(r, namespace))) this.objects.delete(this.key(r, o.metadata.namespace, o.metadata.name!));
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
  }

  async openWatch(r: ApiResource): Promise<WatchResponse> {
    throw new Error(`FakeClient does not watch ${r.plural}: seed informers with Informer.replace() instead`);
  }

  async close(): Promise<void> {}
}

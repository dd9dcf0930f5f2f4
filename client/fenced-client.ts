// A client that refuses to write while its process may not act: a leader-elected component
// (scheduler, controller-manager) writes through one, so a leader that could not renew its
// Lease in time stops writing at its renew deadline, before a successor may take the Lease
// (lease duration > renew deadline), even when the renewal itself hangs. Reads pass through:
// caches may go on filling while leadership is decided.
import type { ApiResource } from '../api/resource-catalog.js';
import { StatusError } from '../api/status.js';
import type { DeleteOptions, KubeList, KubeObject, Status } from '../api/types/meta.js';
import type { ApiClient, HttpMethod, Query, WatchResponse } from './api-client.js';
import type { ListOptions, PatchType, WatchOptions } from './rest.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class FencedClient implements ApiClient {
  constructor(
    private readonly inner: ApiClient,
    /** True while writes may go out; checked before every one. */
    private readonly mayWrite: () => boolean,
    /** Says who fenced, for the refusal's message. */
    private readonly what: string,
  ) {}

  private check(): void {
    if (!this.mayWrite()) throw new StatusError(503, 'ServiceUnavailable', `not writing: ${this.what}`);
  }

  path(r: ApiResource, namespace?: string, name?: string, subresource?: string): string {
    return this.inner.path(r, namespace, name, subresource);
  }

  async request<T>(method: HttpMethod, path: string, opts?: { query?: Query; body?: unknown; contentType?: string; accept?: string }): Promise<T> {
    if (!READS.has(method)) this.check();
    return this.inner.request(method, path, opts);
  }

  get<T extends KubeObject>(r: ApiResource, namespace: string | undefined, name: string): Promise<T> {
    return this.inner.get(r, namespace, name);
  }

  list<T extends KubeObject>(r: ApiResource, namespace?: string, opts?: ListOptions): Promise<KubeList<T>> {
    return this.inner.list(r, namespace, opts);
  }

  async create<T extends KubeObject>(r: ApiResource, namespace: string | undefined, obj: T): Promise<T> {
    this.check();
    return this.inner.create(r, namespace, obj);
  }

  async update<T extends KubeObject>(r: ApiResource, obj: T): Promise<T> {
    this.check();
    return this.inner.update(r, obj);
  }

  async updateStatus<T extends KubeObject>(r: ApiResource, obj: T): Promise<T> {
    this.check();
    return this.inner.updateStatus(r, obj);
  }

  async patch<T extends KubeObject>(r: ApiResource, namespace: string | undefined, name: string, patch: unknown, type?: PatchType, subresource?: string, query?: Query): Promise<T> {
    this.check();
    return this.inner.patch(r, namespace, name, patch, type, subresource, query);
  }

  async delete(r: ApiResource, namespace: string | undefined, name: string, options?: DeleteOptions): Promise<KubeObject | Status> {
    this.check();
    return this.inner.delete(r, namespace, name, options);
  }

  openWatch(r: ApiResource, namespace: string | undefined, opts: WatchOptions, signal: AbortSignal): Promise<WatchResponse> {
    return this.inner.openWatch(r, namespace, opts, signal);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

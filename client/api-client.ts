// What components need from the apiserver, as an interface: RestClient speaks it over HTTP,
// FakeClient (fake-client.ts) records it in memory for controller and kubelet unit tests.
import type { Readable } from 'node:stream';
import type { ApiResource } from '../api/resource-catalog.js';
import type { DeleteOptions, KubeList, KubeObject, Status } from '../api/types/meta.js';
import type { ListOptions, PatchType, WatchOptions } from './rest.js';

export type Query = Record<string, string | number | boolean | undefined>;

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** An open watch: its body is read with readWatchEvents (client/watch.ts). */
export interface WatchResponse {
  statusCode: number;
  body: Readable;
}

export interface ApiClient {
  /** The URL path of a resource, an object or one of its subresources. */
  path(r: ApiResource, namespace?: string, name?: string, subresource?: string): string;
  /** One request; a non-2xx answer becomes a StatusError carrying the server's Status. */
  request<T>(method: HttpMethod, path: string, opts?: { query?: Query; body?: unknown; contentType?: string; accept?: string }): Promise<T>;
  get<T extends KubeObject>(r: ApiResource, namespace: string | undefined, name: string): Promise<T>;
  list<T extends KubeObject>(r: ApiResource, namespace?: string, opts?: ListOptions): Promise<KubeList<T>>;
  create<T extends KubeObject>(r: ApiResource, namespace: string | undefined, obj: T): Promise<T>;
  update<T extends KubeObject>(r: ApiResource, obj: T): Promise<T>;
  /** Writes only the status (the status subresource), as controllers and kubelets must. */
  updateStatus<T extends KubeObject>(r: ApiResource, obj: T): Promise<T>;
  patch<T extends KubeObject>(r: ApiResource, namespace: string | undefined, name: string, patch: unknown, type?: PatchType, subresource?: string, query?: Query): Promise<T>;
  delete(r: ApiResource, namespace: string | undefined, name: string, options?: DeleteOptions): Promise<KubeObject | Status>;
  /** Opens a watch stream; the caller reads it with readWatchEvents and aborts with `signal`. */
  openWatch(r: ApiResource, namespace: string | undefined, opts: WatchOptions, signal: AbortSignal): Promise<WatchResponse>;
  close(): Promise<void>;
}

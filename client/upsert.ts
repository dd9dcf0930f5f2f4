// Read-or-create helpers for components that register objects of their own (kube-dns's Service,
// metrics-server's APIService): idempotent, so they can be re-asserted again and again.
import { StatusError } from '../api/status.js';
import type { KubeObject } from '../api/types/meta.js';
import type { ApiClient } from './api-client.js';
import type { ApiResource } from '../api/resource-catalog.js';

export async function getIfExists(client: ApiClient, r: ApiResource, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
  try {
    return await client.get(r, namespace, name);
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) return undefined;
    throw err;
  }
}

/** Creates `obj`, or replaces the existing one's content (keeping its metadata, with `obj`'s labels). */
export async function upsert(client: ApiClient, r: ApiResource, obj: KubeObject): Promise<KubeObject> {
  try {
    return await client.create(r, obj.metadata.namespace, obj);
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 409)) throw err;
    const current = await client.get(r, obj.metadata.namespace, obj.metadata.name!);
    return client.update(r, { ...current, ...obj, metadata: { ...current.metadata, labels: obj.metadata.labels } });
  }
}

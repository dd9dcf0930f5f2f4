// What a server serves beyond the built-in resources (custom resources), read from aggregated
// discovery as client-go's discovery client reads it. Controllers that act on every kind (the
// namespace controller, the garbage collector) add these to the built-in table.
import { findBuiltin, type ApiResource } from '../api/resource-catalog.js';
import type { ApiClient } from './api-client.js';

interface DiscoveryResource {
  resource: string;
  responseKind?: { group: string; version: string; kind: string };
  scope: 'Namespaced' | 'Cluster';
  verbs?: string[];
}

interface GroupDiscoveryList {
  items: Array<{ metadata: { name?: string }; versions: Array<{ version: string; resources: DiscoveryResource[] }> }>;
}

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** The resources of the server's preferred group versions that are not built in. */
export async function discoverExtraResources(client: ApiClient): Promise<ApiResource[]> {
  const list = await client.request<GroupDiscoveryList>('GET', '/apis', { accept: AGGREGATED });
  const out: ApiResource[] = [];
  for (const group of list.items ?? []) {
    const name = group.metadata?.name ?? '';
    // The first version is the preferred one.
    const preferred = group.versions?.[0];
    if (!preferred) continue;
    for (const d of preferred.resources ?? []) {
      if (findBuiltin(name, preferred.version, d.resource)) continue;
      const kind = d.responseKind?.kind ?? '';
      out.push({
        group: name,
        version: preferred.version,
        kind,
        plural: d.resource,
        namespaced: d.scope === 'Namespaced',
        verbs: (d.verbs ?? []) as ApiResource['verbs'],
        storage: `${name}/${d.resource}`,
        storageVersion: true,
      });
    }
  }
  return out;
}

/**
 * discoverExtraResources, remembered for `ttlMs`: for loops that look a kind up on every pass
 * (an HPA's custom scale target every sync, a quota's count/<custom resource>), one discovery
 * call a while instead of one per pass. A failed call is not remembered.
 */
export function cachedExtraResources(client: ApiClient, ttlMs = 30_000, now: () => number = Date.now): () => Promise<ApiResource[]> {
  let cached: { at: number; value: Promise<ApiResource[]> } | undefined;
  return () => {
    if (!cached || now() - cached.at > ttlMs) {
      const value = discoverExtraResources(client);
      cached = { at: now(), value };
      value.catch(() => (cached = undefined));
    }
    return cached.value;
  };
}

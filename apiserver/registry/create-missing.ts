// Objects every cluster has (the system PriorityClasses), made at start
// where missing; one made meanwhile by another apiserver is fine, one an operator changed is kept.
import { StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { Registry } from './registry.js';

export async function createMissing(registry: Registry, resource: ResourceInfo, objects: readonly KubeObject[]): Promise<void> {
  const store = registry.storeFor(resource);
  await Promise.all(
    objects.map(async (o) => {
      if (store.getCached(o.metadata.namespace, o.metadata.name!)) return;
      try {
        await store.create(structuredClone(o), false);
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 409)) throw err;
      }
    }),
  );
}

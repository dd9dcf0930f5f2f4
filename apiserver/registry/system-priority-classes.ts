// The system PriorityClasses (system-node-critical, system-cluster-critical), made at start if
// missing, as Kubernetes' apiserver makes them: add-ons' manifests name them.
import { StatusError } from '../../api/status.js';
import { SYSTEM_PRIORITY_CLASSES } from '../../api/kinds/scheduling/priorityclass.js';
import { findResource } from '../../api/resources.js';
import type { Registry } from './registry.js';

export async function ensureSystemPriorityClasses(registry: Registry): Promise<void> {
  const store = registry.storeFor(findResource('scheduling.k8s.io', 'v1', 'priorityclasses')!);
  await Promise.all(
    SYSTEM_PRIORITY_CLASSES.map(async (pc) => {
      if (store.getCached(undefined, pc.metadata.name!)) return;
      try {
        await store.create(structuredClone(pc), false);
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 409)) throw err;
      }
    }),
  );
}

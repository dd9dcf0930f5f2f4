// The system PriorityClasses (system-node-critical, system-cluster-critical), made at start if
// missing, as Kubernetes' apiserver makes them: add-ons' manifests name them.
import { SYSTEM_PRIORITY_CLASSES } from '../../api/kinds/scheduling/priorityclass.js';
import { findResource } from '../../api/resources.js';
import { createMissing } from './create-missing.js';
import type { Registry } from './registry.js';

export function ensureSystemPriorityClasses(registry: Registry): Promise<void> {
  return createMissing(registry, findResource('scheduling.k8s.io', 'v1', 'priorityclasses')!, SYSTEM_PRIORITY_CLASSES);
}

// Conversion between a served version and the stored version of the same resource, for
// resources served in more than one shape (core/v1 vs events.k8s.io/v1 Events, autoscaling/v1
// vs v2 HorizontalPodAutoscalers): each non-stored version's module says how.
import type { ResourceInfo } from './resources.js';
import type { KubeObject } from './types/meta.js';

/** Converts an object of `r`'s version to the stored version. */
export function toStorage(r: ResourceInfo, obj: KubeObject): KubeObject {
  return r.module.conversion ? r.module.conversion.toStorage(obj) : obj;
}

/** Converts a stored object to `r`'s version (the identity for the storage version). */
export function fromStorage(r: ResourceInfo, obj: KubeObject): KubeObject {
  return r.module.conversion ? r.module.conversion.fromStorage(obj) : obj;
}

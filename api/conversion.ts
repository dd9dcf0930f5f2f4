// Conversion between a served version and the stored version of the same resource, for
// resources served in more than one shape (core/v1 vs events.k8s.io/v1 Events, autoscaling/v1
// vs v2 HorizontalPodAutoscalers): each non-stored version's module says how.
import { storageInfo, type ResourceInfo } from './resources.js';
import { checkSchema } from './schema/check.js';
import { badRequest } from './status.js';
import type { KubeObject } from './types/meta.js';

/**
 * Converts an object of `r`'s version to the stored version. What a conversion brings in from
 * beyond the served version's schema (autoscaling/v1 carries v2's fields in annotations) is
 * typed against the stored version's schema, as a request body is, before it can be stored.
 */
export function toStorage(r: ResourceInfo, obj: KubeObject): KubeObject {
  if (!r.module.conversion) return obj;
  const stored = r.module.conversion.toStorage(obj);
  const schema = storageInfo(r).module.schema;
  const typeErrors = schema ? checkSchema(stored, schema).typeErrors : [];
  if (typeErrors.length) throw badRequest(`${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: ${typeErrors[0]}`);
  return stored;
}

/** Converts a stored object to `r`'s version (the identity for the storage version). */
export function fromStorage(r: ResourceInfo, obj: KubeObject): KubeObject {
  return r.module.conversion ? r.module.conversion.fromStorage(obj) : obj;
}

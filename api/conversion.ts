// Conversion between a served version and the stored version of the same resource, for
// resources served in more than one shape (core/v1 vs events.k8s.io/v1 Events, autoscaling/v1
// vs v2 HorizontalPodAutoscalers): each non-stored version's module says how.
import { groupVersion, storageInfo, type ResourceInfo } from './resources.js';
import { checkSchema } from './schema/check.js';
import { badRequest } from './status.js';
import type { KubeObject } from './types/meta.js';

/**
 * Converts an object of `r`'s version to the stored version. What a conversion brings in from
 * beyond the served version's schema (autoscaling/v1 carries v2's fields in annotations) is
 * typed against the stored version's schema, as a request body is, before it can be stored.
 */
export function toStorage(r: ResourceInfo, obj: KubeObject): KubeObject {
  if (!r.module.conversion || obj.apiVersion === groupVersion(storageInfoOf(r))) return obj;
  if (r.module.conversion.remote) throw new Error(`${r.kind} ${r.version} converts remotely: toStorageAsync, not toStorage`);
  return typedAsStored(r, r.module.conversion.toStorage(obj));
}

/** What a conversion to the stored version gave, checked against the stored version's schema. */
function typedAsStored(r: ResourceInfo, stored: KubeObject): KubeObject {
  // A custom resource's stored form is validated by its storage version's schema anyway.
  const schema = r.module.custom ? undefined : storageInfo(r).module.schema;
  const typeErrors = schema ? checkSchema(stored, schema).typeErrors : [];
  if (typeErrors.length) throw badRequest(`${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: ${typeErrors[0]}`);
  return stored;
}

/** Converts a stored object to `r`'s version (the identity for the storage version and for an object already in it). */
export function fromStorage(r: ResourceInfo, obj: KubeObject): KubeObject {
  const conversion = r.module.conversion;
  if (!conversion || obj.apiVersion === groupVersion(r)) return obj;
  if (conversion.remote) throw new Error(`${r.kind} ${r.version} converts remotely: fromStorageAsync, not fromStorage`);
  return conversion.fromStorage(obj);
}

/**
 * Whether an object stored with this apiVersion is already in `r`'s version, so its stored
 * bytes are the answer. A custom resource's objects may be stored in any version its
 * definition had as storage version when they were written.
 */
export function inServedVersion(r: ResourceInfo, storedAPIVersion: () => unknown): boolean {
  return !r.module.conversion || storedAPIVersion() === groupVersion(r);
}

/** Whether converting `r`'s objects means a call elsewhere (then only the async functions below convert them). */
export function convertsRemotely(r: ResourceInfo): boolean {
  return !!r.module.conversion?.remote;
}

/** toStorage, for every kind of conversion. */
export async function toStorageAsync(r: ResourceInfo, obj: KubeObject): Promise<KubeObject> {
  const remote = r.module.conversion?.remote;
  if (!remote) return toStorage(r, obj);
  const storedGV = groupVersion(storageInfoOf(r));
  if (obj.apiVersion === storedGV) return obj;
  const [stored] = await remote([obj], storedGV);
  return typedAsStored(r, stored!);
}

/** fromStorage of many objects, for every kind of conversion: one remote call for all that need it. */
export async function fromStorageAsync(r: ResourceInfo, objs: KubeObject[]): Promise<KubeObject[]> {
  const remote = r.module.conversion?.remote;
  if (!remote) return objs.map((o) => fromStorage(r, o));
  const gv = groupVersion(r);
  const pending = objs.filter((o) => o.apiVersion !== gv);
  if (!pending.length) return objs;
  const converted = await remote(pending, gv);
  let next = 0;
  return objs.map((o) => (o.apiVersion === gv ? o : converted[next++]!));
}

/** The stored version's group and version (a custom resource's is on its module). */
function storageInfoOf(r: ResourceInfo): { group: string; version: string } {
  return r.module.custom?.storageVersion ? { group: r.group, version: r.module.custom.storageVersion } : storageInfo(r);
}

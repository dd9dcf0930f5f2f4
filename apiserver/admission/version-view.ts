// A request as an admission webhook or policy matched through another version of its resource
// sees it (matchPolicy Equivalent): its objects, kind and resource in that version, the
// request's own in requestKind and requestResource, as Kubernetes converts them.
import { fromStorageAsync, toStorageAsync } from '../../api/conversion.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { AdmissionAttributes } from './webhooks/matching.js';

/** A resource as served in a version (built-in or custom), if it is. */
export type ResourceAt = (group: string, version: string, plural: string) => ResourceInfo | undefined;

export interface VersionView {
  attrs: AdmissionAttributes;
  /** What a mutating step made of the view's object, in the request's version. */
  back(o: KubeObject): Promise<KubeObject>;
}

/**
 * The request in `version`; the request itself when that is its own version or either
 * version is unknown. Scale and CONNECT objects are the same in every version of their
 * resource: only the names change for them.
 */
export async function viewInVersion(a: AdmissionAttributes, version: string, resourceAt: ResourceAt | undefined): Promise<VersionView> {
  const from = version === a.version ? undefined : resourceAt?.(a.group, a.version, a.resource);
  const to = from && resourceAt?.(a.group, version, a.resource);
  if (!from || !to) return { attrs: a, back: async (o) => o };
  const requested = { version: a.version, kind: a.kind };
  if (a.objectKind) return { attrs: { ...a, version, kind: to.kind, requested }, back: async (o) => o };
  const convert = async (o: KubeObject | undefined, src: ResourceInfo, dst: ResourceInfo) => (o ? (await fromStorageAsync(dst, [await toStorageAsync(src, o)]))[0]! : undefined);
  const [object, oldObject] = await Promise.all([convert(a.object, from, to), convert(a.oldObject, from, to)]);
  return {
    attrs: { ...a, version, kind: to.kind, object: object && structuredClone(object), oldObject, requested },
    back: async (o) => (await convert(o, to, from))!,
  };
}

// Objects as a version serves them, when converting to it means a call elsewhere (a CRD's
// conversion webhook): converted before they are rendered, all of a response in one call, so
// rendering (render.ts) stays synchronous and finds them already in the served version.
import { convertsRemotely, fromStorageAsync, inServedVersion } from '../../api/conversion.js';
import type { ResourceInfo } from '../../api/resources.js';
import { CachedObject } from '../storage/cached-object.js';

export async function servedObjects(r: ResourceInfo, objs: CachedObject[]): Promise<CachedObject[]> {
  if (!convertsRemotely(r)) return objs;
  const pending = objs.filter((o) => !inServedVersion(r, () => o.apiVersion()));
  if (!pending.length) return objs;
  const served = await fromStorageAsync(r, pending.map((o) => o.full()));
  const byObject = new Map(pending.map((o, i) => [o, new CachedObject(o.key, o.rev, served[i]!)]));
  return objs.map((o) => byObject.get(o) ?? o);
}

// Objects as a version serves them, when converting to it means a call elsewhere (a CRD's
// conversion webhook): converted before they are rendered, all of a response in one call, so
// rendering (render.ts) stays synchronous and finds them already in the served version.
import { convertsRemotely, fromStorageAsync } from '../../api/conversion.js';
import type { ResourceInfo } from '../../api/resources.js';
import { CachedObject } from '../storage/cached-object.js';

export async function servedObjects(r: ResourceInfo, objs: CachedObject[]): Promise<CachedObject[]> {
  if (!convertsRemotely(r) || objs.length === 0) return objs;
  const stored = objs.map((o) => o.full());
  const served = await fromStorageAsync(r, stored);
  return objs.map((o, i) => (served[i] === stored[i] ? o : new CachedObject(o.key, o.rev, served[i]!)));
}

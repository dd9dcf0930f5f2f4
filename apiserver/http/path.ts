// Resolves a resource URL (`/api/v1/namespaces/ns/pods/name/status`) against the resource table.
// The path is percent-decoded exactly once, from the raw request line, and then split on '/',
// as Kubernetes reads URL.Path: `%2562ase` names `%62ase`, never `base`.
import { ResourceTable, type ResourceInfo } from '../../api/resources.js';
import { badRequest } from '../../api/status.js';

/** The built-in resources only (callers without a server's table: tests, tools). */
const BUILTIN = new ResourceTable();

export interface ResourcePath {
  resource: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** The decoded path of a raw request URL (query string removed); 400 for a malformed escape. */
export function decodedPath(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  const raw = q < 0 ? rawUrl : rawUrl.slice(0, q);
  // Nothing to decode without an escape (most paths), and nothing that could be malformed.
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest(`invalid URL escape in path "${raw.slice(0, 200)}"`);
  }
}

/** Resolves `/api/<v>/...` or `/apis/<group>/<v>/...`; undefined for paths that name no resource. */
export function resolveResourcePath(path: string, table: ResourceTable = BUILTIN): ResourcePath | undefined {
  const parts = path.split('/');
  // ['', 'api', version, ...rest] or ['', 'apis', group, version, ...rest]; a trailing '/' is ignored.
  if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[1] === 'api' && parts.length >= 4) {
    group = '';
    version = parts[2]!;
    rest = parts.slice(3);
  } else if (parts[1] === 'apis' && parts.length >= 5) {
    group = parts[2]!;
    version = parts[3]!;
    rest = parts.slice(4);
  } else return undefined;
  return resolveSegments(group, version, rest, table);
}

/** `segments` are the (decoded) path parts after the group version. */
export function resolveSegments(group: string, version: string, parts: string[], table: ResourceTable = BUILTIN): ResourcePath | undefined {
  // What follows a proxy subresource is the backend's path, whatever it is.
  const namespacedProxy = parts[0] === 'namespaces' && parts[5] !== undefined && parts[4] === 'proxy';
  const significant = namespacedProxy ? parts.slice(0, 5) : parts[2] === 'proxy' ? parts.slice(0, 3) : parts;
  if (significant.some((p) => p === '')) return undefined;
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    const namespaced = table.find(group, version, parts[2]!);
    if (namespaced?.namespaced && (parts.length <= 5 || namespacedProxy)) {
      return { resource: namespaced, namespace: parts[1], name: parts[3], subresource: parts[4] };
    }
  }
  const r = table.find(group, version, parts[0] ?? '');
  if (!r || (parts.length > 3 && parts[2] !== 'proxy')) return undefined;
  // A namespaced resource listed across all namespaces: /api/v1/pods (no name allowed).
  if (r.namespaced && parts.length > 1) return undefined;
  return { resource: r, name: parts[1], subresource: parts[2] };
}

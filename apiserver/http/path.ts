// Resolves a resource URL (`/api/v1/namespaces/ns/pods/name/status`) against the resource table.
import { findResource, type ResourceInfo } from '../../api/resources.js';

export interface ResourcePath {
  resource: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** `segments` are the path parts after the group version. Returns undefined for unknown paths. */
export function resolveResourcePath(group: string, version: string, segments: string[]): ResourcePath | undefined {
  const parts = segments.map((s) => decodeURIComponent(s));
  if (parts.some((p) => p === '')) return undefined;
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    const namespaced = findResource(group, version, parts[2]!);
    if (namespaced?.namespaced && parts.length <= 5) {
      return { resource: namespaced, namespace: parts[1], name: parts[3], subresource: parts[4] };
    }
  }
  const r = findResource(group, version, parts[0] ?? '');
  if (!r || parts.length > 3) return undefined;
  // A namespaced resource listed across all namespaces: /api/v1/pods (no name allowed).
  if (r.namespaced && parts.length > 1) return undefined;
  return { resource: r, name: parts[1], subresource: parts[2] };
}

// The built-in resources as a client sees them: group, version, kind, plural, scope, verbs.
// This is what client-go's generated typed clients know about a resource, and no more: the
// kind modules (api/kinds/) carry schemas, defaults, validation, printers and conversions that
// only the apiserver needs, and loading them all cost each component ~4 MB and a third of its
// start-up (BENCHMARKS.md, 2026-12-04). client/ and every component other than the apiserver look
// resources up here; api/resources.ts builds the server's table from the kinds, and a unit test
// keeps the generated rows equal to what the kinds declare.
import type { Verb } from './kinds/kind.js';
import { BUILTIN_RESOURCES } from './resource-catalog.generated.js';

/** One generated row: what a kind module declares about its resource's identity. */
export interface CatalogEntry {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  verbs: readonly Verb[];
  /** True for the group/version objects are stored as. */
  storageVersion: boolean;
}

/** A resource a client can address: built in, or a custom resource found by discovery. */
export interface ApiResource extends CatalogEntry {
  /** The key segment in etcd; versions (and groups) of one resource share it. */
  storage: string;
}

/** The row of a resource (the generator's projection; also what the consistency test compares). */
export function catalogEntry(r: CatalogEntry): CatalogEntry {
  return { group: r.group, version: r.version, kind: r.kind, plural: r.plural, namespaced: r.namespaced, verbs: [...r.verbs], storageVersion: r.storageVersion };
}

/** Every built-in resource, in discovery's order. */
export const builtinResources: readonly ApiResource[] = BUILTIN_RESOURCES.map((e) => ({ ...e, storage: e.plural }));

export function groupVersion(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** The URL prefix of a group version: `/api/v1` or `/apis/<group>/<version>`. */
export function apiPrefix(r: { group: string; version: string }): string {
  return r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
}

const byPath = new Map<string, ApiResource>(builtinResources.map((r) => [`${groupVersion(r)}/${r.plural}`, r]));

/** The built-in resource at `group/version/plural` (group '' for the core group). */
export function findBuiltin(group: string, version: string, plural: string): ApiResource | undefined {
  return byPath.get(`${group ? `${group}/` : ''}${version}/${plural}`);
}

/** The built-in resource serving `kind` in `apiVersion`. */
export function findBuiltinByKind(apiVersion: string, kind: string): ApiResource | undefined {
  return builtinResources.find((r) => groupVersion(r) === apiVersion && r.kind === kind);
}

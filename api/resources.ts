// The resources the server serves, derived from the kind modules (api/kinds/): discovery,
// routing, storage keys, OpenAPI, Tables and client paths all read this table.
import { kinds } from './kinds/index.js';
import { ALL_VERBS, type KindModule, type SubresourceInfo, type Verb } from './kinds/kind.js';
import { defaultColumns, type PrinterColumn } from './printers.js';

export { ALL_VERBS, type SubresourceInfo, type Verb };

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  verbs: readonly Verb[];
  shortNames: string[];
  categories: string[];
  subresources: SubresourceInfo[];
  columns: PrinterColumn[];
  /** The key segment in etcd; versions (and groups) of one resource share it. */
  storage: string;
  /** True for the group/version objects are stored as; others are converted (their module says how). */
  storageVersion: boolean;
  /** The module that declares this kind. */
  module: KindModule;
}

export const resources: ResourceInfo[] = kinds.map((k) => ({
  group: k.group,
  version: k.version,
  kind: k.kind,
  plural: k.plural,
  singular: k.kind.toLowerCase(),
  namespaced: k.namespaced ?? true,
  verbs: k.verbs ?? ALL_VERBS,
  shortNames: k.shortNames ?? [],
  categories: k.categories ?? [],
  subresources: k.subresources ?? [],
  columns: k.columns ?? defaultColumns,
  storage: k.plural,
  storageVersion: !k.conversion,
  module: k,
}));

export function groupVersion(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** The URL prefix of a group version: `/api/v1` or `/apis/<group>/<version>`. */
export function apiPrefix(r: { group: string; version: string }): string {
  return r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
}

export interface GroupVersionInfo {
  group: string;
  version: string;
  resources: ResourceInfo[];
}

/** Group versions in the order they are served; within a group the first is preferred. */
export const groupVersions: GroupVersionInfo[] = (() => {
  const out: GroupVersionInfo[] = [];
  for (const r of resources) {
    let gv = out.find((g) => g.group === r.group && g.version === r.version);
    if (!gv) out.push((gv = { group: r.group, version: r.version, resources: [] }));
    gv.resources.push(r);
  }
  return out;
})();

const byPath = new Map<string, ResourceInfo>(resources.map((r) => [`${groupVersion(r)}/${r.plural}`, r]));

export function findResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  return byPath.get(`${group ? `${group}/` : ''}${version}/${plural}`);
}

/** The stored form of a resource: every version of it is kept in this one's shape. */
export function storageInfo(r: ResourceInfo): ResourceInfo {
  if (r.storageVersion) return r;
  const stored = resources.find((x) => x.storage === r.storage && x.storageVersion);
  if (!stored) throw new Error(`no storage version for ${r.plural}`);
  return stored;
}

export function findByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return resources.find((r) => groupVersion(r) === apiVersion && r.kind === kind);
}

// The resources the server serves, derived from the kind modules (api/kinds/): discovery,
// routing, storage keys, OpenAPI, Tables and client paths all read this table.
import { kinds } from './kinds/index.js';
import { ALL_VERBS, type KindModule, type SubresourceInfo, type Verb } from './kinds/kind.js';
import { defaultColumns, type PrinterColumn } from './printers.js';
import { apiPrefix, groupVersion, type ApiResource } from './resource-catalog.js';

export { ALL_VERBS, apiPrefix, groupVersion, type SubresourceInfo, type Verb };

/** A resource as the apiserver serves it: its identity (what clients know) and its kind module. */
export interface ResourceInfo extends ApiResource {
  singular: string;
  shortNames: string[];
  categories: string[];
  subresources: SubresourceInfo[];
  columns: PrinterColumn[];
  /** The module that declares this kind (for a custom resource, one made from its CRD). */
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

export interface GroupVersionInfo {
  group: string;
  version: string;
  resources: ResourceInfo[];
}

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

/**
 * Kubernetes' version priority: GA before beta before alpha, higher numbers first within
 * each, and versions that do not look like Kubernetes versions last, alphabetically.
 */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number, string] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0, v];
    const level = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [level, -Number(m[1]), -Number(m[3] ?? 0), v];
  };
  const [x, y] = [rank(a), rank(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x[3] < y[3] ? -1 : x[3] > y[3] ? 1 : 0;
}

/**
 * The resources one apiserver serves: the built-in ones, plus the custom resources of the
 * CustomResourceDefinitions it has established (added and removed while it runs).
 */
export class ResourceTable {
  private readonly custom = new Map<string, ResourceInfo[]>();
  /** Definitions being deleted: their objects may be read and deleted, not created. */
  readonly terminating = new Set<string>();
  private byPath = new Map<string, ResourceInfo>();
  private gvs: GroupVersionInfo[] = [];

  constructor(private readonly builtin: readonly ResourceInfo[] = resources) {
    this.rebuild();
  }

  private rebuild(): void {
    const all = this.all();
    this.byPath = new Map(all.map((r) => [`${groupVersion(r)}/${r.plural}`, r]));
    const out: GroupVersionInfo[] = [];
    for (const r of all) {
      let gv = out.find((g) => g.group === r.group && g.version === r.version);
      if (!gv) out.push((gv = { group: r.group, version: r.version, resources: [] }));
      gv.resources.push(r);
    }
    // Built-in groups keep their order; a custom group's versions go in priority order (the first is preferred).
    const builtinGroups = new Set(this.builtin.map((r) => r.group));
    const custom = out.filter((g) => !builtinGroups.has(g.group)).sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : compareVersions(a.version, b.version)));
    this.gvs = [...out.filter((g) => builtinGroups.has(g.group)), ...custom];
  }

  all(): ResourceInfo[] {
    return [...this.builtin, ...[...this.custom.values()].flat()];
  }

  find(group: string, version: string, plural: string): ResourceInfo | undefined {
    return this.byPath.get(`${group ? `${group}/` : ''}${version}/${plural}`);
  }

  groupVersions(): GroupVersionInfo[] {
    return this.gvs;
  }

  /** Serves (or re-serves, changed) the resources of one CustomResourceDefinition. */
  setCustom(crdName: string, infos: ResourceInfo[]): void {
    this.custom.set(crdName, infos);
    this.rebuild();
  }

  removeCustom(crdName: string): void {
    if (this.custom.delete(crdName)) this.rebuild();
  }

  customOf(crdName: string): ResourceInfo[] | undefined {
    return this.custom.get(crdName);
  }
}

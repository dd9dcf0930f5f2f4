// Turns stored objects into what goes on the wire for one request: the served version, as a
// plain object, a List, a Table or PartialObjectMetadata. Plain JSON of the stored version is
// reused from the object's memoized serialization.
import { stringify } from '../../api/codec/json.js';
import { fromStorage } from '../../api/conversion.js';
import { groupVersion, type ResourceInfo } from '../../api/resources.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { CachedObject } from '../storage/cached-object.js';
import type { Output } from './negotiation.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface RenderOptions {
  output: Output;
  includeObject: IncludeObject;
  now: number;
}

export function servedObject(r: ResourceInfo, o: CachedObject): KubeObject {
  return r.storageVersion ? o.obj : fromStorage(r, o.obj);
}

/** JSON text of one object in the served version. */
export function objectJSON(r: ResourceInfo, o: CachedObject): string {
  return r.storageVersion ? o.toJSON() : stringify(fromStorage(r, o.obj));
}

function partialMetadata(obj: KubeObject, metaVersion: string): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${metaVersion}`, metadata: obj.metadata };
}

export function columnDefinitions(r: ResourceInfo) {
  return r.columns.map(({ name, type, format, description, priority }) => ({ name, type, format, description, priority }));
}

/** One cell; a value of an unexpected shape in a field the schema leaves open must not fail the whole table. */
function cell(c: ResourceInfo['columns'][number], o: CachedObject, now: number): unknown {
  try {
    return c.cell(o.obj, now);
  } catch {
    return '<unknown>';
  }
}

function tableRow(r: ResourceInfo, o: CachedObject, opts: RenderOptions) {
  const row: Record<string, unknown> = { cells: r.columns.map((c) => cell(c, o, opts.now)) };
  if (opts.includeObject === 'Object') row.object = servedObject(r, o);
  else if (opts.includeObject === 'Metadata') row.object = partialMetadata(o.obj, opts.output.metaVersion);
  return row;
}

export function table(r: ResourceInfo, items: CachedObject[], meta: Record<string, unknown>, opts: RenderOptions, withColumns = true) {
  const t: Record<string, unknown> = {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.output.metaVersion}`,
    metadata: meta,
  };
  if (withColumns) t.columnDefinitions = columnDefinitions(r);
  t.rows = items.map((o) => tableRow(r, o, opts));
  return t;
}

/** A list response body as JSON text. */
export function renderList(
  r: ResourceInfo,
  items: CachedObject[],
  meta: { resourceVersion: string; continue?: string; remainingItemCount?: number },
  opts: RenderOptions,
): string {
  if (opts.output.kind === 'table') return stringify(table(r, items, meta, opts));
  if (opts.output.kind === 'metadata') {
    return stringify({
      kind: 'PartialObjectMetadataList',
      apiVersion: `meta.k8s.io/${opts.output.metaVersion}`,
      metadata: meta,
      items: items.map((o) => partialMetadata(o.obj, opts.output.metaVersion)),
    });
  }
  const head = stringify({ kind: `${r.kind}List`, apiVersion: groupVersion(r), metadata: meta });
  return `${head.slice(0, -1)},"items":[${items.map((o) => objectJSON(r, o)).join(',')}]}`;
}

/** A single-object response body as JSON text. */
export function renderObject(r: ResourceInfo, o: CachedObject, opts: RenderOptions): string {
  if (opts.output.kind === 'table') return stringify(table(r, [o], { resourceVersion: o.obj.metadata.resourceVersion ?? '' }, opts));
  if (opts.output.kind === 'metadata') return stringify(partialMetadata(o.obj, opts.output.metaVersion));
  return objectJSON(r, o);
}

// Turns stored objects into what goes on the wire for one request: the served version, as a
// plain object, a List, a Table or PartialObjectMetadata. Objects in their stored version go
// out as the bytes they were encoded to once (CachedObject.bytes); a list is a sequence of
// such byte chunks, never re-encoded and never joined into one string.
import { stringify } from '../../api/codec/json.js';
import { fromStorage, inServedVersion } from '../../api/conversion.js';
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

/** JSON text of one object in the served version. */
export function objectJSON(r: ResourceInfo, o: CachedObject): string {
  return inServedVersion(r, () => o.apiVersion()) ? o.toJSON() : stringify(fromStorage(r, o.full()));
}

/** JSON bytes of one object in the served version (the memoized bytes when it is stored so). */
export function objectBytes(r: ResourceInfo, o: CachedObject): Buffer {
  return inServedVersion(r, () => o.apiVersion()) ? o.bytes() : Buffer.from(stringify(fromStorage(r, o.full())));
}

/** PartialObjectMetadata of one object as JSON text. */
export function partialMetadataJSON(o: CachedObject, metaVersion: string): string {
  return Buffer.concat(partialMetadataBytes(o, metaVersion)).toString();
}

function partialMetadataBytes(o: CachedObject, metaVersion: string): Buffer[] {
  return [Buffer.from(`{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/${metaVersion}","metadata":`), o.metadataBytes(), CLOSE_BRACE];
}

export function columnDefinitions(r: ResourceInfo) {
  return r.columns.map(({ name, type, format, description, priority }) => ({ name, type, format, description, priority }));
}

/** A cell that takes the current time (ages) is computed per request; the others once per object version. */
const timeDependent = (c: ResourceInfo['columns'][number]) => c.cell.length >= 2;

/** One cell's value; a value of an unexpected shape in a field the schema leaves open must not fail the whole table. */
export function cellValue(c: ResourceInfo['columns'][number], obj: KubeObject, now: number): unknown {
  try {
    return c.cell(obj, now) ?? null;
  } catch {
    return '<unknown>';
  }
}

/** One cell as JSON. */
function cellJSON(c: ResourceInfo['columns'][number], obj: KubeObject, now: number): string {
  try {
    return stringify(cellValue(c, obj, now));
  } catch {
    return '"<unknown>"';
  }
}

/** What a time-dependent cell is given: the little it reads (kept per object version), else the object. */
function timedInput(c: ResourceInfo['columns'][number], obj: KubeObject): KubeObject | undefined {
  try {
    return c.reads?.(obj);
  } catch {
    return undefined;
  }
}

function cellsJSON(r: ResourceInfo, o: CachedObject, now: number): string {
  let memo = o.tableMemo;
  if (!memo || memo.columns !== r.columns) {
    const obj = o.obj;
    memo = {
      columns: r.columns,
      cells: r.columns.map((c) => (timeDependent(c) ? undefined : cellJSON(c, obj, now))),
      inputs: r.columns.map((c) => (timeDependent(c) ? timedInput(c, obj) : undefined)),
    };
    o.tableMemo = memo;
  }
  const { cells, inputs } = memo;
  let out = '';
  for (let i = 0; i < cells.length; i++) out += `${i ? ',' : ''}${cells[i] ?? cellJSON(r.columns[i]!, inputs[i] ?? o.obj, now)}`;
  return out;
}

const CLOSE_BRACE = Buffer.from('}');
const COMMA = Buffer.from(',');

/** One Table row's JSON, as byte pieces. */
function tableRowBytes(r: ResourceInfo, o: CachedObject, opts: RenderOptions): Buffer[] {
  const cells = `{"cells":[${cellsJSON(r, o, opts.now)}]`;
  if (opts.includeObject === 'Object') return [Buffer.from(`${cells},"object":`), objectBytes(r, o), CLOSE_BRACE];
  if (opts.includeObject === 'Metadata') return [Buffer.from(`${cells},"object":`), ...partialMetadataBytes(o, opts.output.metaVersion), CLOSE_BRACE];
  return [Buffer.from(`${cells}}`)];
}

type ListMeta = { resourceVersion?: string; continue?: string; remainingItemCount?: number };

/** Chunks of about this size go to the socket: few enough writes, little held at once. */
const CHUNK_BYTES = 256 * 1024;

/**
 * A list or Table response body as byte chunks, produced as the reader asks for them. The
 * objects' own bytes are reused; only the envelope and the separators are new.
 */
export function* listBody(r: ResourceInfo, items: CachedObject[], meta: ListMeta, opts: RenderOptions, withColumns = true): Generator<Buffer> {
  let head: string;
  let item: (o: CachedObject) => Buffer[];
  if (opts.output.kind === 'table') {
    const columns = withColumns ? `"columnDefinitions":${stringify(columnDefinitions(r))},` : '';
    head = `{"kind":"Table","apiVersion":"meta.k8s.io/${opts.output.metaVersion}","metadata":${stringify(meta)},${columns}"rows":[`;
    item = (o) => tableRowBytes(r, o, opts);
  } else if (opts.output.kind === 'metadata') {
    head = `{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/${opts.output.metaVersion}","metadata":${stringify(meta)},"items":[`;
    item = (o) => partialMetadataBytes(o, opts.output.metaVersion);
  } else {
    head = `{"kind":"${r.kind}List","apiVersion":"${groupVersion(r)}","metadata":${stringify(meta)},"items":[`;
    item = (o) => [objectBytes(r, o)];
  }
  let parts: Buffer[] = [Buffer.from(head)];
  let size = parts[0]!.length;
  for (let i = 0; i < items.length; i++) {
    if (i) {
      parts.push(COMMA);
      size += COMMA.length;
    }
    for (const piece of item(items[i]!)) {
      parts.push(piece);
      size += piece.length;
    }
    if (size >= CHUNK_BYTES) {
      yield Buffer.concat(parts, size);
      parts = [];
      size = 0;
    }
  }
  parts.push(Buffer.from(']}\n'));
  yield Buffer.concat(parts);
}

/** A body's chunks as one JSON text (for encodings that need the whole value: YAML, protobuf, a watch's Table). */
export function joinChunks(chunks: Iterable<Buffer>): string {
  return Buffer.concat([...chunks]).toString().trimEnd();
}

/** A single-object response body as JSON text. */
export function renderObject(r: ResourceInfo, o: CachedObject, opts: RenderOptions): string {
  if (opts.output.kind === 'table') return tableJSON(r, [o], { resourceVersion: o.obj.metadata.resourceVersion ?? '' }, opts);
  if (opts.output.kind === 'metadata') return partialMetadataJSON(o, opts.output.metaVersion);
  return objectJSON(r, o);
}

/** A Table of the given objects as JSON text (a watch event carries one row). */
export function tableJSON(r: ResourceInfo, items: CachedObject[], meta: ListMeta, opts: RenderOptions, withColumns = true): string {
  return joinChunks(listBody(r, items, meta, { ...opts, output: { ...opts.output, kind: 'table' } }, withColumns));
}

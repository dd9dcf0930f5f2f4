// An object as the apiserver holds it in memory: never mutated, and serialized at most once
// however many clients receive it. The serialized form is kept as bytes, ready for the socket,
// with the span of its metadata marked so a Table row or a metadata-only answer can reuse that
// slice instead of encoding the metadata again. The parsed form is kept too, or (for the
// caches of resources that grow with the cluster) made again from the bytes when read.
import { stringify } from '../../api/codec/json.js';
import { StringInterner } from '../../api/codec/string-interner.js';
import { metadataWithoutManagedFields } from '../../api/managed-fields/without-managed-fields.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { StoredKV } from './kv.js';

/** An object's JSON in three pieces: up to the metadata's value, the metadata, the rest. */
export interface JSONParts {
  head: string;
  meta: string;
  tail: string;
}

type Encoded = { bytes: Buffer; metaStart: number; metaEnd: number };

/** What selectors read of each cached object (labels, field values) repeats across objects: one copy of each value. */
const keptStrings = new StringInterner();

/** The pieces of `obj`'s JSON, kind, apiVersion and metadata first (Go's order); metadata.resourceVersion left out if `withoutResourceVersion`. */
export function jsonParts(obj: KubeObject, withoutResourceVersion = false): JSONParts {
  const { apiVersion, kind, metadata, ...rest } = obj;
  const envelope = stringify({ kind, apiVersion });
  const head = `${envelope === '{}' ? '{' : `${envelope.slice(0, -1)},`}"metadata":`;
  let meta: string;
  if (withoutResourceVersion && metadata?.resourceVersion !== undefined) {
    const { resourceVersion: _rv, ...others } = metadata;
    meta = stringify(others);
  } else meta = stringify(metadata ?? {});
  const body = stringify(rest);
  return { head, meta, tail: body === '{}' ? '}' : `,${body.slice(1)}` };
}

/** The bytes of an object's JSON and where its metadata's value lies in them. */
function encodeParts({ head, meta, tail }: JSONParts): Encoded {
  const text = head + meta + tail;
  const bytes = withLineEnd(Buffer.byteLength(text));
  bytes.write(text);
  const metaStart = Buffer.byteLength(head);
  return { bytes, metaStart, metaEnd: metaStart + Buffer.byteLength(meta) };
}

/**
 * `length` bytes for an object's JSON, in an allocation of their own (not a slice of Node's
 * shared 8 KB pool: a long-lived slice would keep its whole slab alive, and cached objects
 * outlive most of their neighbours) that ends with one more byte, a newline, so an answer can
 * send the JSON with the newline Kubernetes ends a body with, without copying it (jsonLine).
 */
function withLineEnd(length: number): Buffer {
  const whole = Buffer.allocUnsafeSlow(length + 1);
  whole[length] = 0x0a;
  return whole.subarray(0, length);
}

const NEWLINE = Buffer.from('\n');

/** An object's JSON as written to etcd (no resourceVersion), and where its metadata's value lies in it. */
export interface StoredJSON {
  value: Buffer;
  metaStart: number;
  metaEnd: number;
}

/** What goes to etcd for `obj`: its JSON without metadata.resourceVersion (etcd's revision is that). */
export function storedJSON(obj: KubeObject): StoredJSON {
  const { head, meta, tail } = jsonParts(obj, true);
  const value = Buffer.from(head + meta + tail);
  const metaStart = Buffer.byteLength(head);
  return { value, metaStart, metaEnd: metaStart + Buffer.byteLength(meta) };
}

/** JSON bytes of `obj` (apiVersion, kind and metadata first) and where its metadata's value lies. */
export function encodeObject(obj: KubeObject): Encoded {
  return encodeParts(jsonParts(obj));
}

const API_VERSION_PREFIX = '{"apiVersion":"';
const KIND_PREFIX = '{"kind":"';
const THEN_API_VERSION = '","apiVersion":"';

/** A JSON string's value at `start` (just after its opening quote) when it has no escapes; undefined otherwise. */
function plainStringAt(b: Buffer, start: number): { value: string; end: number } | undefined {
  const end = b.indexOf(0x22, start);
  const escaped = b.indexOf(0x5c, start);
  return end > 0 && (escaped < 0 || escaped > end) ? { value: b.toString('utf8', start, end), end } : undefined;
}

const UID_KEY = '"uid":"';

/** `metadata` with its resourceVersion where Go's ObjectMeta has it: right after the uid (else last). */
function withResourceVersion(metadata: KubeObject['metadata'], resourceVersion: string): KubeObject['metadata'] {
  if (metadata.uid === undefined || Object.hasOwn(metadata, 'resourceVersion')) {
    metadata.resourceVersion = resourceVersion;
    return metadata;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metadata)) {
    out[k] = v;
    if (k === 'uid') out.resourceVersion = resourceVersion;
  }
  return out as KubeObject['metadata'];
}

export class CachedObject {
  // The encoded form, held in fields of its own rather than a small object per cached object
  // (thousands of them): the bytes, and where the metadata's value lies in them.
  private encodedBytes?: Buffer;
  private metaStart = 0;
  private metaEnd = 0;
  private compacted = false;
  /** The parsed form, held strongly until compact(); then only weakly (see obj). */
  private parsed?: KubeObject;
  private weak?: WeakRef<KubeObject>;
  /** What selectors read, kept when the parsed form is let go: labels, and field values with what decided them. */
  private keptLabels?: Record<string, string>;
  private fieldsBy?: unknown;
  private fieldValues?: Record<string, string>;
  /** Table cells that do not depend on the time, per column set (see apiserver/http/render.ts). */
  tableMemo?: { columns: object; cells: Array<string | undefined>; inputs: Array<KubeObject | undefined> };

  constructor(
    readonly key: string,
    readonly rev: number,
    parsed: KubeObject,
  ) {
    this.parsed = parsed;
  }

  /**
   * The stored form with metadata.resourceVersion filled in. Treat as read-only. In the watch
   * cache it lacks metadata.managedFields (see compact); full() has them. A compacted object
   * keeps only its bytes: the parsed form is made again when asked for and held weakly, so the
   * thousands of objects nobody is reading cost their bytes alone.
   */
  get obj(): KubeObject {
    const held = this.parsed ?? this.weak?.deref();
    if (held) return held;
    const obj = JSON.parse(this.toJSON()) as KubeObject;
    obj.metadata = metadataWithoutManagedFields(obj.metadata);
    this.weak = new WeakRef(obj);
    return obj;
  }

  /** metadata.labels, without parsing a compacted object. */
  labels(): Record<string, string> | undefined {
    return this.parsed ? this.parsed.metadata.labels : this.keptLabels;
  }

  /** The object's selectable field values as `compute` gives them, computed once per `by` (what decides which fields). */
  selectableFields(by: unknown, compute: (obj: KubeObject) => Record<string, string>): Record<string, string> {
    if (this.fieldValues && this.fieldsBy === by) return this.fieldValues;
    const values = compute(this.obj);
    keptStrings.internValues(values);
    this.fieldsBy = by;
    this.fieldValues = values;
    return values;
  }

  /**
   * For objects the watch cache keeps: encodes the bytes now and drops the parsed
   * managedFields (often the bulk of an object's parsed form; answers are written from the
   * bytes, which keep them), and unless `retainParsed`, lets go of the parsed form altogether
   * (selectors read what is kept: keptLabels, fieldValues).
   */
  compact(retainParsed = true): this {
    if (this.compacted) return this;
    this.bytes();
    let parsed = this.parsed!;
    if (parsed.metadata.managedFields !== undefined) parsed = { ...parsed, metadata: metadataWithoutManagedFields(parsed.metadata) };
    if (retainParsed) this.parsed = parsed;
    else {
      this.keptLabels = parsed.metadata.labels;
      keptStrings.internValues(parsed.metadata.labels);
      this.weak = new WeakRef(parsed);
      this.parsed = undefined;
    }
    this.compacted = true;
    return this;
  }

  /** The whole object, managedFields included (parsed again from the bytes if compacted). Read-only. */
  full(): KubeObject {
    return this.compacted ? (JSON.parse(this.toJSON()) as KubeObject) : this.parsed!;
  }

  /**
   * The object this server just wrote at `rev`: `stored` is the JSON it sent to etcd (without a
   * resourceVersion), so its bytes are those with the resourceVersion spliced into the
   * metadata, copied rather than encoded again.
   */
  static written(key: string, rev: number, obj: KubeObject, stored: StoredJSON): CachedObject {
    obj.metadata = withResourceVersion(obj.metadata, String(rev));
    const o = new CachedObject(key, rev, obj);
    // Where Go writes it, right after the uid (a UUID: no escapes to skip), else last. The
    // first "uid" in the metadata is its own: Go writes it before labels, annotations and
    // owner references, and the fields before it are names, which hold no quotes.
    const uid = stored.value.indexOf(UID_KEY, stored.metaStart);
    const uidEnd = uid > 0 && uid < stored.metaEnd ? stored.value.indexOf(0x22, uid + UID_KEY.length) + 1 : 0;
    const at = uidEnd > 0 && uidEnd < stored.metaEnd ? uidEnd : stored.metaEnd - 1; // else before the closing brace
    const stamp = at === uidEnd ? `,"resourceVersion":"${rev}"` : `${stored.metaEnd - stored.metaStart === 2 ? '' : ','}"resourceVersion":"${rev}"`;
    const bytes = withLineEnd(stored.value.length + stamp.length);
    stored.value.copy(bytes, 0, 0, at);
    bytes.write(stamp, at, 'latin1');
    stored.value.copy(bytes, at + stamp.length, at);
    o.adoptEncoded({ bytes, metaStart: stored.metaStart, metaEnd: stored.metaEnd + stamp.length });
    return o;
  }

  /** Another handle on the same object and bytes (the watch cache compacts its own). */
  twin(): CachedObject {
    const o = new CachedObject(this.key, this.rev, this.parsed ?? this.obj);
    o.encodedBytes = this.encodedBytes;
    o.metaStart = this.metaStart;
    o.metaEnd = this.metaEnd;
    o.compacted = this.compacted;
    return o;
  }

  static fromKV(kv: StoredKV, rev = kv.modRevision): CachedObject {
    const obj = JSON.parse(kv.value.toString()) as KubeObject;
    obj.metadata = withResourceVersion(obj.metadata ?? {}, String(rev));
    return new CachedObject(kv.key, rev, obj);
  }

  /** The same object as of a later revision (a deletion carries the deleted state at its revision). */
  atRevision(rev: number): CachedObject {
    const full = this.full();
    const obj = { ...full, metadata: { ...full.metadata, resourceVersion: String(rev) } };
    const moved = new CachedObject(this.key, rev, obj);
    return this.compacted ? moved.compact(this.parsed !== undefined) : moved;
  }

  private adoptEncoded(e: Encoded): Buffer {
    this.encodedBytes = e.bytes;
    this.metaStart = e.metaStart;
    this.metaEnd = e.metaEnd;
    return e.bytes;
  }

  /** The object's JSON, encoded once. */
  bytes(): Buffer {
    return this.encodedBytes ?? this.adoptEncoded(encodeObject(this.parsed!));
  }

  /** bytes() and a newline: a view of the same memory for bytes encoded here (withLineEnd), else a copy. */
  jsonLine(): Buffer {
    const b = this.bytes();
    if (b.byteOffset === 0 && b.buffer.byteLength === b.length + 1) {
      const line = Buffer.from(b.buffer, 0, b.length + 1);
      if (line[b.length] === 0x0a) return line;
    }
    return Buffer.concat([b, NEWLINE]);
  }

  /** The JSON of the object's metadata: a slice of bytes(), not a copy. */
  metadataBytes(): Buffer {
    return this.bytes().subarray(this.metaStart, this.metaEnd);
  }

  toJSON(): string {
    return this.bytes().toString();
  }

  /** Its apiVersion, read off the start of the bytes (after the kind, or first as objects stored before were) when it is not parsed. */
  apiVersion(): unknown {
    if (this.parsed) return this.parsed.apiVersion;
    const b = this.bytes();
    if (b.length > KIND_PREFIX.length && b.toString('latin1', 0, KIND_PREFIX.length) === KIND_PREFIX) {
      const kind = plainStringAt(b, KIND_PREFIX.length);
      if (kind && b.toString('latin1', kind.end, kind.end + THEN_API_VERSION.length) === THEN_API_VERSION) {
        const v = plainStringAt(b, kind.end + THEN_API_VERSION.length);
        if (v) return v.value;
      }
    } else if (b.length > API_VERSION_PREFIX.length && b.toString('latin1', 0, API_VERSION_PREFIX.length) === API_VERSION_PREFIX) {
      const v = plainStringAt(b, API_VERSION_PREFIX.length);
      if (v) return v.value;
    }
    return this.obj.apiVersion;
  }

  get namespace(): string {
    return this.obj.metadata.namespace ?? '';
  }

  get name(): string {
    return this.obj.metadata.name ?? '';
  }

  /** A private deep copy the caller may change. */
  copy(): KubeObject {
    return JSON.parse(this.toJSON()) as KubeObject;
  }

}

export interface CacheEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rev: number;
  /** The object after the change; for DELETED, its last state stamped with the deletion revision. */
  object: CachedObject;
  /** The object before the change, when there was one. */
  prev?: CachedObject;
  /** Serialized frames, memoized per (event type, output variant) for the fan-out. */
  frames?: Map<string, string | Buffer>;
}

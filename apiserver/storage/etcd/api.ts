// The part of etcd's v3 gRPC API the apiserver speaks (KV Range/Txn/Compact, Watch,
// Lease.LeaseGrant), written from etcd's published API reference (etcdserverpb's rpc.proto
// and mvccpb's kv.proto): message and field numbers are the wire contract. Each request is
// encoded straight into its gRPC frame and each answer decoded into the plain objects below;
// fields the apiserver does not read are skipped. int64 fields are JavaScript numbers
// (revisions stay far below 2^53).
import { ProtoReader, ProtoWriter, WIRE_VARINT } from './wire.js';

export interface ResponseHeader {
  revision: number;
  member_id: number;
}

export interface KeyValue {
  key: Buffer;
  value: Buffer;
  create_revision: number;
  mod_revision: number;
  version: number;
}

export interface RangeRequest {
  key: Buffer;
  range_end?: Buffer;
  limit?: number;
  revision?: number;
  sort_order?: 'NONE' | 'ASCEND' | 'DESCEND';
  sort_target?: 'KEY' | 'VERSION' | 'CREATE' | 'MOD' | 'VALUE';
  keys_only?: boolean;
  count_only?: boolean;
}

export interface RangeResponse {
  header: ResponseHeader;
  kvs: KeyValue[];
  more: boolean;
  count: number;
}

export interface Compare {
  result: 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';
  target: 'VERSION' | 'CREATE' | 'MOD' | 'VALUE';
  key: Buffer;
  version?: number;
  create_revision?: number;
  mod_revision?: number;
}

export interface RequestOp {
  request_range?: RangeRequest;
  /** `lease`: the lease the key is attached to (deleted with it); none detaches it. */
  request_put?: { key: Buffer; value: Buffer; lease?: number };
  request_delete_range?: { key: Buffer; range_end?: Buffer };
}

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface TxnResponse {
  header: ResponseHeader;
  succeeded: boolean;
  /** One per operation of the branch taken; only range results are read (others are empty). */
  responses: Array<{ response_range?: RangeResponse }>;
}

export interface CompactionRequest {
  revision: number;
  physical?: boolean;
}

export interface WatchCreateRequest {
  key: Buffer;
  range_end?: Buffer;
  start_revision?: number;
  progress_notify?: boolean;
  prev_kv?: boolean;
}

export interface WatchEvent {
  type: 'PUT' | 'DELETE';
  kv: KeyValue;
  prev_kv?: KeyValue | null;
}

export interface WatchResponse {
  header: ResponseHeader;
  watch_id: number;
  created: boolean;
  canceled: boolean;
  compact_revision: number;
  cancel_reason: string;
  events: WatchEvent[];
}

export interface LeaseGrantRequest {
  /** Seconds; etcd raises it to its minimum (about 2 s with default timings). */
  TTL: number;
  /** The lease's id, chosen by the caller (0 lets etcd choose one, which may not fit in a JavaScript number). */
  ID: number;
}

export interface LeaseGrantResponse {
  header: ResponseHeader;
  ID: number;
  TTL: number;
  error: string;
}

// Enum values, by the names the code uses.
const SORT_ORDER = { NONE: 0, ASCEND: 1, DESCEND: 2 } as const;
const SORT_TARGET = { KEY: 0, VERSION: 1, CREATE: 2, MOD: 3, VALUE: 4 } as const;
const COMPARE_RESULT = { EQUAL: 0, GREATER: 1, LESS: 2, NOT_EQUAL: 3 } as const;
const COMPARE_TARGET = { VERSION: 0, CREATE: 1, MOD: 2, VALUE: 3 } as const;

function writeRange(w: ProtoWriter, r: RangeRequest): void {
  w.bytes(1, r.key).bytes(2, r.range_end).uint(3, r.limit).uint(4, r.revision);
  w.uint(5, r.sort_order ? SORT_ORDER[r.sort_order] : 0).uint(6, r.sort_target ? SORT_TARGET[r.sort_target] : 0);
  w.bool(8, r.keys_only).bool(9, r.count_only);
}

function writeOp(w: ProtoWriter, no: number, op: RequestOp): void {
  w.begin(no);
  if (op.request_range) {
    w.begin(1);
    writeRange(w, op.request_range);
    w.end();
  } else if (op.request_put) {
    w.begin(2).bytes(1, op.request_put.key).bytes(2, op.request_put.value).uint(3, op.request_put.lease).end();
  } else if (op.request_delete_range) {
    w.begin(3).bytes(1, op.request_delete_range.key).bytes(2, op.request_delete_range.range_end).end();
  }
  w.end();
}

export function encodeRangeRequest(r: RangeRequest): Buffer {
  const w = new ProtoWriter(64 + r.key.length + (r.range_end?.length ?? 0));
  writeRange(w, r);
  return w.frame();
}

export function encodeTxnRequest(t: TxnRequest): Buffer {
  let size = 64;
  for (const op of [...t.success, ...t.failure]) size += 16 + (op.request_put ? op.request_put.key.length + op.request_put.value.length : 32);
  const w = new ProtoWriter(size);
  for (const c of t.compare) {
    w.begin(1).uint(1, COMPARE_RESULT[c.result]).uint(2, COMPARE_TARGET[c.target]).bytes(3, c.key);
    // The compared value is a oneof member: sent even when it is zero.
    if (c.target === 'VERSION') w.uint(4, c.version, true);
    else if (c.target === 'CREATE') w.uint(5, c.create_revision, true);
    else if (c.target === 'MOD') w.uint(6, c.mod_revision, true);
    w.end();
  }
  for (const op of t.success) writeOp(w, 2, op);
  for (const op of t.failure) writeOp(w, 3, op);
  return w.frame();
}

export function encodeCompactionRequest(c: CompactionRequest): Buffer {
  return new ProtoWriter(32).uint(1, c.revision).bool(2, c.physical).frame();
}

export function encodeLeaseGrantRequest(l: LeaseGrantRequest): Buffer {
  return new ProtoWriter(32).uint(1, l.TTL).uint(2, l.ID).frame();
}

export function encodeWatchCreate(c: WatchCreateRequest): Buffer {
  const w = new ProtoWriter(64 + c.key.length + (c.range_end?.length ?? 0));
  w.begin(1).bytes(1, c.key).bytes(2, c.range_end).uint(3, c.start_revision).bool(4, c.progress_notify).bool(6, c.prev_kv).end();
  return w.frame();
}

const EMPTY = Buffer.alloc(0);

function readHeader(r: ProtoReader): ResponseHeader {
  const h: ResponseHeader = { revision: 0, member_id: 0 };
  while (!r.done) {
    const { no, wire } = r.tag();
    if (no === 2 && wire === WIRE_VARINT) h.member_id = r.varint();
    else if (no === 3 && wire === WIRE_VARINT) h.revision = r.varint();
    else r.skip(wire);
  }
  return h;
}

function readKV(r: ProtoReader): KeyValue {
  const kv: KeyValue = { key: EMPTY, value: EMPTY, create_revision: 0, mod_revision: 0, version: 0 };
  while (!r.done) {
    const { no, wire } = r.tag();
    if (no === 1 && wire === 2) kv.key = r.bytes();
    else if (no === 2 && wire === WIRE_VARINT) kv.create_revision = r.varint();
    else if (no === 3 && wire === WIRE_VARINT) kv.mod_revision = r.varint();
    else if (no === 4 && wire === WIRE_VARINT) kv.version = r.varint();
    else if (no === 5 && wire === 2) kv.value = r.bytes();
    else r.skip(wire);
  }
  return kv;
}

function readRangeResponse(r: ProtoReader): RangeResponse {
  const res: RangeResponse = { header: { revision: 0, member_id: 0 }, kvs: [], more: false, count: 0 };
  while (!r.done) {
    const { no, wire } = r.tag();
    if (no === 1 && wire === 2) res.header = readHeader(r.message());
    else if (no === 2 && wire === 2) res.kvs.push(readKV(r.message()));
    else if (no === 3 && wire === WIRE_VARINT) res.more = r.varint() !== 0;
    else if (no === 4 && wire === WIRE_VARINT) res.count = r.varint();
    else r.skip(wire);
  }
  return res;
}

/** A message whose only field the apiserver reads is its header (Compaction, Put, ...). */
function readHeaderOnly(r: ProtoReader): { header: ResponseHeader } {
  let header: ResponseHeader = { revision: 0, member_id: 0 };
  while (!r.done) {
    const { no, wire } = r.tag();
    if (no === 1 && wire === 2) header = readHeader(r.message());
    else r.skip(wire);
  }
  return { header };
}

export function decodeRangeResponse(b: Buffer): RangeResponse {
  return readRangeResponse(new ProtoReader(b));
}

export function decodeTxnResponse(b: Buffer): TxnResponse {
  const r = new ProtoReader(b);
  const res: TxnResponse = { header: { revision: 0, member_id: 0 }, succeeded: false, responses: [] };
  while (!r.done) {
    const { no, wire } = r.tag();
    if (no === 1 && wire === 2) res.header = readHeader(r.message());
    else if (no === 2 && wire === WIRE_VARINT) res.succeeded = r.varint() !== 0;
    else if (no === 3 && wire === 2) {
      const op = r.message();
      const out: TxnResponse['responses'][number] = {};
      while (!op.done) {
        const t = op.tag();
        if (t.no === 1 && t.wire === 2) out.response_range = readRangeResponse(op.message());
        else op.skip(t.wire);
      }
      res.responses.push(out);
    } else r.skip(wire);
  }
  return res;
}

export function decodeCompactionResponse(b: Buffer): { header: ResponseHeader } {
  return readHeaderOnly(new ProtoReader(b));
}

export function decodeLeaseGrantResponse(b: Buffer): LeaseGrantResponse {
  const r = new ProtoReader(b);
  const res: LeaseGrantResponse = { header: { revision: 0, member_id: 0 }, ID: 0, TTL: 0, error: '' };
  while (!r.done) {
    const { no, wire } = r.tag();
    if (no === 1 && wire === 2) res.header = readHeader(r.message());
    else if (no === 2 && wire === WIRE_VARINT) res.ID = r.varint();
    else if (no === 3 && wire === WIRE_VARINT) res.TTL = r.varint();
    else if (no === 4 && wire === 2) res.error = r.string();
    else r.skip(wire);
  }
  return res;
}

export function decodeWatchResponse(b: Buffer): WatchResponse {
  const r = new ProtoReader(b);
  const res: WatchResponse = { header: { revision: 0, member_id: 0 }, watch_id: 0, created: false, canceled: false, compact_revision: 0, cancel_reason: '', events: [] };
  while (!r.done) {
    const { no, wire } = r.tag();
    if (no === 1 && wire === 2) res.header = readHeader(r.message());
    else if (no === 2 && wire === WIRE_VARINT) res.watch_id = r.varint();
    else if (no === 3 && wire === WIRE_VARINT) res.created = r.varint() !== 0;
    else if (no === 4 && wire === WIRE_VARINT) res.canceled = r.varint() !== 0;
    else if (no === 5 && wire === WIRE_VARINT) res.compact_revision = r.varint();
    else if (no === 6 && wire === 2) res.cancel_reason = r.string();
    else if (no === 11 && wire === 2) {
      const e = r.message();
      const event: WatchEvent = { type: 'PUT', kv: { key: EMPTY, value: EMPTY, create_revision: 0, mod_revision: 0, version: 0 }, prev_kv: null };
      while (!e.done) {
        const t = e.tag();
        if (t.no === 1 && t.wire === WIRE_VARINT) event.type = e.varint() === 1 ? 'DELETE' : 'PUT';
        else if (t.no === 2 && t.wire === 2) event.kv = readKV(e.message());
        else if (t.no === 3 && t.wire === 2) event.prev_kv = readKV(e.message());
        else e.skip(t.wire);
      }
      res.events.push(event);
    } else r.skip(wire);
  }
  return res;
}

/** The unary methods: their paths and how their messages are written and read. */
export const METHODS = {
  Range: { path: '/etcdserverpb.KV/Range', encode: encodeRangeRequest, decode: decodeRangeResponse },
  Txn: { path: '/etcdserverpb.KV/Txn', encode: encodeTxnRequest, decode: decodeTxnResponse },
  Compact: { path: '/etcdserverpb.KV/Compact', encode: encodeCompactionRequest, decode: decodeCompactionResponse },
  LeaseGrant: { path: '/etcdserverpb.Lease/LeaseGrant', encode: encodeLeaseGrantRequest, decode: decodeLeaseGrantResponse },
} as const;

export type MethodName = keyof typeof METHODS;
export type RequestOf<M extends MethodName> = Parameters<(typeof METHODS)[M]['encode']>[0];
export type ResponseOf<M extends MethodName> = ReturnType<(typeof METHODS)[M]['decode']>;

export const WATCH_PATH = '/etcdserverpb.Watch/Watch';

// The part of etcd's v3 gRPC API the apiserver speaks (KV, Watch, Lease.LeaseGrant, Maintenance.Status),
// written from etcd's published API reference: message and field numbers are the wire
// contract. Parsed at start with protobufjs, whose message types encode and decode each call;
// int64 fields arrive as JavaScript numbers (revisions stay far below 2^53).
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';

const PROTO = `
syntax = "proto3";
package etcdserverpb;

message ResponseHeader { uint64 cluster_id = 1; uint64 member_id = 2; int64 revision = 3; uint64 raft_term = 4; }
message KeyValue { bytes key = 1; int64 create_revision = 2; int64 mod_revision = 3; int64 version = 4; bytes value = 5; int64 lease = 6; }

message RangeRequest {
  enum SortOrder { NONE = 0; ASCEND = 1; DESCEND = 2; }
  enum SortTarget { KEY = 0; VERSION = 1; CREATE = 2; MOD = 3; VALUE = 4; }
  bytes key = 1; bytes range_end = 2; int64 limit = 3; int64 revision = 4;
  SortOrder sort_order = 5; SortTarget sort_target = 6; bool serializable = 7; bool keys_only = 8; bool count_only = 9;
}
message RangeResponse { ResponseHeader header = 1; repeated KeyValue kvs = 2; bool more = 3; int64 count = 4; }
message PutRequest { bytes key = 1; bytes value = 2; int64 lease = 3; bool prev_kv = 4; }
message PutResponse { ResponseHeader header = 1; KeyValue prev_kv = 2; }
message DeleteRangeRequest { bytes key = 1; bytes range_end = 2; bool prev_kv = 3; }
message DeleteRangeResponse { ResponseHeader header = 1; int64 deleted = 2; repeated KeyValue prev_kvs = 3; }
message RequestOp { oneof request { RangeRequest request_range = 1; PutRequest request_put = 2; DeleteRangeRequest request_delete_range = 3; } }
message ResponseOp { oneof response { RangeResponse response_range = 1; PutResponse response_put = 2; DeleteRangeResponse response_delete_range = 3; } }
message Compare {
  enum CompareResult { EQUAL = 0; GREATER = 1; LESS = 2; NOT_EQUAL = 3; }
  enum CompareTarget { VERSION = 0; CREATE = 1; MOD = 2; VALUE = 3; LEASE = 4; }
  CompareResult result = 1; CompareTarget target = 2; bytes key = 3;
  oneof target_union { int64 version = 4; int64 create_revision = 5; int64 mod_revision = 6; bytes value = 7; int64 lease = 8; }
}
message TxnRequest { repeated Compare compare = 1; repeated RequestOp success = 2; repeated RequestOp failure = 3; }
message TxnResponse { ResponseHeader header = 1; bool succeeded = 2; repeated ResponseOp responses = 3; }
message CompactionRequest { int64 revision = 1; bool physical = 2; }
message CompactionResponse { ResponseHeader header = 1; }

message WatchRequest { oneof request_union { WatchCreateRequest create_request = 1; WatchCancelRequest cancel_request = 2; } }
message WatchCreateRequest { bytes key = 1; bytes range_end = 2; int64 start_revision = 3; bool progress_notify = 4; bool prev_kv = 6; }
message WatchCancelRequest { int64 watch_id = 1; }
message Event { enum EventType { PUT = 0; DELETE = 1; } EventType type = 1; KeyValue kv = 2; KeyValue prev_kv = 3; }
message WatchResponse {
  ResponseHeader header = 1; int64 watch_id = 2; bool created = 3; bool canceled = 4;
  int64 compact_revision = 5; string cancel_reason = 6; repeated Event events = 11;
}

message LeaseGrantRequest { int64 TTL = 1; int64 ID = 2; }
message LeaseGrantResponse { ResponseHeader header = 1; int64 ID = 2; int64 TTL = 3; string error = 4; }

message StatusRequest {}
message StatusResponse { ResponseHeader header = 1; string version = 2; int64 dbSize = 3; uint64 leader = 4; uint64 raftIndex = 5; uint64 raftTerm = 6; }

service KV {
  rpc Range(RangeRequest) returns (RangeResponse);
  rpc Txn(TxnRequest) returns (TxnResponse);
  rpc Compact(CompactionRequest) returns (CompactionResponse);
}
service Watch { rpc Watch(stream WatchRequest) returns (stream WatchResponse); }
service Lease { rpc LeaseGrant(LeaseGrantRequest) returns (LeaseGrantResponse); }
service Maintenance { rpc Status(StatusRequest) returns (StatusResponse); }
`;

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
  responses: Array<{ response_range?: RangeResponse }>;
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

export interface StatusResponse {
  header: ResponseHeader;
  version: string;
  leader: number;
}

type ServiceConstructor = new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => grpc.Client;

export interface EtcdServices {
  KV: ServiceConstructor;
  Watch: ServiceConstructor;
  Lease: ServiceConstructor;
  Maintenance: ServiceConstructor;
}

let services: EtcdServices | undefined;

/** How decoded messages look: int64 as numbers, enums by name, absent fields as their defaults, the set member of each oneof named. */
const DECODED: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, oneofs: true };

/**
 * A gRPC client constructor for one service: each method encodes its request with the
 * message type (from a plain object) and decodes the answer to a plain object. This is what
 * @grpc/proto-loader builds, without the descriptor set it also makes for reflection, which
 * cost the apiserver's start ~25 ms of CPU (several times that while a whole cluster starts).
 */
function clientConstructor(service: protobuf.Service): ServiceConstructor {
  const methods: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const m of service.methodsArray) {
    m.resolve();
    const req = m.resolvedRequestType!;
    const res = m.resolvedResponseType!;
    methods[m.name] = {
      path: `/${service.fullName.slice(1)}/${m.name}`,
      requestStream: m.requestStream === true,
      responseStream: m.responseStream === true,
      requestSerialize: (v: object) => req.encode(req.fromObject(v)).finish() as Buffer,
      requestDeserialize: (b: Buffer) => req.toObject(req.decode(b), DECODED),
      responseSerialize: (v: object) => res.encode(res.fromObject(v)).finish() as Buffer,
      responseDeserialize: (b: Buffer) => res.toObject(res.decode(b), DECODED),
    };
  }
  return grpc.makeGenericClientConstructor(methods, service.name) as unknown as ServiceConstructor;
}

/** The gRPC service constructors, built once. */
export function etcdServices(): EtcdServices {
  if (services) return services;
  const root = protobuf.parse(PROTO, { keepCase: true }).root;
  const service = (name: string) => clientConstructor(root.lookupService(`etcdserverpb.${name}`));
  services = { KV: service('KV'), Watch: service('Watch'), Lease: service('Lease'), Maintenance: service('Maintenance') };
  return services;
}

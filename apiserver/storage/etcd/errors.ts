// What an etcd failure means for the request that met it. The distinction that matters is
// whether a write may have been applied: etcd answered "no" (definite), or the answer was
// lost (the connection dropped, the deadline passed, the leader changed mid-proposal), in
// which case the write may still commit and must never be blindly sent again.
import { GrpcError, GrpcStatus } from './grpc.js';

/** The requested revision has been compacted away. */
export class CompactedError extends Error {
  constructor(readonly compactRevision: number) {
    super('required revision has been compacted');
  }
}

/** The requested revision is newer than etcd's current one. */
export class FutureRevisionError extends Error {
  constructor(readonly currentRevision: number) {
    super('required revision is a future revision');
  }
}

/** etcd refused the request as too large (its --max-request-bytes, or gRPC's message limit). */
export class RequestTooLargeError extends Error {}

/** No endpoint could serve the request within its deadline; nothing was written. */
export class UnavailableError extends Error {}

/** A write whose outcome could not be learned before the deadline. */
export class OutcomeUnknownError extends Error {}

/** Any other refusal etcd gave (e.g. database space exceeded): definite, not retried. */
export class EtcdRequestError extends Error {}

export type Failure =
  /** Not served by this endpoint (connection refused, member stopped): try another. */
  | 'unreachable'
  /** Sent, answer lost: a write may or may not have been applied. */
  | 'ambiguous'
  /** etcd is busy electing a leader or overloaded: retry shortly. */
  | 'transient'
  /** A definite answer: give it to the caller. */
  | 'definite';

/** Classifies a gRPC error from one call. */
export function classify(err: unknown): Failure {
  if (!(err instanceof GrpcError)) return 'ambiguous';
  const details = err.details;
  switch (err.code) {
    case GrpcStatus.UNAVAILABLE:
      if (/No connection established|ECONNREFUSED|Name resolution failed|connection available|address available/i.test(details)) return 'unreachable';
      // Refused before being proposed. ("leader changed" and "request timed out" are not:
      // such a proposal may still commit.)
      if (/no leader|not capable|too many requests/i.test(details)) return 'transient';
      return 'ambiguous';
    case GrpcStatus.DEADLINE_EXCEEDED:
    case GrpcStatus.CANCELLED:
    case GrpcStatus.INTERNAL:
    case GrpcStatus.UNKNOWN:
      if (/no leader|too many requests/i.test(details)) return 'transient';
      return 'ambiguous';
    case GrpcStatus.RESOURCE_EXHAUSTED:
      if (/too many requests/i.test(details)) return 'transient';
      return 'definite';
    default:
      return 'definite';
  }
}

/** The typed error for a definite failure. */
export function definiteError(err: unknown, currentRevision = 0): Error {
  const details = err instanceof GrpcError ? err.details : String(err);
  if (/compacted/i.test(details)) return new CompactedError(0);
  if (/future revision/i.test(details)) return new FutureRevisionError(currentRevision);
  if (/request is too large|larger than max|message larger/i.test(details)) return new RequestTooLargeError(details);
  // etcd's own messages mostly carry the prefix already ("etcdserver: mvcc: database space exceeded").
  return new EtcdRequestError(details.startsWith('etcdserver: ') ? details : `etcdserver: ${details}`);
}

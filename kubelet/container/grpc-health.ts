// The gRPC probe: one call of the standard health service (grpc.health.v1.Health/Check) over
// plain-text HTTP/2 to the pod, as Kubernetes' prober makes it, judged and worded as it judges
// and words it. The request and answer are one-field protobuf messages, written and read here
// rather than through a gRPC library: a probe needs nothing else of gRPC.
import { connect, constants, type ClientHttp2Session } from 'node:http2';
import { timeoutAfterPendingIO } from '../../client/pending-io-timeout.js';

export interface GrpcProbeResult {
  ok: boolean;
  message: string;
}

// grpc.health.v1.HealthCheckResponse.ServingStatus
const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
const GRPC_UNIMPLEMENTED = 12;
/** An answer is a few bytes; a pod that sends more is not healthy (and not kept in memory). */
const MAX_ANSWER_BYTES = 64 * 1024;
const GRPC_DEADLINE_EXCEEDED = 4;
// gRPC's status code names, for an error's text.
const GRPC_CODES = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];

/** HealthCheckRequest { string service = 1; } in a gRPC length-prefixed frame. */
export function healthCheckRequest(service: string): Buffer {
  const name = Buffer.from(service, 'utf8');
  const body = name.length ? Buffer.concat([Buffer.from([0x0a]), varint(name.length), name]) : Buffer.alloc(0);
  const frame = Buffer.alloc(5);
  frame.writeUInt32BE(body.length, 1);
  return Buffer.concat([frame, body]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** A protobuf varint at `at`: its value and where the next field starts, or undefined when cut short. */
function readVarint(buf: Buffer, at: number): { value: number; next: number } | undefined {
  let value = 0;
  let shift = 0;
  for (let i = at; i < buf.length; i++) {
    const b = buf[i]!;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return { value, next: i + 1 };
  }
  return undefined;
}

/** The `status` (field 1) of a HealthCheckResponse frame; proto3 leaves out 0 (UNKNOWN). */
export function servingStatus(frame: Buffer): string {
  if (frame.length < 5) return 'UNKNOWN';
  const body = frame.subarray(5, 5 + frame.readUInt32BE(1));
  let i = 0;
  while (i < body.length) {
    const key = body[i++]!;
    const wire = key & 7;
    if (wire !== 0 && wire !== 2) return 'UNKNOWN';
    const v = readVarint(body, i);
    if (!v) return 'UNKNOWN';
    if (wire === 0 && key >> 3 === 1) return SERVING_STATUS[v.value] ?? String(v.value);
    // A varint field is skipped by reading it; a length-delimited one by its length.
    i = wire === 0 ? v.next : v.next + v.value;
  }
  return 'UNKNOWN';
}

/** Calls Health/Check on host:port for `service` (empty: the server as a whole), within `timeoutMs`. */
export function grpcHealthProbe(host: string, port: number, service: string, timeoutMs: number): Promise<GrpcProbeResult> {
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const seconds = `${timeoutMs / 1000}s`;
  return new Promise((resolve) => {
    let session: ClientHttp2Session | undefined;
    let connected = false;
    let settled = false;
    const done = (r: GrpcProbeResult) => {
      if (settled) return;
      settled = true;
      cancel();
      session?.destroy();
      resolve(r);
    };
    const cancel = timeoutAfterPendingIO(timeoutMs, () =>
      done(connected
        ? { ok: false, message: `timeout: health rpc did not complete within ${seconds}` }
        : { ok: false, message: `timeout: failed to connect service "${address}" within ${seconds}: context deadline exceeded` }),
    );
    session = connect(`http://${address}`);
    session.on('error', (err) => done({ ok: false, message: `timeout: failed to connect service "${address}" within ${seconds}: ${err.message}` }));
    session.on('connect', () => (connected = true));
    const req = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: '/grpc.health.v1.Health/Check',
      [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      [constants.HTTP2_HEADER_USER_AGENT]: 'kube-probe/1.32',
      te: 'trailers',
      'grpc-timeout': `${Math.max(1, Math.ceil(timeoutMs))}m`,
    });
    const chunks: Buffer[] = [];
    let status: string | undefined;
    let grpcMessage = '';
    const readStatus = (h: Record<string, unknown>) => {
      if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
      if (h['grpc-message'] !== undefined) grpcMessage = decodeURIComponent(String(h['grpc-message']));
    };
    req.on('response', (headers) => {
      const httpStatus = Number(headers[constants.HTTP2_HEADER_STATUS]);
      if (httpStatus !== 200) {
        done({ ok: false, message: `error: health rpc probe failed: rpc error: code = Unknown desc = unexpected HTTP status code received from server: ${httpStatus}` });
        return;
      }
      readStatus(headers);
    });
    req.on('trailers', readStatus);
    let received = 0;
    req.on('data', (c: Buffer) => {
      received += c.length;
      if (received > MAX_ANSWER_BYTES) return done({ ok: false, message: `error: health rpc probe failed: rpc error: code = ResourceExhausted desc = received message larger than max (${received} vs. ${MAX_ANSWER_BYTES})` });
      chunks.push(c);
    });
    // Before the connection is up, the session's own error says why (refused, unreachable).
    req.on('error', (err) => connected && done({ ok: false, message: `error: health rpc probe failed: ${err.message}` }));
    req.on('end', () => {
      const code = Number(status ?? 2);
      if (code === GRPC_UNIMPLEMENTED) return done({ ok: false, message: `this server doesn't implement the grpc health protocol (grpc.health.v1.Health): ${grpcMessage}` });
      if (code === GRPC_DEADLINE_EXCEEDED) return done({ ok: false, message: `timeout: health rpc did not complete within ${seconds}` });
      if (code !== 0) return done({ ok: false, message: `error: health rpc probe failed: rpc error: code = ${GRPC_CODES[code] ?? code} desc = ${grpcMessage}` });
      const serving = servingStatus(Buffer.concat(chunks));
      if (serving !== 'SERVING') return done({ ok: false, message: `service unhealthy (responded with "${serving}")` });
      done({ ok: true, message: 'service healthy' });
    });
    req.end(healthCheckRequest(service));
  });
}

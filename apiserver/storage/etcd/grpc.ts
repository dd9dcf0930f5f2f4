// gRPC over HTTP/2, as much of it as etcd's API needs, on node:http2: unary calls and one
// bidirectional stream kind (Watch). A general gRPC library (grpc-js) spent about 200 µs of
// CPU per call on channels, filters, interceptors and metadata objects, and 11 MB of resident
// memory for its modules; this costs about half the CPU (BENCHMARKS.md, apiserver section).
//
// One connection per etcd endpoint carries every call. What a failure means is carried in the
// error's code and details, read by errors.ts: a call that never reached etcd (no connection,
// a refused stream) says "No connection ...", one whose answer was lost after it was sent
// says so with UNAVAILABLE or DEADLINE_EXCEEDED, and etcd's own refusals keep etcd's status.
import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type SecureClientSessionOptions } from 'node:http2';

/** gRPC status codes (the ones this client names). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
  PERMISSION_DENIED: 7,
} as const;

const STATUS_NAMES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

export class GrpcError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`${code} ${STATUS_NAMES[code] ?? 'UNKNOWN'}: ${details}`);
  }
}

/** Client TLS towards an https:// endpoint. */
export interface GrpcTLS {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

const KEEPALIVE_INTERVAL_MS = 10_000;
const KEEPALIVE_TIMEOUT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 5_000;
const DEADLINE_SWEEP_MS = 50;
/** Stream ids are 31 bits, odd ones ours: a connection is replaced well before they run out. */
const STREAMS_PER_CONNECTION = 1_000_000_000;
// Large LISTs come back as one message of tens of MB: let etcd send without waiting for a
// window update every 64 KB. These are limits, not allocations.
const STREAM_WINDOW_BYTES = 4 * 1024 * 1024;
const SESSION_WINDOW_BYTES = 64 * 1024 * 1024;
const SESSION_MEMORY_MB = 512;

/** Reassembles gRPC's length-prefixed messages from a stream's data chunks. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** The length of the message being read, once its prefix has arrived. */
  private need = -1;

  /** Adds a chunk; returns the messages it completed. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Buffer[] = [];
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < 5) break;
        const head = this.take(5);
        if (head[0] !== 0) throw new GrpcError(GrpcStatus.INTERNAL, 'etcd sent a compressed message, which was not asked for');
        this.need = head.readUInt32BE(1);
      }
      if (this.buffered < this.need) break;
      out.push(this.take(this.need));
      this.need = -1;
    }
    return out;
  }

  /** Whether a message was left half-read. */
  get partial(): boolean {
    return this.buffered > 0 || this.need >= 0;
  }

  /** The next n buffered bytes, copying only when they span chunks. */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (n === 0) return Buffer.alloc(0);
    if (first && first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const part = Math.min(c.length, n - at);
      c.copy(out, at, 0, part);
      at += part;
      if (part === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(part);
    }
    return out;
  }
}

/** What an HTTP status other than 200 means in gRPC (gRPC's HTTP-to-status mapping). */
function statusFromHttp(status: number): number {
  if (status === 400) return GrpcStatus.INTERNAL;
  if (status === 401) return GrpcStatus.UNAUTHENTICATED;
  if (status === 403) return GrpcStatus.PERMISSION_DENIED;
  if (status === 404) return GrpcStatus.UNIMPLEMENTED;
  if (status === 429 || status === 502 || status === 503 || status === 504) return GrpcStatus.UNAVAILABLE;
  return GrpcStatus.UNKNOWN;
}

function grpcMessage(value: unknown): string {
  if (value === undefined) return '';
  const s = String(value);
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** How a call's stream ended, read from its headers, trailers and errors as they come. */
class Ending {
  private status?: string;
  private message = '';
  private httpStatus = 200;
  /** Why this side gave up on the stream (a malformed frame), or the stream's own error. */
  broke?: Error;

  constructor(private readonly s: ClientHttp2Stream) {
    const read = (h: IncomingHttpHeaders) => {
      if (h['grpc-status'] !== undefined) this.status = String(h['grpc-status']);
      if (h['grpc-message'] !== undefined) this.message = grpcMessage(h['grpc-message']);
    };
    s.on('response', (headers) => {
      this.httpStatus = Number(headers[constants.HTTP2_HEADER_STATUS]);
      read(headers);
    });
    s.on('trailers', read);
    s.on('error', (err) => (this.broke ??= err));
  }

  /** Why the call failed, once the stream has closed; undefined when etcd ended it with OK. */
  error(): GrpcError | undefined {
    if (this.broke instanceof GrpcError) return this.broke;
    if (this.status !== undefined) {
      const code = Number(this.status);
      return code === GrpcStatus.OK ? undefined : new GrpcError(code, this.message);
    }
    if (this.httpStatus !== 200) return new GrpcError(statusFromHttp(this.httpStatus), `unexpected HTTP status ${this.httpStatus} from etcd`);
    // No status: the stream was reset or the connection lost. Refused streams were not
    // processed (HTTP/2 says so); anything else may have been.
    if (this.s.rstCode === constants.NGHTTP2_REFUSED_STREAM) return new GrpcError(GrpcStatus.UNAVAILABLE, 'No connection available: stream refused by etcd');
    return new GrpcError(GrpcStatus.UNAVAILABLE, `connection to etcd lost: ${this.broke?.message ?? `stream closed (code ${this.s.rstCode})`}`);
  }
}

export interface StreamHandlers {
  onMessage(message: Buffer): void;
  /** Called once, when the stream is over: with etcd's status, or why it broke. */
  onClose(err: GrpcError): void;
}

export interface GrpcStream {
  write(frame: Buffer): void;
  cancel(): void;
}

interface Pending {
  deadline: number;
  expire(): void;
}

/** The one HTTP/2 connection to an etcd endpoint, opened when first needed and again after it breaks. */
export class GrpcConnection {
  private readonly authority: string;
  private readonly options: SecureClientSessionOptions;
  private session?: ClientHttp2Session;
  private connecting?: Promise<ClientHttp2Session>;
  private streamsOpened = 0;
  private active = 0;
  private readonly pending = new Set<Pending>();
  private sweeper?: NodeJS.Timeout;
  private closed = false;

  constructor(url: string, tls?: GrpcTLS) {
    const secure = url.startsWith('https://');
    this.authority = `${secure ? 'https' : 'http'}://${url.replace(/^https?:\/\//, '').replace(/\/+$/, '')}`;
    this.options = {
      settings: { enablePush: false, initialWindowSize: STREAM_WINDOW_BYTES },
      maxSessionMemory: SESSION_MEMORY_MB,
      ...(secure ? { ca: tls?.ca, cert: tls?.cert, key: tls?.key } : {}),
    };
  }

  /** The connection, if it is up and may take new streams. */
  private usable(): ClientHttp2Session | undefined {
    const s = this.session;
    return s && !s.connecting && !s.closed && !s.destroyed ? s : undefined;
  }

  private open(): Promise<ClientHttp2Session> {
    if (this.connecting) return this.connecting;
    this.connecting = new Promise<ClientHttp2Session>((resolve, reject) => {
      if (this.closed) return reject(new GrpcError(GrpcStatus.UNAVAILABLE, 'No connection established: client closed'));
      const session = connect(this.authority, this.options);
      let up = false;
      const timer = setTimeout(() => session.destroy(new Error(`no connection within ${CONNECT_TIMEOUT_MS / 1000}s`)), CONNECT_TIMEOUT_MS);
      const fail = (err: Error) => {
        clearTimeout(timer);
        if (this.connecting && !up) this.connecting = undefined;
        if (!up) reject(new GrpcError(GrpcStatus.UNAVAILABLE, `No connection established: ${err.message}`));
      };
      session.once('connect', () => {
        up = true;
        clearTimeout(timer);
        this.connecting = undefined;
        if (this.closed) {
          session.destroy();
          return reject(new GrpcError(GrpcStatus.UNAVAILABLE, 'No connection established: client closed'));
        }
        session.setLocalWindowSize(SESSION_WINDOW_BYTES);
        this.session = session;
        this.streamsOpened = 0;
        if (this.active === 0) session.unref();
        this.keepalive(session);
        resolve(session);
      });
      session.on('error', fail);
      session.on('goaway', () => this.retire(session));
      session.on('close', () => {
        fail(new Error('connection closed'));
        this.retire(session);
      });
    });
    // A caller that gives up waiting must not leave the rejection unhandled.
    this.connecting.catch(() => {});
    return this.connecting;
  }

  /** Takes no new streams on `session`; the ones it carries finish on it. */
  private retire(session: ClientHttp2Session): void {
    if (this.session !== session) return;
    this.session = undefined;
    if (!session.closed && !session.destroyed) session.close();
  }

  /** Pings every 10 s; a connection that does not answer within 5 s is dropped (a frozen or partitioned member). */
  private keepalive(session: ClientHttp2Session): void {
    const interval = setInterval(() => {
      if (session.destroyed || session.closed) return clearInterval(interval);
      const timeout = setTimeout(() => session.destroy(new Error('keepalive ping not answered')), KEEPALIVE_TIMEOUT_MS);
      timeout.unref();
      const sent = session.ping((err) => {
        clearTimeout(timeout);
        if (err && !session.destroyed) session.destroy(err);
      });
      if (!sent) clearTimeout(timeout);
    }, KEEPALIVE_INTERVAL_MS);
    interval.unref();
    session.once('close', () => clearInterval(interval));
  }

  /** Keeps the process alive while calls are in flight, as any open request does. */
  private begin(): void {
    if (this.active++ === 0) this.session?.ref();
  }

  private finish(): void {
    if (--this.active === 0) this.session?.unref();
  }

  private watchDeadline(p: Pending): void {
    this.pending.add(p);
    if (!this.sweeper) {
      this.sweeper = setInterval(() => {
        const now = Date.now();
        for (const q of this.pending) if (q.deadline <= now) q.expire();
        if (this.pending.size === 0) {
          clearInterval(this.sweeper);
          this.sweeper = undefined;
        }
      }, DEADLINE_SWEEP_MS);
      this.sweeper.unref();
    }
  }

  /** A new stream on the connection, or an error saying why none could be opened. */
  private request(session: ClientHttp2Session, path: string, timeoutMs?: number): ClientHttp2Stream | GrpcError {
    if (++this.streamsOpened >= STREAMS_PER_CONNECTION) this.retire(session);
    try {
      return session.request({
        [constants.HTTP2_HEADER_METHOD]: 'POST',
        [constants.HTTP2_HEADER_PATH]: path,
        [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
        te: 'trailers',
        ...(timeoutMs !== undefined ? { 'grpc-timeout': `${Math.max(1, Math.ceil(timeoutMs))}m` } : {}),
      });
    } catch (err) {
      this.retire(session);
      return new GrpcError(GrpcStatus.UNAVAILABLE, `No connection available: ${(err as Error).message}`);
    }
  }

  /** One unary call: the request frame in, the answer's message out, by `deadline` (ms since the epoch). */
  unary(path: string, frame: Buffer, deadline: number): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      let settled = false;
      let stream: ClientHttp2Stream | undefined;
      this.begin();
      const settle = (err: GrpcError | undefined, message?: Buffer) => {
        if (settled) return;
        settled = true;
        this.pending.delete(pending);
        this.finish();
        if (err) reject(err);
        else resolve(message!);
      };
      const pending: Pending = {
        deadline,
        expire: () => {
          if (stream) {
            stream.close(constants.NGHTTP2_CANCEL);
            settle(new GrpcError(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded'));
          } else settle(new GrpcError(GrpcStatus.UNAVAILABLE, 'No connection established within the deadline'));
        },
      };
      this.watchDeadline(pending);
      const send = (session: ClientHttp2Session) => {
        if (settled) return;
        const s = this.request(session, path, deadline - Date.now());
        if (s instanceof GrpcError) return settle(s);
        stream = s;
        const reader = new FrameReader();
        const messages: Buffer[] = [];
        const ending = new Ending(s);
        s.on('data', (chunk: Buffer) => {
          try {
            for (const m of reader.push(chunk)) messages.push(m);
          } catch (err) {
            ending.broke = err as Error;
            s.close(constants.NGHTTP2_CANCEL);
          }
        });
        s.on('close', () => {
          const err = ending.error();
          if (err) return settle(err);
          if (messages.length !== 1 || reader.partial) return settle(new GrpcError(GrpcStatus.INTERNAL, `etcd answered a unary call with ${messages.length} messages`));
          settle(undefined, messages[0]);
        });
        s.end(frame);
      };
      const ready = this.usable();
      if (ready) send(ready);
      else this.open().then(send, (err: GrpcError) => settle(err));
    });
  }

  /** A bidirectional stream: `first` is written when it opens; handlers hear the answers. */
  stream(path: string, first: Buffer, handlers: StreamHandlers): GrpcStream {
    let stream: ClientHttp2Stream | undefined;
    let over = false;
    this.begin();
    const close = (err: GrpcError) => {
      if (over) return;
      over = true;
      this.finish();
      handlers.onClose(err);
    };
    const send = (session: ClientHttp2Session) => {
      if (over) return;
      const s = this.request(session, path);
      if (s instanceof GrpcError) return close(s);
      stream = s;
      const reader = new FrameReader();
      const ending = new Ending(s);
      s.on('data', (chunk: Buffer) => {
        if (over) return;
        try {
          for (const m of reader.push(chunk)) {
            if (over) return;
            handlers.onMessage(m);
          }
        } catch (err) {
          ending.broke = err as Error;
          s.close(constants.NGHTTP2_CANCEL);
        }
      });
      // etcd ended its side (with a status, or not): end ours, or the stream never closes.
      s.on('end', () => s.close());
      s.on('close', () => close(ending.error() ?? new GrpcError(GrpcStatus.OK, 'stream ended by etcd')));
      s.write(first);
    };
    const ready = this.usable();
    if (ready) send(ready);
    else this.open().then(send, (err: GrpcError) => close(err));
    return {
      write: (frame) => {
        if (!over && stream && !stream.destroyed) stream.write(frame);
      },
      cancel: () => {
        if (stream && !stream.destroyed) stream.close(constants.NGHTTP2_CANCEL);
        close(new GrpcError(GrpcStatus.CANCELLED, 'cancelled'));
      },
    };
  }

  /** Ends every call and the connection; nothing is opened again. */
  close(): void {
    this.closed = true;
    this.session?.destroy();
    this.session = undefined;
    for (const p of this.pending) p.expire();
  }
}

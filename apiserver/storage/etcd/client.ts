// A small etcd v3 client with the failure handling Kubernetes' storage layer relies on:
//  - requests go round-robin over the --etcd-servers endpoints; an endpoint that refuses or
//    drops connections is set aside for a short, growing while, so a dead member stops
//    getting traffic at once and a healthy quorum serves every request;
//  - reads and definitely-unapplied writes (no connection, no leader) are retried on the next
//    endpoint every ~100 ms until the request's deadline;
//  - a write whose answer was lost is reported as such to the caller (`ambiguous`), which
//    must resolve it by reading: it is only ever retried as the same compare-and-swap,
//    which cannot apply twice.
// A broken connection is opened again by the next call, so service resumes as soon as etcd is back.
import type { Logger } from 'pino';
import { METHODS, type MethodName, type RequestOf, type ResponseOf } from './api.js';
import { classify, definiteError, OutcomeUnknownError, UnavailableError, type Failure } from './errors.js';
import { GrpcConnection } from './grpc.js';

/** TLS towards etcd (--etcd-cafile, --etcd-certfile, --etcd-keyfile): used for https:// endpoints. */
export interface EtcdTLS {
  caPem?: string;
  certPem?: string;
  keyPem?: string;
}

export interface EtcdClientOptions {
  endpoints: string[];
  tls?: EtcdTLS;
  /** The deadline of one gRPC call. */
  callTimeoutMs?: number;
  /** How long one request keeps trying (other endpoints, elections, restarts) before failing. */
  retryWindowMs?: number;
  log?: Logger;
}

const RETRY_PAUSE_MS = 100;
const WRITE_ATTEMPT_MS = 2000;

export class Endpoint {
  readonly connection: GrpcConnection;
  private failures = 0;
  downUntil = 0;

  constructor(
    readonly url: string,
    tls?: EtcdTLS,
  ) {
    const b = (pem?: string) => (pem ? Buffer.from(pem) : undefined);
    // https:// endpoints verify etcd's certificate (against --etcd-cafile, else the system's
    // CAs) and present the client certificate, as etcd's --client-cert-auth wants.
    this.connection = new GrpcConnection(url, { ca: b(tls?.caPem), cert: b(tls?.certPem), key: b(tls?.keyPem) });
  }

  get up(): boolean {
    return this.downUntil <= Date.now();
  }

  markDown(): void {
    this.failures++;
    this.downUntil = Date.now() + Math.min(200 * 2 ** Math.min(this.failures - 1, 4), 3000);
  }

  markUp(): void {
    this.failures = 0;
    this.downUntil = 0;
  }

  close(): void {
    this.connection.close();
  }
}

export interface CallResult<T> {
  res: T;
  /** An earlier attempt of this call was sent but its answer lost (it may have applied). */
  ambiguous: boolean;
}

export interface CallOptions {
  /** Safe to send again after a lost answer (reads, and compare-and-swap writes). */
  retryAmbiguous: boolean;
  /**
   * A write: each attempt gets a shorter deadline, because a proposal stranded with a dead
   * leader is only failed by etcd after ~7 s, while a new leader is usually there within 2 s.
   */
  write?: boolean;
  /** Absolute deadline (ms since epoch); defaults to now + retryWindowMs. */
  deadline?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class EtcdClient {
  readonly endpoints: Endpoint[];
  private next = 0;
  private closed = false;
  readonly callTimeoutMs: number;
  readonly retryWindowMs: number;
  private readonly log?: Logger;

  constructor(opts: EtcdClientOptions) {
    if (opts.endpoints.length === 0) throw new Error('no etcd endpoints given');
    this.endpoints = opts.endpoints.map((u) => new Endpoint(u, opts.tls));
    this.callTimeoutMs = opts.callTimeoutMs ?? 5000;
    this.retryWindowMs = opts.retryWindowMs ?? 10_000;
    this.log = opts.log;
  }

  /** The next endpoint in round-robin order that is not set aside (or the soonest back, if all are). */
  pick(avoid?: Endpoint): Endpoint {
    const n = this.endpoints.length;
    for (let i = 0; i < n; i++) {
      const e = this.endpoints[(this.next + i) % n]!;
      if (e.up && (e !== avoid || n === 1)) {
        this.next = (this.next + i + 1) % n;
        return e;
      }
    }
    return this.endpoints.reduce((a, b) => (b.downUntil < a.downUntil ? b : a));
  }

  /** One unary call with failover and retries, as described at the top of this file. */
  async call<M extends MethodName>(method: M, request: RequestOf<M>, opts: CallOptions): Promise<CallResult<ResponseOf<M>>> {
    const { path, encode, decode } = METHODS[method];
    const frame = (encode as (r: RequestOf<M>) => Buffer)(request);
    const deadline = opts.deadline ?? Date.now() + this.retryWindowMs;
    let ambiguous = false;
    let last: unknown;
    let lastFailure: Failure = 'unreachable';
    let previous: Endpoint | undefined;
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new UnavailableError('etcd client closed');
      const endpoint = this.pick(previous);
      previous = endpoint;
      try {
        const attemptMs = opts.write ? Math.min(this.callTimeoutMs, WRITE_ATTEMPT_MS) : this.callTimeoutMs;
        const answer = await endpoint.connection.unary(path, frame, Math.min(deadline, Date.now() + attemptMs));
        const res = decode(answer) as ResponseOf<M>;
        endpoint.markUp();
        return { res, ambiguous };
      } catch (err) {
        last = err;
        const failure = classify(err);
        if (failure === 'definite') throw definiteError(err);
        lastFailure = failure;
        if (failure === 'unreachable' || failure === 'ambiguous') endpoint.markDown();
        if (failure === 'ambiguous') {
          if (!opts.retryAmbiguous) throw new OutcomeUnknownError(`etcd: the answer to ${method} was lost: ${(err as Error).message}`);
          ambiguous = true;
        }
        if (attempt % 20 === 0) this.log?.debug({ endpoint: endpoint.url, method, failure, err: (err as Error).message }, 'etcd request failed; retrying');
      }
      if (Date.now() + RETRY_PAUSE_MS >= deadline) break;
      // Another endpoint straight away; the same one (or all down) after a short pause.
      const fresh = this.endpoints.some((e) => e.up && e !== previous);
      if (!fresh || lastFailure === 'transient') await sleep(RETRY_PAUSE_MS);
    }
    const message = `etcd: ${method} did not succeed within ${this.retryWindowMs / 1000}s: ${(last as Error)?.message ?? 'no endpoint answered'}`;
    if (ambiguous) throw new OutcomeUnknownError(message);
    throw new UnavailableError(message);
  }

  close(): void {
    this.closed = true;
    for (const e of this.endpoints) e.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

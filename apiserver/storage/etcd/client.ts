// A small etcd v3 client with the failure handling Kubernetes' storage layer relies on:
//  - requests go round-robin over the --etcd-servers endpoints; an endpoint that refuses or
//    drops connections is set aside for a short, growing while, so a dead member stops
//    getting traffic at once and a healthy quorum serves every request;
//  - reads and definitely-unapplied writes (no connection, no leader) are retried on the next
//    endpoint every ~100 ms until the request's deadline;
//  - a write whose answer was lost is reported as such to the caller (`ambiguous`), which
//    must resolve it by reading: it is only ever retried as the same compare-and-swap,
//    which cannot apply twice.
// Channels reconnect at most ~0.5 s apart, so service resumes within a second of etcd's return.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { etcdServices, type EtcdServices } from './api.js';
import { classify, definiteError, OutcomeUnknownError, UnavailableError, type Failure } from './errors.js';

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

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  // Large LISTs come back in one range response (Kubernetes lifts gRPC's 4 MiB limit too).
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 500,
  // Notice a silently dead connection (a frozen or partitioned member) within ~15 s.
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
};

export class Endpoint {
  readonly kv: grpc.Client;
  readonly watch: grpc.Client;
  readonly lease: grpc.Client;
  readonly maintenance: grpc.Client;
  private failures = 0;
  downUntil = 0;

  constructor(
    readonly url: string,
    services: EtcdServices,
    tls?: EtcdTLS,
  ) {
    const address = url.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    const b = (pem?: string) => (pem ? Buffer.from(pem) : null);
    // https:// endpoints verify etcd's certificate (against --etcd-cafile, else the system's
    // CAs) and present the client certificate, as etcd's --client-cert-auth wants.
    const credentials = url.startsWith('https://') ? grpc.credentials.createSsl(b(tls?.caPem), b(tls?.keyPem), b(tls?.certPem)) : grpc.credentials.createInsecure();
    this.kv = new services.KV(address, credentials, CHANNEL_OPTIONS);
    const shared = { ...CHANNEL_OPTIONS, channelOverride: this.kv.getChannel() } as grpc.ChannelOptions;
    this.watch = new services.Watch(address, credentials, shared);
    this.lease = new services.Lease(address, credentials, shared);
    this.maintenance = new services.Maintenance(address, credentials, shared);
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
    this.kv.close();
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
    const services = etcdServices();
    this.endpoints = opts.endpoints.map((u) => new Endpoint(u, services, opts.tls));
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
  async call<T>(service: 'kv' | 'lease' | 'maintenance', method: string, request: unknown, opts: CallOptions): Promise<CallResult<T>> {
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
        const res = await this.unary<T>(endpoint[service], method, request, Math.min(deadline, Date.now() + attemptMs));
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

  private unary<T>(client: grpc.Client, method: string, request: unknown, deadline: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const fn = (client as unknown as Record<string, (req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: T) => void) => void>)[method]!;
      // grpc-js records the caller's stack with `new Error()` on every call, to decorate errors
      // this client classifies by code anyway: a few percent of a create, for nothing.
      const stackTraceLimit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        fn.call(client, request, new grpc.Metadata(), { deadline }, (err, res) => (err ? reject(err) : resolve(res)));
      } finally {
        Error.stackTraceLimit = stackTraceLimit;
      }
    });
  }

  close(): void {
    this.closed = true;
    for (const e of this.endpoints) e.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

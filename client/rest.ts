// The Kubernetes REST client every component uses (never etcd, never polling): typed verbs
// over Node's own HTTP client (kept-alive connections, at most `connections` of them), resource
// paths from the built-in resource catalog, errors as StatusError. Node's client rather than
// undici: every component already has it loaded, and undici costs each process ~15 MB resident
// (BENCHMARKS.md, control-plane memory).
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { apiPrefix, findBuiltin, type ApiResource } from '../api/resource-catalog.js';
import { StatusError } from '../api/status.js';
import type { DeleteOptions, KubeList, KubeObject, Status } from '../api/types/meta.js';
import type { ApiClient, HttpMethod, Query, WatchResponse } from './api-client.js';
import { sleep } from './sleep.js';

export interface ClientConfig {
  /** Base URL of the apiserver, e.g. http://127.0.0.1:8080 or https://127.0.0.1:6443. */
  server: string;
  token?: string;
  /** TLS to an https server: the CA to trust, and a client certificate to authenticate with (PEM). */
  tls?: { ca?: string; cert?: string; key?: string; insecureSkipVerify?: boolean };
  userAgent?: string;
  /** Connections kept to the apiserver (watches each hold one). */
  connections?: number;
  /**
   * Longest wait for a request's answer (not a watch's); past it the request fails and its
   * connection is dropped, so the next one may reach another apiserver behind a balancer.
   */
  timeoutMs?: number;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  limit?: number;
  continue?: string;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
}

export type PatchType = 'strategic' | 'merge' | 'json' | 'apply';
const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  strategic: 'application/strategic-merge-patch+json',
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};


/** The URL path of a resource, an object or one of its subresources. */
export function resourcePath(r: ApiResource, namespace?: string, name?: string, subresource?: string): string {
  let p = apiPrefix(r);
  if (r.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${r.plural}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

/** Resolves `group/version/plural` (or `version/plural` for core) against the built-in resource catalog. */
export function resource(path: string): ApiResource {
  const parts = path.split('/');
  const [group, version, plural] = parts.length === 2 ? ['', parts[0]!, parts[1]!] : [parts[0]!, parts[1]!, parts[2]!];
  const r = findBuiltin(group, version, plural);
  if (!r) throw new Error(`unknown resource ${path}`);
  return r;
}

export class RestClient implements ApiClient {
  private agent: HttpAgent;
  private readonly send: typeof httpRequest;
  private readonly origin: URL;
  /** The origin's host (IPv6 without brackets) and port, as node:http wants them. */
  private readonly hostname: string;
  private readonly port: string | undefined;
  private readonly headers: Record<string, string>;
  /** Requests under way (not watches), which close() lets finish. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Aborted by close(): a request waiting to be sent again gives up. */
  private readonly closing = new AbortController();

  constructor(readonly config: ClientConfig) {
    const t = config.tls;
    this.origin = new URL(config.server);
    this.hostname = this.origin.hostname.replace(/^\[|\]$/g, '');
    this.port = this.origin.port || undefined;
    const https = this.origin.protocol === 'https:';
    const pool = { keepAlive: true, maxSockets: config.connections ?? 32 };
    this.agent = https ? new HttpsAgent({ ...pool, ...(t ? { ca: t.ca, cert: t.cert, key: t.key, rejectUnauthorized: !t.insecureSkipVerify } : {}) }) : new HttpAgent(pool);
    this.send = https ? (httpsRequest as typeof httpRequest) : httpRequest;
    this.headers = { 'user-agent': config.userAgent ?? 'kubette' };
    if (config.token) this.headers.authorization = `Bearer ${config.token}`;
  }

  /** Sends one request and resolves with the response, its body not yet read. */
  private exchange(method: HttpMethod, path: string, headers: Record<string, string>, body: string | undefined, opts: { signal?: AbortSignal; idleTimeoutMs?: number }): Promise<IncomingMessage> {
    const options: RequestOptions = { agent: this.agent, hostname: this.hostname, port: this.port, method, path, headers, signal: opts.signal };
    return new Promise((resolve, reject) => {
      const req = this.send(options, resolve);
      req.on('error', reject);
      // No byte either way for this long: give up on the request and its connection (the
      // next request may reach another apiserver behind a balancer).
      if (opts.idleTimeoutMs) {
        const ms = opts.idleTimeoutMs;
        req.setTimeout(ms, () => {
          // Judged after the poll phase, as pending-io-timeout.ts explains; an idle timeout
          // re-arms on every byte, so here "no answer" means nothing was read meanwhile.
          const read = req.socket?.bytesRead ?? 0;
          setImmediate(() => {
            if (!req.destroyed && (req.socket?.bytesRead ?? 0) === read) req.destroy(new Error(`no answer from ${this.config.server} within ${ms} ms`));
          });
        });
      }
      req.end(body);
    });
  }

  path(r: ApiResource, namespace?: string, name?: string, subresource?: string): string {
    return resourcePath(r, namespace, name, subresource);
  }

  private static query(q: Query | undefined): string {
    if (!q) return '';
    const parts = Object.entries(q)
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
    return parts.length ? `?${parts.join('&')}` : '';
  }

  /** One request; a non-2xx answer becomes a StatusError carrying the server's Status. */
  request<T>(method: HttpMethod, path: string, opts: { query?: Query; body?: unknown; contentType?: string; accept?: string } = {}): Promise<T> {
    const headers: Record<string, string> = { ...this.headers, accept: opts.accept ?? 'application/json' };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] = opts.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const done = (async () => {
      for (let attempt = 1; ; attempt++) {
        const res = await this.exchange(method, path + RestClient.query(opts.query), headers, body, { idleTimeoutMs: this.config.timeoutMs });
        const text = await readText(res);
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) return (text ? JSON.parse(text) : undefined) as T;
        // As client-go does: a 429 (the server's priority level or in-flight limit turned it
        // away, so nothing was done) is sent again after its Retry-After, up to 10 times.
        const wait = code === 429 && attempt <= MAX_RETRIES ? retryAfterSeconds(res.headers['retry-after']) : undefined;
        if (wait === undefined || this.closing.signal.aborted) throw RestClient.toError(code, text);
        await sleep(wait * 1000, this.closing.signal);
      }
    })();
    this.inFlight.add(done);
    const forget = () => this.inFlight.delete(done);
    done.then(forget, forget);
    return done;
  }

  static toError(code: number, text: string): StatusError {
    try {
      const s = JSON.parse(text) as Status;
      if (s.kind === 'Status') return new StatusError(s.code ?? code, s.reason ?? '', s.message ?? '', s.details);
    } catch {
      // not a Status: fall through
    }
    return new StatusError(code, code === 404 ? 'NotFound' : 'InternalError', text.slice(0, 500) || `HTTP ${code}`);
  }

  get<T extends KubeObject>(r: ApiResource, namespace: string | undefined, name: string): Promise<T> {
    return this.request('GET', this.path(r, namespace, name));
  }

  list<T extends KubeObject>(r: ApiResource, namespace?: string, opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.request('GET', this.path(r, namespace), { query: { ...opts } });
  }

  create<T extends KubeObject>(r: ApiResource, namespace: string | undefined, obj: T): Promise<T> {
    return this.request('POST', this.path(r, namespace), { body: obj });
  }

  update<T extends KubeObject>(r: ApiResource, obj: T): Promise<T> {
    return this.request('PUT', this.path(r, obj.metadata.namespace, obj.metadata.name!), { body: obj });
  }

  /** Writes only the status (the status subresource), as controllers and kubelets must. */
  updateStatus<T extends KubeObject>(r: ApiResource, obj: T): Promise<T> {
    return this.request('PUT', this.path(r, obj.metadata.namespace, obj.metadata.name!, 'status'), { body: obj });
  }

  patch<T extends KubeObject>(r: ApiResource, namespace: string | undefined, name: string, patch: unknown, type: PatchType = 'merge', subresource?: string, query?: Query): Promise<T> {
    return this.request('PATCH', this.path(r, namespace, name, subresource), { body: patch, contentType: PATCH_CONTENT_TYPES[type], query });
  }

  delete(r: ApiResource, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<KubeObject | Status> {
    return this.request('DELETE', this.path(r, namespace, name), { body: { kind: 'DeleteOptions', apiVersion: 'v1', ...options } });
  }

  /** Opens a watch stream; the caller reads it with readWatchEvents and aborts with `signal`. */
  async openWatch(r: ApiResource, namespace: string | undefined, opts: WatchOptions, signal: AbortSignal): Promise<WatchResponse> {
    const path = this.path(r, namespace) + RestClient.query({ watch: 'true', ...opts });
    const res = await this.exchange('GET', path, { ...this.headers, accept: 'application/json' }, undefined, { signal });
    if (res.statusCode !== 200) throw RestClient.toError(res.statusCode ?? 0, await readText(res));
    return { statusCode: 200, body: res };
  }

  /** Lets requests under way finish (without waiting to send a refused one again), then closes every connection (watches too). */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.allSettled([...this.inFlight]);
    this.agent.destroy();
  }

  /** Closes every connection now, requests under way or not. */
  destroy(): void {
    this.agent.destroy();
  }

  /**
   * Authenticates with this client certificate from now on (a rotated one). As client-go does,
   * every connection made with the old one is closed, so no request goes on as the old identity;
   * requests under way fail and are retried by their callers, watches are started again.
   */
  useClientCertificate(certPem: string, keyPem: string): void {
    const t = this.config.tls;
    if (this.origin.protocol !== 'https:') throw new Error('a client certificate needs an https server');
    const old = this.agent;
    this.agent = new HttpsAgent({ keepAlive: true, maxSockets: this.config.connections ?? 32, ca: t?.ca, cert: certPem, key: keyPem, rejectUnauthorized: !t?.insecureSkipVerify });
    old.destroy();
  }
}

/** How many times a request turned away with 429 is sent again (client-go's default). */
const MAX_RETRIES = 10;

/** Retry-After in whole seconds, as client-go reads it; undefined when absent or not a number. */
function retryAfterSeconds(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d{1,4}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/**
 * The whole body of an answer. Read with events rather than an async iterator, which costs
 * every request of every component a stream iterator and an end-of-stream watcher.
 */
function readText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    res.once('error', reject);
    // Cut off before its end (the connection dropped or the request was destroyed).
    res.once('close', () => {
      if (!res.complete) reject(new Error('the connection closed before the answer ended'));
    });
  });
}

// The proxy subresources (pods/proxy, services/proxy, nodes/proxy): the request's method,
// headers (not the caller's credentials, which are the apiserver's to see, nor hop-by-hop
// ones), body and the rest of its path after `/proxy` go to the place proxy-location.ts
// finds, and the answer comes back as it is, streamed. Kubernetes treats these as long-running
// requests: no timeout but the client's. CONNECT admission sees each request's path first, as
// webhooks on pods/proxy (services/proxy, nodes/proxy) expect. Responses are not rewritten
// (Kubernetes rewrites links in proxied HTML pages to point back through the proxy).
import type { FastifyReply } from 'fastify';
import type { Agent, Dispatcher } from 'undici';
import { StatusError } from '../../../api/status.js';
import type { KubeObject } from '../../../api/types/meta.js';
import { requestUser } from '../../http/request-gate.js';
import { undici } from '../../http/undici.js';
import { proxyLocation, type ProxiedResource, type ProxyLocation } from '../../registry/proxy-location.js';
import type { Ctx } from '../context.js';
import type { KubeletConnector } from '../pod-proxy.js';

/** Headers that belong to one connection, or to the apiserver, never to the backend. */
const NOT_FORWARDED = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'authorization', 'content-length']);

export const isForwardedHeader = (name: string): boolean => !NOT_FORWARDED.has(name) && !name.startsWith('impersonate-');

/** Connection pools to proxied backends: kubelets (with the kubelet client certificate), plain HTTP, and HTTPS unverified (Kubernetes does not verify pods' certificates either). */
export class ProxyConnections {
  private plain?: Promise<Agent>;
  private insecure?: Promise<Agent>;

  constructor(readonly kubelets: KubeletConnector) {}

  agentFor(loc: ProxyLocation): Promise<Agent> {
    if (loc.kubelet) return this.kubelets.agent();
    const options = { connect: { timeout: 30_000, ...(loc.scheme === 'https' ? { rejectUnauthorized: false } : {}) } };
    const make = () => undici().then(({ Agent }) => new Agent(options));
    return loc.scheme === 'https' ? (this.insecure ??= make()) : (this.plain ??= make());
  }

  async close(): Promise<void> {
    await Promise.all([this.plain, this.insecure].map(async (a) => (a ? (await a).close() : undefined)));
  }
}

/**
 * The path to ask the backend for: what follows `/proxy` in the request, as the client encoded
 * it, and the query string; `/` when nothing follows. `proxyIndex` is the position of the
 * `proxy` segment in the decoded path.
 */
export function backendPath(rawUrl: string, proxyIndex: number): string {
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = q < 0 ? '' : rawUrl.slice(q);
  const segments = rawPath.split('/');
  let rest: string[];
  if (segments[proxyIndex] !== undefined && safeDecode(segments[proxyIndex]!) === 'proxy') rest = segments.slice(proxyIndex + 1);
  else {
    // An escaped '/' before `proxy` moved the segments: find the first `proxy` instead.
    const at = segments.findIndex((s, i) => i > 0 && safeDecode(s) === 'proxy');
    rest = at < 0 ? [] : segments.slice(at + 1);
  }
  return `/${rest.join('/')}${query}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The proxy's options as CONNECT admission sees them (PodProxyOptions, ServiceProxyOptions, NodeProxyOptions): the path asked for. */
export function proxyOptions(kind: string, path: string): KubeObject {
  const q = path.indexOf('?');
  return { apiVersion: 'v1', kind, path: q < 0 ? path : path.slice(0, q) } as unknown as KubeObject;
}

export async function proxy(ctx: Ctx, connections: ProxyConnections): Promise<FastifyReply> {
  const resource = ctx.r.plural as ProxiedResource;
  // ['', 'api', 'v1', ('namespaces', ns,) resource, name, 'proxy', ...]
  const proxyIndex = ctx.path.namespace !== undefined ? 7 : 5;
  const path = backendPath(ctx.req.raw.url ?? ctx.req.url, proxyIndex);
  // Admission first, as Kubernetes connects: a webhook may refuse before anything is looked up.
  const kind = ctx.r.subresources.find((s) => s.name === 'proxy')!.kind;
  await ctx.options.admission.admitConnect(ctx.r, 'proxy', ctx.path.namespace ?? '', ctx.path.name!, proxyOptions(kind, path), requestUser(ctx.req.raw));
  const loc = await proxyLocation(ctx.options.registry, resource, ctx.path.namespace, ctx.path.name!);
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(ctx.req.headers)) if (v !== undefined && isForwardedHeader(k)) headers[k] = v;
  const client = ctx.req.socket.remoteAddress;
  if (client) headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${String(headers['x-forwarded-for'])}, ${client}` : client;
  const host = loc.host.includes(':') ? `[${loc.host}]` : loc.host;
  const aborted = new AbortController();
  ctx.reply.raw.on('close', () => aborted.abort());
  let res: Dispatcher.ResponseData;
  try {
    const { request } = await undici();
    const body = ctx.req.body;
    res = await request(`${loc.scheme}://${host}:${loc.port}${path}`, {
      method: ctx.req.method as Dispatcher.HttpMethod,
      headers,
      body: Buffer.isBuffer(body) && body.length ? body : undefined,
      dispatcher: await connections.agentFor(loc),
      signal: aborted.signal,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  } catch (err) {
    throw new StatusError(503, 'ServiceUnavailable', `error trying to reach service: ${(err as Error).message}`);
  }
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !NOT_FORWARDED.has(k)) ctx.reply.header(k, v);
  res.body.on('error', () => ctx.reply.raw.destroy());
  return ctx.reply.code(res.statusCode).send(res.body);
}

// The proxy subresources (pods/proxy, services/proxy, nodes/proxy): the request's method,
// headers (not the caller's credentials, which are the apiserver's to see, nor hop-by-hop
// ones), body and the rest of its path after `/proxy` go to the place proxy-location.ts
// finds, and the answer comes back as it is, streamed. Kubernetes treats these as long-running
// requests: no timeout but the client's. CONNECT admission sees each request's path first, as
// webhooks on pods/proxy (services/proxy, nodes/proxy) expect. A redirect to the backend, and
// the links of an HTML page to it, lead back through the proxy, as Kubernetes rewrites them.
import { gunzipSync } from 'node:zlib';
import type { FastifyReply } from 'fastify';
import type { Agent, Dispatcher } from 'undici';
import { StatusError } from '../../../api/status.js';
import type { KubeObject } from '../../../api/types/meta.js';
import { requestUser } from '../../http/request-gate.js';
import { undici } from '../../http/undici.js';
import { proxyLocation, type ProxiedResource, type ProxyLocation } from '../../registry/proxy-location.js';
import type { Ctx } from '../context.js';
import { rewriteHTMLLinks } from './html-links.js';
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
 * The request's path split at its `proxy` segment, as the client encoded it: the prefix up to
 * and including `/proxy`, and the path to ask the backend for (what follows, and the query
 * string; `/` when nothing follows). `proxyIndex` is the position of the `proxy` segment in
 * the decoded path.
 */
export function splitProxyPath(rawUrl: string, proxyIndex: number): { prefix: string; backend: string } {
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = q < 0 ? '' : rawUrl.slice(q);
  const segments = rawPath.split('/');
  let at = proxyIndex;
  // An escaped '/' before `proxy` moved the segments: the first `proxy` marks the start instead.
  if (segments[at] === undefined || safeDecode(segments[at]!) !== 'proxy') at = segments.findIndex((s, i) => i > 0 && safeDecode(s) === 'proxy');
  if (at < 0) return { prefix: rawPath, backend: `/${query}` };
  return { prefix: segments.slice(0, at + 1).join('/'), backend: `/${segments.slice(at + 1).join('/')}${query}` };
}

export function backendPath(rawUrl: string, proxyIndex: number): string {
  return splitProxyPath(rawUrl, proxyIndex).backend;
}

/**
 * A redirect from the backend, made to lead back through the proxy as Kubernetes makes it: a
 * Location on the backend itself (an absolute path, or a URL naming the backend's address) is
 * put under `prefix`; one elsewhere, or relative, is left as it is.
 */
export function rewriteLocation(location: string, loc: Pick<ProxyLocation, 'scheme' | 'host' | 'port'>, prefix: string): string {
  // The text is kept as it is (no URL normalization): a page's bytes in its own charset, its
  // escapes, its dot segments all reach the backend as the page wrote them.
  let rest: string;
  if (location.startsWith('/') && !location.startsWith('//')) rest = location;
  else {
    const m = /^(?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/([^/?#]*)(.*)$/s.exec(location);
    if (!m) return location; // relative: it resolves under the proxy already
    const host = loc.host.includes(':') ? `[${loc.host}]` : loc.host;
    const defaultPort = loc.scheme === 'https' ? 443 : 80;
    const authority = m[1]!.toLowerCase();
    if (authority !== `${host}:${loc.port}`.toLowerCase() && !(loc.port === defaultPort && authority === host.toLowerCase())) return location;
    rest = m[2]!.startsWith('/') ? m[2]! : `/${m[2]}`;
  }
  const base = prefix.replace(/\/+$/, '');
  // Already under the proxy (a page that knows where it is served): as it is.
  if (rest === base || (rest.startsWith(base) && /^[/?#]/.test(rest.slice(base.length)))) return rest;
  return `${base}${rest}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The most of a page read to rewrite its links (larger ones pass unchanged), and of it unzipped. */
const MAX_PAGE_BYTES = 16 * 1024 * 1024;

/** An HTML page whose links can be rewritten: plain or gzip-encoded, and not too large. */
function isRewritableHTML(headers: Record<string, string | string[] | undefined>): boolean {
  if (!/^\s*text\/html\b/i.test(String(headers['content-type'] ?? ''))) return false;
  const encoding = String(headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') return false;
  const length = Number(headers['content-length'] ?? 0);
  return !(length > MAX_PAGE_BYTES);
}

/** The whole page, unzipped; a 502 when it turns out larger than we rewrite. */
async function readPage(res: Dispatcher.ResponseData, url: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_PAGE_BYTES) {
      res.body.destroy();
      throw new StatusError(502, 'BadGateway', `the proxied page ${url.slice(0, 200)} is larger than ${MAX_PAGE_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  if (String(res.headers['content-encoding'] ?? '').trim().toLowerCase() !== 'gzip') return body;
  try {
    return gunzipSync(body, { maxOutputLength: MAX_PAGE_BYTES });
  } catch (err) {
    throw new StatusError(502, 'BadGateway', `the proxied page could not be unzipped: ${(err as Error).message}`);
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
  const { prefix, backend: path } = splitProxyPath(ctx.req.raw.url ?? ctx.req.url, proxyIndex);
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
  const page = ctx.req.method !== 'HEAD' && isRewritableHTML(res.headers);
  for (const [k, v] of Object.entries(res.headers)) {
    if (v === undefined || NOT_FORWARDED.has(k) || (page && k === 'content-encoding')) continue;
    ctx.reply.header(k, k === 'location' && typeof v === 'string' ? rewriteLocation(v, loc, prefix) : v);
  }
  if (page) {
    const body = await readPage(res, ctx.reply.request.raw.url ?? '');
    // As bytes (latin1 maps each to one character): the page's own charset passes unchanged.
    const html = rewriteHTMLLinks(body.toString('latin1'), (url) => rewriteLocation(url, loc, prefix));
    return ctx.reply.code(res.statusCode).send(Buffer.from(html, 'latin1'));
  }
  res.body.on('error', () => ctx.reply.raw.destroy());
  return ctx.reply.code(res.statusCode).send(res.body);
}

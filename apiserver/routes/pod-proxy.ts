// pods/log and pods/exec (and upgrades through the proxy subresources): the apiserver finds the pod's node and the kubelet's address
// (InternalIP + daemonEndpoints port) and relays to it over HTTPS, as Kubernetes does,
// presenting --kubelet-client-certificate and checking the kubelet's certificate against
// --kubelet-certificate-authority when given. Logs are a streamed GET; exec is an HTTP
// upgrade whose bytes (WebSocket frames) pass through untouched.
import type { IncomingMessage, Server } from 'node:http';
import { connect as netConnect } from 'node:net';
import { connect } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { Agent } from 'undici';
import { findResource } from '../../api/resources.js';
import { badRequest, noSuchRoute, StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { UserInfo } from '../../component-base/authn/user.js';
import { decodedPath } from '../http/path.js';
import type { RequestGate } from '../http/request-gate.js';
import { undici } from '../http/undici.js';
import { kubeletAddress, proxyLocation, type ProxiedResource } from '../registry/proxy-location.js';
import { backendPath, proxyOptions, type ProxyConnections } from './subresources/proxy.js';
import type { Registry } from '../registry/registry.js';
import { isPodFinished } from '../../api/conditions.js';
import { relayFramesApart } from './ws-frame-relay.js';
import { LOG_PATH, serveLogsOverWebSocket } from './pod-log-websocket.js';
import { podLogQuery } from './subresources/log-options.js';
import { one, type Query } from '../http/params.js';

export interface KubeletTarget {
  pod: KubeObject;
  container: string;
  host: string;
  port: number;
}

/** How the apiserver reaches kubelets: its client certificate, and the CA it trusts kubelets by. */
export interface KubeletClientTLS {
  certPem?: string;
  keyPem?: string;
  /** None: kubelets' (often self-signed) certificates are not verified, as Kubernetes' default. */
  caPem?: string;
}

export class KubeletConnector {
  private made?: Promise<Agent>;

  constructor(readonly tls: KubeletClientTLS = {}) {}

  /** The connection pool to kubelets, made on first use. */
  agent(): Promise<Agent> {
    return (this.made ??= undici().then(({ Agent }) => new Agent({ connect: this.options() })));
  }

  /** Options for a TLS connection to a kubelet. */
  options(): { cert?: string; key?: string; ca?: string; rejectUnauthorized: boolean } {
    return { cert: this.tls.certPem, key: this.tls.keyPem, ca: this.tls.caPem, rejectUnauthorized: !!this.tls.caPem };
  }

  async close(): Promise<void> {
    if (this.made) await (await this.made).close();
  }
}


/** The container a request means: the named one, the default-container annotation, or the only one. */
function pickContainer(pod: KubeObject, requested: string | undefined): string {
  const name = pod.metadata.name!;
  const named = (list: unknown) => ((list ?? []) as Array<{ name: string }>).map((c) => c.name);
  const all = [...named(pod.spec?.initContainers), ...named(pod.spec?.containers), ...named(pod.spec?.ephemeralContainers)];
  const app = ((pod.spec?.containers ?? []) as Array<{ name: string }>).map((c) => c.name);
  if (requested) {
    if (!all.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const annotated = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated && all.includes(annotated)) return annotated;
  if (app.length === 1) return app[0]!;
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${app.join(' ')}]`);
}

/** The pod's kubelet, and the container meant (`null`: the pod as a whole, for port-forward). */
export async function locateKubelet(registry: Registry, namespace: string, podName: string, container: string | undefined | null): Promise<KubeletTarget> {
  const pod = (await registry.storeFor(findResource('', 'v1', 'pods')!).get(namespace, podName)).obj;
  const chosen = container === null ? '' : pickContainer(pod, container);
  const nodeName = pod.spec?.nodeName as string | undefined;
  if (!nodeName) throw badRequest(`pod ${podName} does not have a host assigned`);
  let node: KubeObject;
  try {
    node = (await registry.storeFor(findResource('', 'v1', 'nodes')!).get(undefined, nodeName)).obj;
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) throw new StatusError(503, 'ServiceUnavailable', `node "${nodeName}" of pod ${podName} is not registered`);
    throw err;
  }
  const kubelet = kubeletAddress(node);
  if (!kubelet) throw new StatusError(503, 'ServiceUnavailable', `node "${nodeName}" reports no kubelet address`);
  return { pod, container: chosen, ...kubelet };
}

function hostPort(t: KubeletTarget): string {
  return t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}

/** The kubelet's answer to a pods/log request: its status, content type and the streamed body. */
export async function openKubeletLogs(registry: Registry, kubelets: KubeletConnector, namespace: string, podName: string, query: Query) {
  // The options are checked before the pod is looked up, as Kubernetes does.
  const q = podLogQuery(query, podName);
  const t = await locateKubelet(registry, namespace, podName, one(query, 'container') || undefined);
  const path = `/containerLogs/${encodeURIComponent(namespace)}/${encodeURIComponent(podName)}/${encodeURIComponent(t.container)}?${q}`;
  try {
    const { request } = await undici();
    return await request(`https://${hostPort(t)}${path}`, { method: 'GET', bodyTimeout: 0, headersTimeout: 30_000, dispatcher: await kubelets.agent() });
  } catch (err) {
    throw new StatusError(503, 'ServiceUnavailable', `cannot reach the kubelet of node "${t.pod.spec?.nodeName}": ${(err as Error).message}`);
  }
}

/** GET pods/log: the kubelet's text stream (or its Status), relayed as it comes. */
export async function proxyLogs(registry: Registry, kubelets: KubeletConnector, namespace: string, podName: string, query: Query, reply: FastifyReply): Promise<FastifyReply> {
  const res = await openKubeletLogs(registry, kubelets, namespace, podName, query);
  reply.raw.on('close', () => res.body.destroy());
  return reply
    .code(res.statusCode)
    .header('Content-Type', String(res.headers['content-type'] ?? 'text/plain'))
    .send(res.body);
}

const UPGRADE_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)$/;

function writeStatus(socket: Duplex, err: StatusError): void {
  const body = JSON.stringify(err.toStatus());
  socket.end(`HTTP/1.1 ${err.code} ${err.reason || 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Admission of a CONNECT to a core/v1 resource (pods, services, nodes): the connection's options (PodExecOptions, ...) as webhooks and policies see them. */
export type ConnectAdmission = (resource: string, subresource: string, namespace: string, name: string, options: KubeObject, user: UserInfo) => Promise<void>;

/** Handles upgrade requests (kubectl exec, WebSockets through the proxy subresources, logs over a WebSocket): relays the connection to the pod's kubelet, or where the proxy goes. */
export function serveUpgrades(server: Server, registry: Registry, proxies: ProxyConnections, gate: RequestGate, log: Logger, admitConnect?: ConnectAdmission): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    void gate
      .admitUpgrade(req)
      .then((user) =>
        LOG_PATH.test(decodedPath(req.url ?? '/'))
          ? serveLogsOverWebSocket(req, socket, head, (namespace, pod, query) => openKubeletLogs(registry, proxies.kubelets, namespace, pod, query))
          : PROXY_PATH.test(decodedPath(req.url ?? '/'))
          ? relayProxy(req, socket, head, registry, proxies, (resource, namespace, name, options) => admitConnect?.(resource, 'proxy', namespace, name, options, user) ?? Promise.resolve())
          : relay(req, socket, head, registry, proxies.kubelets, (subresource, namespace, podName, options) => admitConnect?.('pods', subresource, namespace, podName, options, user) ?? Promise.resolve()),
      )
      .catch((err) => {
        const status = err instanceof StatusError ? err : new StatusError(500, 'InternalError', (err as Error).message);
        if (status.code >= 500) log.warn({ err: (err as Error).message, url: req.url }, 'upgrade failed');
        if (socket.writable) writeStatus(socket, status);
      });
  });
}

const PROXY_PATH = /^\/api\/v1\/(?:namespaces\/([^/]+)\/(pods|services)|(nodes))\/([^/]+)\/proxy(?:\/|$)/;

/** An upgrade through pods/proxy, services/proxy or nodes/proxy: admitted, then the request goes on as it came (but for the caller's credentials), then the bytes both ways. */
async function relayProxy(req: IncomingMessage, socket: Duplex, head: Buffer, registry: Registry, proxies: ProxyConnections, admit: (resource: ProxiedResource, namespace: string, name: string, options: KubeObject) => Promise<void>): Promise<void> {
  const raw = req.url ?? '/';
  const m = PROXY_PATH.exec(decodedPath(raw))!;
  const [, namespace, namespacedResource, nodes, name] = m;
  const resource = (namespacedResource ?? nodes) as ProxiedResource;
  const path = backendPath(raw, namespace !== undefined ? 7 : 5);
  // The options' kind as the resource declares its proxy subresource (PodProxyOptions, ...).
  const kind = findResource('', 'v1', resource)!.subresources.find((s) => s.name === 'proxy')!.kind;
  await admit(resource, namespace ?? '', name!, proxyOptions(kind, path));
  const loc = await proxyLocation(registry, resource, namespace, name!);
  const host = loc.host.includes(':') ? `[${loc.host}]` : loc.host;
  const upstream =
    loc.scheme === 'https'
      ? connect({ host: loc.host, port: loc.port, servername: undefined, ...(loc.kubelet ? proxies.kubelets.options() : { rejectUnauthorized: false }) })
      : netConnect({ host: loc.host, port: loc.port });
  await new Promise<void>((resolve, reject) => {
    upstream.once(loc.scheme === 'https' ? 'secureConnect' : 'connect', resolve);
    upstream.once('error', (err) => reject(new StatusError(503, 'ServiceUnavailable', `error trying to reach service: ${err.message}`)));
  });
  const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`, `Host: ${host}:${loc.port}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const header = req.rawHeaders[i]!.toLowerCase();
    if (header === 'host' || header === 'authorization' || header === 'proxy-authorization' || header.startsWith('impersonate-')) continue;
    lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  }
  upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (head.length) upstream.write(head);
  joinSockets(socket, upstream);
  socket.pipe(upstream);
  upstream.pipe(socket);
}

/** Either side's end or failure ends the other (what is already written still reaches the client). */
function joinSockets(socket: Duplex, upstream: Duplex): void {
  upstream.on('error', () => socket.destroy());
  socket.on('error', () => upstream.destroy());
  socket.on('close', () => upstream.destroy());
  upstream.on('close', () => {
    if (!socket.writableEnded) socket.end();
    setTimeout(() => socket.destroy(), 5000).unref();
  });
}

const flag = (q: URLSearchParams, name: string) => ['true', '1'].includes((q.get(name) ?? '').toLowerCase());

async function relay(req: IncomingMessage, socket: Duplex, head: Buffer, registry: Registry, kubelets: KubeletConnector, admit: (subresource: string, namespace: string, podName: string, options: KubeObject) => Promise<void>): Promise<void> {
  const raw = req.url ?? '/';
  const m = UPGRADE_PATH.exec(decodedPath(raw));
  if (!m) throw noSuchRoute();
  const [, namespace, podName, verb] = m as unknown as [string, string, string, string];
  const query = raw.indexOf('?');
  const url = { searchParams: new URLSearchParams(query < 0 ? '' : raw.slice(query + 1)) };
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  let kubeletPath: string;
  let target: KubeletTarget;
  if (verb === 'portforward') {
    target = await locateKubelet(registry, namespace, podName, null);
    if (target.pod.status?.phase !== 'Running') throw badRequest(`pod ${podName} is not running (phase: ${target.pod.status?.phase ?? 'Pending'})`);
    // SPDY (kubectl before 1.30) passes through as well: the kubelet speaks it.
    if (upgrade !== 'websocket' && upgrade !== 'spdy/3.1') throw badRequest(`port-forward needs an Upgrade to SPDY/3.1 or websocket`);
    const ports = url.searchParams.getAll('ports');
    await admit(verb, namespace, podName, { apiVersion: 'v1', kind: 'PodPortForwardOptions', ports: ports.flatMap((p) => p.split(',')).map(Number).filter(Number.isInteger) } as unknown as KubeObject);
    const q = new URLSearchParams();
    for (const p of ports) q.append('ports', p);
    kubeletPath = `/portForward/${encodeURIComponent(namespace)}/${encodeURIComponent(podName)}${q.size ? `?${q}` : ''}`;
  } else {
    target = await locateKubelet(registry, namespace, podName, url.searchParams.get('container') || undefined);
    const phase = target.pod.status?.phase;
    if (isPodFinished(target.pod)) throw badRequest(`cannot ${verb} ${verb === 'exec' ? 'into' : 'to'} a container in a completed pod; current phase is ${phase}`);
    // WebSocket (kubectl 1.30+, the official clients) or SPDY (older kubectl): the kubelet speaks both.
    if (upgrade !== 'websocket' && upgrade !== 'spdy/3.1') throw badRequest(`${verb} needs an Upgrade to websocket or SPDY/3.1`);
    const sp = url.searchParams;
    const streams = { stdin: flag(sp, 'stdin'), stdout: flag(sp, 'stdout'), stderr: flag(sp, 'stderr'), tty: flag(sp, 'tty'), container: target.container };
    const options = verb === 'exec' ? { apiVersion: 'v1', kind: 'PodExecOptions', ...streams, command: sp.getAll('command') } : { apiVersion: 'v1', kind: 'PodAttachOptions', ...streams };
    await admit(verb, namespace, podName, options as unknown as KubeObject);
    const q = new URLSearchParams();
    if (verb === 'exec') for (const c of url.searchParams.getAll('command')) q.append('command', c);
    for (const p of ['stdin', 'stdout', 'stderr', 'tty']) if (url.searchParams.has(p)) q.set(p, url.searchParams.get(p)!);
    kubeletPath = `/${verb}/${encodeURIComponent(namespace)}/${encodeURIComponent(podName)}/${encodeURIComponent(target.container)}?${q}`;
  }
  const t = target;
  const upstream = connect({ host: t.host, port: t.port, servername: undefined, ...kubelets.options() });
  await new Promise<void>((resolve, reject) => {
    upstream.once('secureConnect', resolve);
    upstream.once('error', (err) => reject(new StatusError(503, 'ServiceUnavailable', `cannot reach the kubelet of node "${t.pod.spec?.nodeName}": ${err.message}`)));
  });
  const lines = [`GET ${kubeletPath} HTTP/1.1`, `Host: ${hostPort(t)}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (['host', 'authorization', 'content-length'].includes(name.toLowerCase())) continue;
    lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
  }
  upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (head.length) upstream.write(head);
  // When the kubelet is done, what is already written still reaches the client (over TLS it may
  // be in the encryption buffer): destroying at once could cut off the last frames.
  joinSockets(socket, upstream);
  socket.pipe(upstream);
  if (upgrade !== 'websocket' || !(socket as Duplex & { encrypted?: boolean }).encrypted) {
    upstream.pipe(socket);
    return;
  }
  // Over TLS, each WebSocket frame in TLS records of its own (ws-frame-relay.ts says why).
  relayFramesApart(upstream, socket);
}


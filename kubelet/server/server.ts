// The kubelet's API (--port, HTTPS): /healthz, /metrics, /pods, container logs, exec, attach
// and port-forward, each request authenticated and authorized (auth.ts). The apiserver's
// pods/log, pods/exec, pods/attach and pods/portforward proxy here; exec and attach speak
// Kubernetes' WebSocket channel protocol, port-forward SPDY or WebSocket (port-forward.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Duplex } from 'node:stream';
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import type { Logger } from 'pino';
import type { createWebSocketStream, WebSocketServer } from 'ws';
import type { Pod } from '../../api/types/pod.js';
import { byAttemptDesc, type ObservedContainer } from '../pod/observed.js';
import { chooseProtocol, serveExec } from './exec-stream.js';
import { serveSpdyPortForward, serveWebSocketPortForward, validPort, type PortDialer } from './port-forward.js';
import { serveSpdyRemoteCommand, SPDY_REMOTE_COMMAND_PROTOCOLS } from './remote-command-spdy.js';
import { SpdySession } from './spdy.js';

const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** kubectl 1.30+ tunnels SPDY inside a WebSocket under this subprotocol. */
const SPDY_TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;
const PORT_FORWARD_WS_PROTOCOLS = ['v4.channel.k8s.io', PORT_FORWARD_PROTOCOL];
const MAX_FORWARDED_PORTS = 64;
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { KubeletAuth } from './auth.js';

export interface ServerDeps {
  runtime: ContainerRuntime;
  findPod(namespace: string, name: string): Pod | undefined;
  listPods(): Pod[];
  observe(uid: string): Promise<ObservedContainer[]>;
  healthy(): boolean;
  /** Prometheus text exposition. */
  metrics(): string;
  /** The resource metrics (/metrics/resource), Prometheus text. */
  resourceMetrics(): Promise<string>;
  /** The Summary API (/stats/summary). */
  statsSummary(): Promise<unknown>;
  /** The kubelet's configuration (/configz). */
  configz(): unknown;
  log: Logger;
  /**
   * The serving certificate (none yet while a requested one waits for approval: handshakes
   * fail until `useCertificate`), and the CA whose client certificates authenticate.
   */
  tls: { certPem?: string; keyPem?: string; clientCaPem?: string };
  auth: Pick<KubeletAuth, 'check'>;
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

function statusBody(err: HttpError): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: err.message, reason: err.reason, code: err.code });
}

/** One decoded path segment; a malformed escape is the client's error (400), not the kubelet's. */
function segment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'BadRequest', `malformed escape in path segment ${JSON.stringify(raw)}`);
  }
}

function flag(q: URLSearchParams, ...names: string[]): boolean {
  return names.some((n) => ['1', 'true', 'True'].includes(q.get(n) ?? ''));
}

/** The WebSocket ends of exec/attach and of port-forward. */
interface WebSockets {
  exec: WebSocketServer;
  portForward: WebSocketServer;
  stream: typeof createWebSocketStream;
}

export class KubeletServer {
  readonly server: Server;
  private websockets?: Promise<WebSockets>;

  constructor(private readonly d: ServerDeps) {
    this.server = createServer(this.secureContext(d.tls.certPem, d.tls.keyPem), (req, res) => void this.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => void this.upgrade(req, socket, head));
  }

  private secureContext(cert: string | undefined, key: string | undefined): SecureContextOptions & TlsOptions {
    return {
      ...(cert && key ? { cert, key } : {}),
      minVersion: 'TLSv1.2',
      // Ask for a client certificate, but judge it (and the lack of one) in auth.ts.
      ...(this.d.tls.clientCaPem ? { ca: this.d.tls.clientCaPem, requestCert: true, rejectUnauthorized: false } : {}),
    };
  }

  /** Serves `certPem` from the next handshake on (a rotated or newly issued certificate). */
  useCertificate(certPem: string, keyPem: string): void {
    this.server.setSecureContext(this.secureContext(certPem, keyPem));
  }

  /** Resolves with the port bound (the one asked for, or a free one for 0). */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.address() as { port: number }).port));
    });
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    try {
      const auth = await this.d.auth.check(req);
      if (!auth.ok) {
        res.writeHead(auth.code, { 'content-type': 'text/plain; charset=utf-8' }).end(auth.message);
        return;
      }
      if (url.pathname === '/healthz') {
        res.writeHead(this.d.healthy() ? 200 : 503, { 'content-type': 'text/plain' }).end(this.d.healthy() ? 'ok' : 'container runtime is down');
        return;
      }
      if (url.pathname === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(this.d.metrics());
        return;
      }
      if (url.pathname === '/metrics/resource') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(await this.d.resourceMetrics());
        return;
      }
      if (url.pathname === '/stats/summary' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await this.d.statsSummary()));
        return;
      }
      if (url.pathname === '/configz' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kubeletconfig: this.d.configz() }));
        return;
      }
      if (url.pathname === '/pods') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: this.d.listPods() }));
        return;
      }
      const logs = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (logs && req.method === 'GET') return await this.logs(segment(logs[1]!), segment(logs[2]!), segment(logs[3]!), url.searchParams, req, res);
      if (url.pathname.startsWith('/exec/')) throw new HttpError(400, 'BadRequest', 'exec needs a WebSocket upgrade (Sec-WebSocket-Protocol: v5.channel.k8s.io or v4.channel.k8s.io)');
      throw new HttpError(404, 'NotFound', `the kubelet has no ${url.pathname}`);
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, 'InternalError', (err as Error).message);
      if (!res.headersSent) res.writeHead(e.code, { 'content-type': 'application/json' }).end(statusBody(e));
      else res.destroy();
    }
  }

  /** The container (current or previous run) a request names. */
  private async container(namespace: string, podName: string, container: string, previous: boolean): Promise<{ pod: Pod; target: ObservedContainer }> {
    const pod = this.d.findPod(namespace, podName);
    if (!pod) throw new HttpError(404, 'NotFound', `pods "${podName}" not found`);
    const known = [...(pod.spec.initContainers ?? []), ...pod.spec.containers, ...(pod.spec.ephemeralContainers ?? [])].some((c) => c.name === container);
    if (!known) throw new HttpError(400, 'BadRequest', `container ${container} is not valid for pod ${podName}`);
    const history = (await this.d.observe(pod.metadata.uid!)).filter((c) => c.kind !== 'sandbox' && c.name === container).sort(byAttemptDesc);
    const target = previous ? history[1] : history[0];
    if (!target) {
      if (previous) throw new HttpError(400, 'BadRequest', `previous terminated container "${container}" in pod "${podName}" not found`);
      const status = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])].find((s) => s.name === container);
      const reason = status && 'waiting' in status.state ? status.state.waiting.reason : 'ContainerCreating';
      throw new HttpError(400, 'BadRequest', `container "${container}" in pod "${podName}" is waiting to start: ${reason}`);
    }
    return { pod, target };
  }

  private async logs(namespace: string, podName: string, container: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { target } = await this.container(namespace, podName, container, flag(q, 'previous'));
    let sinceSeconds = q.has('sinceSeconds') ? Number(q.get('sinceSeconds')) : undefined;
    const sinceTime = q.get('sinceTime');
    if (sinceTime) {
      const t = Date.parse(sinceTime);
      if (Number.isNaN(t)) throw new HttpError(400, 'BadRequest', `invalid sinceTime ${sinceTime}`);
      sinceSeconds = Math.max(0, Math.ceil((Date.now() - t) / 1000));
    }
    const tail = q.get('tailLines');
    const stream = await this.d.runtime.logs(target.id, {
      follow: flag(q, 'follow') && target.state === 'running',
      timestamps: flag(q, 'timestamps'),
      tailLines: tail !== null && tail !== '' ? Math.max(0, Number(tail)) : undefined,
      sinceSeconds,
    });
    const limit = q.has('limitBytes') ? Number(q.get('limitBytes')) : Infinity;
    res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    let sent = 0;
    req.on('close', () => stream.destroy());
    stream.on('data', (chunk: Buffer) => {
      if (sent >= limit) return;
      const part = sent + chunk.length > limit ? chunk.subarray(0, limit - sent) : chunk;
      sent += part.length;
      res.write(part);
      if (sent >= limit) stream.destroy();
    });
    await new Promise<void>((resolve) => {
      stream.once('close', resolve);
      stream.once('end', resolve);
      stream.once('error', resolve);
    });
    res.end();
  }

  /**
   * Made with the first exec, attach or port-forward over WebSocket: the ws package is a quarter
   * of a kubelet's bundle, which every node would otherwise compile at start.
   */
  private sockets(): Promise<WebSockets> {
    this.websockets ??= import('ws').then(
      ({ WebSocketServer, createWebSocketStream }) => ({
        exec: new WebSocketServer({ noServer: true, handleProtocols: (offered) => chooseProtocol(offered) }),
        portForward: new WebSocketServer({
          noServer: true,
          handleProtocols: (offered) => [SPDY_TUNNEL_PROTOCOL, ...PORT_FORWARD_WS_PROTOCOLS].find((p) => offered.has(p)) ?? false,
        }),
        stream: createWebSocketStream,
      }),
      (err: unknown) => {
        this.websockets = undefined;
        throw err;
      },
    );
    return this.websockets;
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const fail = (e: HttpError) => {
      const body = statusBody(e);
      socket.end(`HTTP/1.1 ${e.code} ${e.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    socket.on('error', () => undefined);
    try {
      const auth = await this.d.auth.check(req);
      if (!auth.ok) throw new HttpError(auth.code, auth.code === 401 ? 'Unauthorized' : 'Forbidden', auth.message);
      const upgrade = (req.headers.upgrade ?? '').toLowerCase();
      const forward = /^\/portForward\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (forward) return await this.portForward(segment(forward[1]!), segment(forward[2]!), url.searchParams, upgrade, req, socket, head);
      const m = /^\/(exec|attach)\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (!m) throw new HttpError(404, 'NotFound', `the kubelet cannot upgrade ${url.pathname}`);
      const verb = m[1] as 'exec' | 'attach';
      if (upgrade !== 'websocket' && upgrade !== 'spdy/3.1') {
        throw new HttpError(400, 'BadRequest', `${verb} needs an Upgrade to websocket or SPDY/3.1, got "${req.headers.upgrade ?? ''}"`);
      }
      const q = url.searchParams;
      const command = q.getAll('command');
      if (verb === 'exec' && !command.length) throw new HttpError(400, 'BadRequest', 'you must specify at least 1 command');
      const tty = flag(q, 'tty');
      const opts = { stdin: flag(q, 'stdin', 'input'), stdout: flag(q, 'stdout', 'output'), stderr: !tty && flag(q, 'stderr', 'error'), tty };
      // As Kubernetes' kubelet: a session with no stream at all is refused before the upgrade.
      if (!opts.stdin && !opts.stdout && !opts.stderr) throw new HttpError(400, 'BadRequest', 'you must specify at least 1 of stdin, stdout, stderr');
      const { target } = await this.container(segment(m[2]!), segment(m[3]!), segment(m[4]!), false);
      if (target.state !== 'running') throw new HttpError(400, 'BadRequest', `container ${m[4]} is not running (state: ${target.state})`);
      const start = () => (verb === 'exec' ? this.d.runtime.exec(target.id, command, opts) : this.d.runtime.attach(target.id, opts));
      if (upgrade === 'spdy/3.1') {
        // kubectl before 1.30: the streams come first, the command runs once they are all open.
        const offered = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((p) => p.trim());
        const protocol = SPDY_REMOTE_COMMAND_PROTOCOLS.find((p) => offered.includes(p));
        if (!protocol) throw new HttpError(403, 'Forbidden', `unable to upgrade: no common stream protocol: offered ${offered.join(', ')}, supported ${SPDY_REMOTE_COMMAND_PROTOCOLS.join(', ')}`);
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
        if (head.length) socket.unshift(head);
        serveSpdyRemoteCommand(new SpdySession(socket), protocol, opts, start);
        return;
      }
      const { exec } = await this.sockets();
      const session = await start();
      exec.handleUpgrade(req, socket, head, (ws) => serveExec(ws, session, ws.protocol || 'channel.k8s.io'));
    } catch (err) {
      fail(err instanceof HttpError ? err : new HttpError(500, 'InternalError', (err as Error).message));
    }
  }

  /** kubectl port-forward: SPDY (plain or tunnelled in a WebSocket) or the WebSocket channel protocol. */
  private async portForward(namespace: string, podName: string, q: URLSearchParams, upgrade: string, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const pod = this.d.findPod(namespace, podName);
    if (!pod) throw new HttpError(404, 'NotFound', `pods "${podName}" not found`);
    const sandbox = (await this.d.observe(pod.metadata.uid!)).find((c) => c.kind === 'sandbox' && c.state === 'running');
    if (!sandbox) throw new HttpError(400, 'BadRequest', `pod ${podName} does not have a running sandbox`);
    const describe = `${namespace}/${podName}, uid ${pod.metadata.uid}`;
    const dial: PortDialer = (port) => this.d.runtime.portForward(sandbox.id, port);
    if (upgrade === 'spdy/3.1') {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`);
      if (head.length) socket.unshift(head);
      serveSpdyPortForward(new SpdySession(socket), dial, describe);
      return;
    }
    if (upgrade !== 'websocket') throw new HttpError(400, 'BadRequest', `port-forward needs an Upgrade to SPDY/3.1 or websocket, got "${req.headers.upgrade ?? ''}"`);
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const { portForward, stream } = await this.sockets();
    if (offered.includes(SPDY_TUNNEL_PROTOCOL)) {
      portForward.handleUpgrade(req, socket, head, (ws) => serveSpdyPortForward(new SpdySession(stream(ws)), dial, describe));
      return;
    }
    const ports = q.getAll('ports').flatMap((p) => p.split(','));
    const parsed = ports.map((p) => validPort(p.trim()));
    if (!parsed.length) throw new HttpError(400, 'BadRequest', 'query parameter "ports" is required');
    // Each port is a connection into the pod (a process in its sandbox): a bounded number.
    if (parsed.length > MAX_FORWARDED_PORTS) throw new HttpError(400, 'BadRequest', `at most ${MAX_FORWARDED_PORTS} ports may be forwarded at once, got ${parsed.length}`);
    if (parsed.some((p) => p === undefined)) throw new HttpError(400, 'BadRequest', `invalid port in "${ports.join(',')}"`);
    portForward.handleUpgrade(req, socket, head, (ws) => serveWebSocketPortForward(ws, parsed as number[], dial, describe));
  }
}

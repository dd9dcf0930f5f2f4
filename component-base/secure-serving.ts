// A component's secure port, as Kubernetes' scheduler (10259) and controller-manager (10257)
// serve it: HTTPS with a certificate of its own (--tls-cert-file, else one generated and kept
// in --cert-dir, else in memory), the client CA the apiserver publishes
// (kube-system/extension-apiserver-authentication, read until it is there) or --client-ca-file,
// delegated authentication and authorization (delegated-access.ts), then the component's
// health endpoints and /metrics. A port that cannot be bound fails the component's start.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { hostname } from 'node:os';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { ApiserverRequests } from './apiserver-requests.js';
import { serveEndpoint, type ComponentEndpoints } from './component-endpoints.js';
import { DelegatedAccess } from './delegated-access.js';
import { defineFlags, FlagError, type FlagValues } from './flags.js';
import { selfSignedServingCert } from './serving-cert.js';

export function secureServingFlags(defaultPort: number) {
  return defineFlags({
    'bind-address': { type: 'ip', default: '0.0.0.0', arg: 'IP', help: 'Address of the secure port (0.0.0.0: every IPv4 address).' },
    'secure-port': { type: 'port', default: defaultPort, arg: 'PORT', help: 'HTTPS port of /healthz, /livez, /readyz, /metrics and /configz, authenticated and authorized (0 disables).' },
    'tls-cert-file': { type: 'string', arg: 'FILE', help: 'Serving certificate (PEM); default: a self-signed one (in --cert-dir, or in memory).' },
    'tls-private-key-file': { type: 'string', arg: 'FILE', help: 'Its private key (PEM).' },
    'cert-dir': { type: 'string', default: '', arg: 'DIR', help: 'Where a generated serving certificate is kept ("" : in memory only).' },
    'client-ca-file': { type: 'string', arg: 'FILE', help: "CA of the client certificates accepted; default: the apiserver's (kube-system/extension-apiserver-authentication)." },
    'authentication-kubeconfig': { type: 'string', arg: 'FILE', help: "Where TokenReviews go (default: this component's own apiserver connection)." },
    'authorization-kubeconfig': { type: 'string', arg: 'FILE', help: "Where SubjectAccessReviews go (default: this component's own apiserver connection)." },
    'authorization-always-allow-paths': { type: 'list', default: ['/healthz', '/readyz', '/livez'], arg: 'LIST', help: 'Paths served without authorization (a trailing * matches a prefix).' },
  });
}

export type SecureServingFlagValues = FlagValues<ReturnType<typeof secureServingFlags>>;

/** The flags' rules, for the component's validate step (a bad combination exits 2 with this message). */
export function validateSecureServing(f: SecureServingFlagValues): void {
  if (!!f['tls-cert-file'] !== !!f['tls-private-key-file']) throw new FlagError('--tls-cert-file and --tls-private-key-file must be given together');
}

const CA_RETRY_MS = 5_000;
const CA_REREAD_MS = 60_000;

export interface SecureServingOptions {
  flags: SecureServingFlagValues;
  /** kube-scheduler, kube-controller-manager: the generated certificate's file names. */
  name: string;
  /** Where the client CA is read, TokenReviews go and SubjectAccessReviews go (client/delegation.ts). */
  apiserver: { clientCA: ApiserverRequests; authentication: ApiserverRequests; authorization: ApiserverRequests };
  endpoints: ComponentEndpoints;
  log: Logger;
}

export interface SecureServer {
  server: Server;
  close(): Promise<void>;
}

export async function serveSecurely(opts: SecureServingOptions): Promise<SecureServer | undefined> {
  const f = opts.flags;
  if (!(f['secure-port'] > 0)) return undefined;
  validateSecureServing(f);
  const cert = f['tls-cert-file']
    ? { certPem: readFileSync(f['tls-cert-file'], 'utf8'), keyPem: readFileSync(f['tls-private-key-file']!, 'utf8') }
    : await selfSignedServingCert({ certDir: f['cert-dir'] || undefined, name: opts.name, commonName: 'localhost', hosts: ['localhost', hostname()], ips: ['127.0.0.1'] });

  const access = new DelegatedAccess({ authentication: opts.apiserver.authentication, authorization: opts.apiserver.authorization, alwaysAllowPaths: f['authorization-always-allow-paths'] });

  const context = (ca: string | undefined) => ({ cert: cert.certPem, key: cert.keyPem, ...(ca ? { ca } : {}) });
  let clientCA = f['client-ca-file'] ? readFileSync(f['client-ca-file'], 'utf8') : undefined;
  /**
   * Which client CA each connection's certificate was checked against. TLS checks it once, with
   * the context the connection was given when it was accepted, which may be older than the one
   * in place when its handshake ends: the generation is taken at the TCP connection and looked
   * up by the peer's address and port when the handshake is done.
   */
  let caGeneration = 0;
  const accepted = new Map<string, { raw: Socket; generation: number }>();
  const handshakes = new WeakMap<TLSSocket, number>();
  const peerKey = (s: Socket) => `${s.remoteAddress}|${s.remotePort}`;
  // Client certificates are asked for, never required: a client without one is anonymous.
  const server = createServer({ ...context(clientCA), requestCert: true, rejectUnauthorized: false }, (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'https://component');
    } catch {
      return void res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('400 Bad Request\n');
    }
    res.setHeader('cache-control', 'no-cache, private');
    // A connection made before the client CA changed was judged by the old one: its client
    // reconnects after this answer, to be judged by the new.
    if ((handshakes.get(req.socket as TLSSocket) ?? caGeneration) < caGeneration) res.setHeader('connection', 'close');
    access.check(req, url.pathname).then(
      (decision) => {
        if (!decision.ok) {
          const r = decision.refusal;
          return void res.writeHead(r.code, { 'content-type': r.code === 500 ? 'text/plain; charset=utf-8' : 'application/json' }).end(r.body);
        }
        serveEndpoint(opts.endpoints, url, res, req);
      },
      (err: Error) => {
        opts.log.error({ err: err.message, path: url.pathname }, 'secure port request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Internal Server Error\n');
      },
    );
  });
  server.on('tlsClientError', () => {});
  server.on('connection', (raw: Socket) => {
    const key = peerKey(raw);
    accepted.set(key, { raw, generation: caGeneration });
    raw.once('close', () => accepted.get(key)?.raw === raw && accepted.delete(key));
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    const key = peerKey(socket);
    // Not found (never expected): judged as the oldest, so a changed CA closes it after one answer.
    handshakes.set(socket, accepted.get(key)?.generation ?? 0);
    accepted.delete(key);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(f['secure-port'], f['bind-address'], () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => opts.log.error({ err: err.message }, 'secure port error'));

  // The apiserver's client CA: asked for until it is published (the apiserver may not be up yet),
  // then read again every minute, as Kubernetes' components follow that ConfigMap, so a new CA
  // is taken without a restart.
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const readCA = async () => {
    let ca: string | undefined;
    try {
      const cm = await opts.apiserver.clientCA.request<{ data?: Record<string, string> }>('GET', '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication');
      ca = cm.data?.['client-ca-file'];
    } catch {
      // not yet published, or the apiserver is away: asked again below
    }
    if (ca && ca !== clientCA) {
      clientCA = ca;
      caGeneration++;
      server.setSecureContext(context(clientCA));
      server.closeIdleConnections();
    }
    if (stopped) return;
    timer = setTimeout(() => void readCA(), clientCA ? CA_REREAD_MS : CA_RETRY_MS);
    timer.unref();
  };
  if (!clientCA) void readCA();

  opts.log.info({ address: f['bind-address'], port: f['secure-port'] }, 'serving securely');
  return {
    server,
    close: async () => {
      stopped = true;
      clearTimeout(timer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      // Connections still in their handshake are not the HTTP server's yet: they would hold the
      // close until the handshake timeout (two minutes).
      for (const { raw } of accepted.values()) raw.destroy();
      await closed;
    },
  };
}

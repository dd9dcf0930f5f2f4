// Health check node ports: a LoadBalancer Service with externalTrafficPolicy Local gets one
// (spec.healthCheckNodePort), and on it every node's proxy answers whether that node has
// endpoints of the Service, so a load balancer sends traffic only to nodes that can take it
// without forwarding it on. As kube-proxy answers: 200 with the count of local endpoints, 503
// when there are none, a JSON body naming the Service, the count in
// X-Load-Balancing-Endpoint-Weight.
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { ServicePort } from './service-map.js';

interface Check {
  namespace: string;
  name: string;
  localEndpoints: number;
}

/** The health check each health check node port answers, from the service map (pure). */
export function healthChecks(ports: ServicePort[]): Map<number, Check> {
  const out = new Map<number, Check & { ips: Set<string> }>();
  for (const sp of ports) {
    if (!sp.healthCheckNodePort) continue;
    const check = out.get(sp.healthCheckNodePort) ?? out.set(sp.healthCheckNodePort, { namespace: sp.namespace, name: sp.name, localEndpoints: 0, ips: new Set() }).get(sp.healthCheckNodePort)!;
    // Ready ones only (a node with only terminating endpoints should lose its traffic), each
    // counted once however many ports the Service has.
    for (const e of sp.localEndpoints) if (!e.terminating) check.ips.add(e.ip);
    check.localEndpoints = check.ips.size;
  }
  return new Map([...out].map(([port, { ips: _ips, ...check }]) => [port, check]));
}

export function answer(check: Check, proxyHealthy: boolean): { code: number; headers: Record<string, string>; body: string } {
  const body = JSON.stringify({ service: { namespace: check.namespace, name: check.name }, localEndpoints: check.localEndpoints, serviceProxyHealthy: proxyHealthy });
  return {
    code: check.localEndpoints > 0 && proxyHealthy ? 200 : 503,
    headers: { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'x-load-balancing-endpoint-weight': String(check.localEndpoints) },
    body,
  };
}

/** Stops answering at once: close() alone keeps serving kept-alive connections a load balancer keeps polling on. */
function stop(server: Server): void {
  server.close();
  server.closeAllConnections();
}

export class HealthCheckServers {
  private readonly servers = new Map<number, { server: Server; check: Check }>();

  constructor(
    private readonly bindAddress: string,
    private readonly proxyHealthy: () => boolean,
    private readonly log: Logger,
  ) {}

  /** Opens a server per wanted port, closes the rest, and updates what each answers. */
  sync(ports: ServicePort[]): void {
    const wanted = healthChecks(ports);
    for (const [port, s] of this.servers) {
      if (wanted.has(port)) continue;
      stop(s.server);
      this.servers.delete(port);
    }
    for (const [port, check] of wanted) {
      const held = this.servers.get(port);
      if (held) {
        held.check = check;
        continue;
      }
      const entry = { server: createServer(), check };
      entry.server.on('request', (_req, res) => {
        const a = answer(entry.check, this.proxyHealthy());
        res.writeHead(a.code, a.headers).end(a.body);
      });
      entry.server.on('error', (err) => {
        // Another process holds the port: try again at the next sync.
        this.log.warn({ port, service: `${check.namespace}/${check.name}`, err: err.message }, 'could not serve a health check node port');
        if (this.servers.get(port) === entry) this.servers.delete(port);
      });
      entry.server.listen(port, this.bindAddress);
      this.servers.set(port, entry);
    }
  }

  close(): void {
    for (const s of this.servers.values()) stop(s.server);
    this.servers.clear();
  }
}

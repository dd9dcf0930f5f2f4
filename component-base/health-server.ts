// The small HTTP server every component keeps beside its work: /healthz and Prometheus
// /metrics (text format), nothing else.
import { createServer, type Server } from 'node:http';

export interface HealthEndpoints {
  /** Status code and body of /healthz (default: 200 "ok"). */
  healthz?: () => { code: number; body: string; type?: string };
  /** None: no /metrics here (the kubelet serves its metrics on its authenticated port). */
  metrics?: () => string[];
}

/** Listens on host:port; port 0 means no server (returns undefined). */
export function serveHealth(host: string, port: number, endpoints: HealthEndpoints): Server | undefined {
  if (!(port > 0)) return undefined;
  const server = createServer((req, res) => {
    if (req.url === '/healthz') {
      const h = endpoints.healthz?.() ?? { code: 200, body: 'ok' };
      return void res.writeHead(h.code, { 'content-type': h.type ?? 'text/plain' }).end(h.body);
    }
    if (req.url === '/metrics' && endpoints.metrics) return void res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(endpoints.metrics().join('\n') + '\n');
    res.writeHead(404).end();
  });
  server.listen(port, host);
  return server;
}

#!/usr/bin/env node
// kubette cluster DNS: its own component (not inside the proxy) because it has a life of its
// own: a Service other components point at, a port to serve, upstream resolvers, and it may
// run on another host than any proxy. Flags -> informers on Services and EndpointSlices ->
// a DNS server on --bind-address:--port, registered as kube-system/kube-dns.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { parseIPv4 } from '../api/ip.js';
import { serveHealth } from '../client/health-server.js';
import { Informer } from '../client/informer.js';
import { loadClientConfig } from '../client/kubeconfig.js';
import { resource, RestClient } from '../client/rest.js';
import { sleep } from '../client/sleep.js';
import { registerDnsService } from './registration.js';
import { DnsServer } from './server.js';

const { values } = parseArgs({
  options: {
    master: { type: 'string' },
    kubeconfig: { type: 'string' },
    'bind-address': { type: 'string', default: '0.0.0.0' },
    port: { type: 'string', default: '53' },
    'advertise-address': { type: 'string' },
    'cluster-dns-ip': { type: 'string', default: '10.96.0.10' },
    'cluster-domain': { type: 'string', default: 'cluster.local' },
    upstream: { type: 'string' },
    'health-port': { type: 'string', default: '0' },
    'log-level': { type: 'string', default: 'info' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`Usage: kubette-dns [flags]

  --master URL               apiserver URL (overrides --kubeconfig)
  --kubeconfig FILE          kubeconfig with the apiserver's address and credentials
  --bind-address IP          where to listen (default 0.0.0.0)
  --port PORT                UDP and TCP port (default 53; 0 picks a free one)
  --advertise-address IP     the address pods reach this server at, written into kube-dns's
                             Endpoints (default: --bind-address, which must then not be 0.0.0.0)
  --cluster-dns-ip IP        the kube-dns Service's cluster IP (default 10.96.0.10)
  --cluster-domain DOMAIN    (default cluster.local)
  --upstream IP,...          resolvers for names outside the cluster (default: /etc/resolv.conf's)
  --health-port PORT         /healthz and /metrics on 127.0.0.1 (default 0: off)
  --log-level LEVEL          trace, debug, info, warn or error (default info)`);
  process.exit(0);
}

const log = pino({ level: values['log-level'], base: { component: 'dns' } });

function hostResolvers(): string[] {
  try {
    return [...readFileSync('/etc/resolv.conf', 'utf8').matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]!);
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const advertise = values['advertise-address'] ?? values['bind-address']!;
  if (parseIPv4(advertise) === undefined || advertise === '0.0.0.0') throw new Error('--advertise-address must be an IPv4 address pods can reach');
  const client = new RestClient(loadClientConfig({ master: values.master, kubeconfig: values.kubeconfig, userAgent: 'kubette-dns' }));
  const servicesInf = new Informer(client, resource('v1/services'), {}, log);
  const slicesInf = new Informer(client, resource('discovery.k8s.io/v1/endpointslices'), {}, log);
  const upstreams = (values.upstream ? values.upstream.split(',') : hostResolvers()).map((s) => s.trim()).filter(Boolean);
  const server = new DnsServer({
    host: values['bind-address']!,
    port: Number(values.port),
    domain: values['cluster-domain']!,
    upstreams,
    catalog: () => ({ services: servicesInf.list(), slices: slicesInf.list() }),
    log,
  });
  const port = await server.start();
  log.info({ address: `${values['bind-address']}:${port}`, upstreams }, 'dns listening');

  const stop = new AbortController();
  const informing = Promise.all([servicesInf.run(stop.signal), slicesInf.run(stop.signal)]);
  // Keep the registration true: re-assert it now and then (someone may delete it).
  const registering = (async () => {
    let delay = 500;
    while (!stop.signal.aborted) {
      try {
        const ip = await registerDnsService(client, { clusterIP: values['cluster-dns-ip']!, address: advertise, port });
        if (ip !== values['cluster-dns-ip']) log.warn({ ip, wanted: values['cluster-dns-ip'] }, 'kube-dns exists with another cluster IP');
        delay = 30_000;
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'could not register kube-dns; retrying');
        delay = Math.min(delay * 2, 10_000);
      }
      await sleep(delay, stop.signal);
    }
  })();

  const http = serveHealth('127.0.0.1', Number(values['health-port']), {
    metrics: () => [`dns_queries_total ${server.queries}`, `dns_forwarded_total ${server.forwarded}`, `dns_failures_total ${server.failures}`],
  });

  const shutdown = () => stop.abort();
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  await Promise.all([informing, registering]);
  server.close();
  http?.close();
  await client.close();
  process.exit(0);
}

main().catch((err) => {
  log.error({ err }, 'dns failed');
  process.exit(1);
});

#!/usr/bin/env node
// kubette cluster DNS: its own component (not inside the proxy) because it has a life of its
// own: a Service other components point at, a port to serve, upstream resolvers, and it may
// run on another host than any proxy. Flags -> informers on Services and EndpointSlices ->
// a DNS server on --bind-address:--port, registered as kube-system/kube-dns.
import { readFileSync } from 'node:fs';
import type { Service } from '../api/types/core.js';
import type { EndpointSlice } from '../api/types/discovery.js';
import { Informer } from '../client/informer.js';
import { loadClientConfig } from '../client/kubeconfig.js';
import { resource, RestClient } from '../client/rest.js';
import { keepAsserting } from '../client/keep-asserting.js';
import { apiServerFlags, defineFlags, FlagError } from '../component-base/flags.js';
import { serveHealth } from '../component-base/health-server.js';
import { runComponent } from '../component-base/run.js';
import { registerDnsService } from './registration.js';
import { DnsServer } from './server.js';

const flags = defineFlags({
  ...apiServerFlags,
  'bind-address': { type: 'ip', default: '0.0.0.0', arg: 'IP', help: 'Where to listen.' },
  port: { type: 'port', default: 53, arg: 'PORT', help: 'UDP and TCP port (0 picks a free one).' },
  'advertise-address': { type: 'ip', arg: 'IP', help: "The address pods reach this server at, written into kube-dns's Endpoints (default: --bind-address, which must then not be 0.0.0.0)." },
  'cluster-dns-ip': { type: 'ip', default: '10.96.0.10', arg: 'IP', help: "The kube-dns Service's cluster IP." },
  'cluster-domain': { type: 'string', default: 'cluster.local', arg: 'DOMAIN', help: "The cluster's DNS domain." },
  upstream: { type: 'list', arg: 'IP,...', help: "Resolvers for names outside the cluster (default: /etc/resolv.conf's)." },
  'health-port': { type: 'port', default: 0, arg: 'PORT', help: '/healthz and /metrics on 127.0.0.1 (0: off).' },
});

function hostResolvers(): string[] {
  try {
    return [...readFileSync('/etc/resolv.conf', 'utf8').matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]!);
  } catch {
    return [];
  }
}

runComponent({
  command: 'kubette-dns',
  component: 'dns',
  flags,
  validate: (f) => {
    if ((f['advertise-address'] ?? f['bind-address']) === '0.0.0.0') throw new FlagError('--advertise-address must be an IPv4 address pods can reach (or --bind-address a specific one)');
  },
  async run({ flags: f, log, signal }) {
    const advertise = f['advertise-address'] ?? f['bind-address'];
    const client = new RestClient(loadClientConfig({ master: f.master, kubeconfig: f.kubeconfig, userAgent: 'kubette-dns' }));
    const servicesInf = new Informer<Service>(client, resource('v1/services'), {}, log);
    const slicesInf = new Informer<EndpointSlice>(client, resource('discovery.k8s.io/v1/endpointslices'), {}, log);
    const upstreams = f.upstream ?? hostResolvers();
    const server = new DnsServer({
      host: f['bind-address'],
      port: f.port,
      domain: f['cluster-domain'],
      upstreams,
      catalog: () => ({ services: servicesInf.list(), slices: slicesInf.list() }),
      log,
    });
    const port = await server.start();
    log.info({ address: `${f['bind-address']}:${port}`, upstreams }, 'dns listening');

    const informing = Promise.all([servicesInf.run(signal), slicesInf.run(signal)]);
    // Keep the registration true: re-assert it now and then (someone may delete it).
    const registering = keepAsserting(
      'kube-dns',
      async () => {
        const ip = await registerDnsService(client, { clusterIP: f['cluster-dns-ip'], address: advertise, port });
        if (ip !== f['cluster-dns-ip']) log.warn({ ip, wanted: f['cluster-dns-ip'] }, 'kube-dns exists with another cluster IP');
      },
      signal,
      log,
    );

    const http = serveHealth('127.0.0.1', f['health-port'], {
      metrics: () => [`dns_queries_total ${server.queries}`, `dns_forwarded_total ${server.forwarded}`, `dns_failures_total ${server.failures}`],
    });
    await Promise.all([informing, registering]);
    server.close();
    http?.close();
    await client.close();
  },
});

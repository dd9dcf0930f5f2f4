#!/usr/bin/env node
// kubette proxy: flags -> client -> Services and EndpointSlices -> iptables rules (or, in
// userspace mode, its own listeners); /healthz and /metrics on --healthz-bind-address.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { parseGoDuration } from '../api/go-duration.js';
import { parseCidr } from '../api/ip.js';
import { serveHealth } from '../client/health-server.js';
import { loadClientConfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest.js';
import { IptablesBackend } from './iptables.js';
import { Proxier } from './proxier.js';
import { UserspaceBackend } from './userspace.js';

const { values } = parseArgs({
  options: {
    master: { type: 'string' },
    kubeconfig: { type: 'string' },
    'hostname-override': { type: 'string', default: hostname().toLowerCase() },
    'proxy-mode': { type: 'string', default: 'iptables' },
    'bind-address': { type: 'string', default: '0.0.0.0' },
    'healthz-bind-address': { type: 'string', default: '0.0.0.0:10256' },
    'service-cluster-ip-range': { type: 'string', default: '10.96.0.0/12' },
    'iptables-min-sync-period': { type: 'string', default: '1s' },
    'iptables-sync-period': { type: 'string', default: '30s' },
    'iptables-chain-prefix': { type: 'string', default: 'KUBETTE' },
    'route-localnet-file': { type: 'string', default: '/proc/sys/net/ipv4/conf/all/route_localnet' },
    'log-level': { type: 'string', default: 'info' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`Usage: kubette-proxy [flags]

  --master URL                   apiserver URL (overrides --kubeconfig)
  --kubeconfig FILE              kubeconfig with the apiserver's address and credentials
  --hostname-override NAME       this node's name (default: hostname)
  --proxy-mode MODE              iptables (default: DNAT in the kernel) or userspace (the proxy forwards)
  --bind-address IP              where userspace listeners and node ports listen (default 0.0.0.0)
  --healthz-bind-address IP:PORT /healthz and /metrics (default 0.0.0.0:10256; port 0 disables)
  --service-cluster-ip-range CIDR  the apiserver's service range: anything sent there that no
                                 rule matches is rejected, never routed (default 10.96.0.0/12)
  --iptables-min-sync-period D   at most one rules sync this often (default 1s)
  --iptables-sync-period D       a full resync at least this often (default 30s)
  --iptables-chain-prefix NAME   prefix of every chain this proxy owns (default KUBETTE); two
                                 clusters sharing one host need different ones
  --route-localnet-file FILE     the net.ipv4.conf.all.route_localnet sysctl, set to 1 so node ports
                                 answer on 127.0.0.1 (in a container: the host's, bind-mounted)
  --log-level LEVEL              trace, debug, info, warn or error (default info)

One proxy per host: kubelets sharing a host (the local launcher's nodes) share its rules.`);
  process.exit(0);
}

const log = pino({ level: values['log-level'], base: { component: 'proxy', node: values['hostname-override'] } });

async function main(): Promise<void> {
  const mode = values['proxy-mode'];
  if (mode !== 'iptables' && mode !== 'userspace') throw new Error(`--proxy-mode must be iptables or userspace, got ${mode}`);
  const serviceCIDR = parseCidr(values['service-cluster-ip-range']!).text;
  const prefix = values['iptables-chain-prefix']!;
  if (!/^[A-Z][A-Z0-9]{0,11}$/.test(prefix)) throw new Error('--iptables-chain-prefix must be 1-12 capital letters or digits');
  const client = new RestClient(loadClientConfig({ master: values.master, kubeconfig: values.kubeconfig, userAgent: 'kubette-proxy' }));
  const backend =
    mode === 'iptables'
      ? new IptablesBackend({ prefix, serviceCIDR, log, routeLocalnetFile: values['route-localnet-file'] })
      : new UserspaceBackend({ prefix, serviceCIDR, bindAddress: values['bind-address']!, log, routeLocalnetFile: values['route-localnet-file'] });
  const proxier = new Proxier(client, backend, { minSyncMs: parseGoDuration(values['iptables-min-sync-period']!), syncPeriodMs: parseGoDuration(values['iptables-sync-period']!) }, log);

  const [host, portText] = values['healthz-bind-address']!.split(':');
  const syncPeriodMs = parseGoDuration(values['iptables-sync-period']!);
  const server = serveHealth(host!, Number(portText), {
    // Healthy while rules are being kept current, as kube-proxy's /healthz reports it.
    healthz: () => {
      const fresh = proxier.lastSyncAt > 0 && Date.now() - proxier.lastSyncAt < 2 * syncPeriodMs + 5000;
      return { code: fresh ? 200 : 503, type: 'application/json', body: JSON.stringify({ lastUpdated: new Date(proxier.lastSyncAt).toISOString(), currentTime: new Date().toISOString() }) };
    },
    metrics: () => [
      `kubeproxy_sync_proxy_rules_total ${proxier.syncs}`,
      `kubeproxy_sync_proxy_rules_errors_total ${proxier.errors}`,
      `kubeproxy_sync_proxy_rules_last_duration_seconds ${(proxier.lastSyncMs / 1000).toFixed(3)}`,
      `kubeproxy_sync_proxy_rules_last_timestamp_seconds ${(proxier.lastSyncAt / 1000).toFixed(0)}`,
    ],
  });

  const stop = new AbortController();
  const shutdown = () => {
    log.info('shutting down; removing rules');
    stop.abort();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  log.info({ mode, serviceCIDR, prefix }, 'proxy starting');
  await proxier.run(stop.signal);
  server?.close();
  await client.close();
  process.exit(0);
}

main().catch((err) => {
  log.error({ err }, 'proxy failed');
  process.exit(1);
});

#!/usr/bin/env node
// kubette proxy: flags -> client -> Services and EndpointSlices -> iptables rules (or, in
// userspace mode, its own listeners); /healthz and /metrics on --healthz-bind-address.
import { hostname } from 'node:os';
import { loadClientConfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest.js';
import { apiServerFlags, defineFlags, FlagError } from '../component-base/flags.js';
import { serveHealth } from '../component-base/health-server.js';
import { runComponent } from '../component-base/run.js';
import { IptablesBackend } from './iptables.js';
import { HealthCheckServers } from './health-check-server.js';
import { Proxier } from './proxier.js';
import { UserspaceBackend } from './userspace.js';

const flags = defineFlags({
  ...apiServerFlags,
  'hostname-override': { type: 'string', default: hostname().toLowerCase(), arg: 'NAME', help: "This node's name." },
  'proxy-mode': { type: 'string', default: 'iptables', oneOf: ['iptables', 'userspace'], arg: 'MODE', help: 'iptables (DNAT in the kernel) or userspace (the proxy forwards).' },
  'bind-address': { type: 'ip', default: '0.0.0.0', arg: 'IP', help: 'Where userspace listeners, node ports and health check node ports listen.' },
  'healthz-bind-address': { type: 'hostPort', default: '0.0.0.0:10256', arg: 'IP:PORT', help: '/healthz and /metrics (port 0 disables).' },
  'service-cluster-ip-range': { type: 'cidr', default: '10.96.0.0/12', arg: 'CIDR', help: "The apiserver's service range: anything sent there that no rule matches is rejected, never routed." },
  'iptables-min-sync-period': { type: 'duration', default: '1s', help: 'At most one rules sync this often.' },
  'iptables-sync-period': { type: 'duration', default: '30s', help: 'A full resync at least this often.' },
  'iptables-chain-prefix': { type: 'string', default: 'KUBETTE', arg: 'NAME', help: 'Prefix of every chain this proxy owns; two clusters sharing one host need different ones.' },
  'route-localnet-file': {
    type: 'string',
    default: '/proc/sys/net/ipv4/conf/all/route_localnet',
    arg: 'FILE',
    help: "The net.ipv4.conf.all.route_localnet sysctl, set to 1 so node ports answer on 127.0.0.1 (in a container: the host's, bind-mounted).",
  },
});

runComponent({
  command: 'kubette-proxy',
  component: 'proxy',
  flags,
  notes: "One proxy per host: kubelets sharing a host (the local launcher's nodes) share its rules.",
  logFields: (f) => ({ node: f['hostname-override'] }),
  validate: (f) => {
    if (!/^[A-Z][A-Z0-9]{0,11}$/.test(f['iptables-chain-prefix'])) throw new FlagError('--iptables-chain-prefix must be 1-12 capital letters or digits');
  },
  async run({ flags: f, log, signal }) {
    const mode = f['proxy-mode'];
    const serviceCIDR = f['service-cluster-ip-range'];
    const prefix = f['iptables-chain-prefix'];
    const client = new RestClient(loadClientConfig({ master: f.master, kubeconfig: f.kubeconfig, userAgent: 'kubette-proxy' }));
    const backend =
      mode === 'iptables'
        ? new IptablesBackend({ prefix, serviceCIDR, log, routeLocalnetFile: f['route-localnet-file'] })
        : new UserspaceBackend({ prefix, serviceCIDR, bindAddress: f['bind-address'], log, routeLocalnetFile: f['route-localnet-file'] });
    const syncPeriodMs = f['iptables-sync-period'];
    const rulesFresh = (): boolean => proxier.lastSyncAt > 0 && Date.now() - proxier.lastSyncAt < 2 * syncPeriodMs + 5000;
    const healthChecks = new HealthCheckServers(f['bind-address'], rulesFresh, log);
    const proxier = new Proxier(client, backend, { minSyncMs: f['iptables-min-sync-period'], syncPeriodMs, nodeName: f['hostname-override'], healthChecks }, log);

    const { host, port } = f['healthz-bind-address'];
    const server = serveHealth(host, port, {
      // Healthy while rules are being kept current, as kube-proxy's /healthz reports it.
      healthz: () => {
        const fresh = rulesFresh();
        return { code: fresh ? 200 : 503, type: 'application/json', body: JSON.stringify({ lastUpdated: new Date(proxier.lastSyncAt).toISOString(), currentTime: new Date().toISOString() }) };
      },
      metrics: () => [
        `kubeproxy_sync_proxy_rules_total ${proxier.syncs}`,
        `kubeproxy_sync_proxy_rules_errors_total ${proxier.errors}`,
        `kubeproxy_sync_proxy_rules_last_duration_seconds ${(proxier.lastSyncMs / 1000).toFixed(3)}`,
        `kubeproxy_sync_proxy_rules_last_timestamp_seconds ${(proxier.lastSyncAt / 1000).toFixed(0)}`,
      ],
    });
    log.info({ mode, serviceCIDR, prefix }, 'proxy starting');
    // On stop the proxier removes every rule it made.
    await proxier.run(signal);
    server?.close();
    await client.close();
  },
});

// The iptables rules of the iptables proxy mode, as iptables-restore input (pure). Per
// service port: a SVC chain that picks an endpoint at random (statistic match, equal odds;
// the `recent` match for ClientIP affinity) and a SEP chain per endpoint that DNATs to it.
// Cluster IPs are matched in SERVICES (hooked from PREROUTING and OUTPUT), node ports in
// NODEPORTS for local destinations. Service traffic is masqueraded so replies come back
// through this host whatever the path, except node port traffic of an externalTrafficPolicy
// Local Service, which keeps its source address and goes to this host's endpoints only (an
// SVL chain; an EXT chain first sends this host's own traffic to every endpoint); an
// internalTrafficPolicy Local cluster IP uses the SVL chain too. With no local endpoints such
// traffic is dropped. FILTER rejects service ports with no endpoints and,
// last, anything else addressed to the service range: no packet to a virtual address ever
// leaves the machine.
import { createHash } from 'node:crypto';
import type { ServicePort } from './service-map.js';

export interface RuleOptions {
  /** Chain name prefix, e.g. "KUBETTE" (several clusters on one host use different ones). */
  prefix: string;
  serviceCIDR: string;
  masqueradeMark: string;
}

export interface RuleSet {
  nat: string[];
  filter: string[];
  /** Every chain these rules define (for deleting stale ones). */
  chains: { nat: string[]; filter: string[] };
}

function hashName(prefix: string, kind: string, text: string): string {
  const h = createHash('sha256').update(text).digest('base64').replace(/[^A-Za-z0-9]/g, '').toUpperCase().slice(0, 10);
  return `${prefix}-${kind}-${h}`;
}

export function chainNames(prefix: string) {
  return {
    services: `${prefix}-SERVICES`,
    nodePorts: `${prefix}-NODEPORTS`,
    postrouting: `${prefix}-POSTROUTING`,
    markMasq: `${prefix}-MARK-MASQ`,
    filter: `${prefix}-FILTER`,
    firewall: `${prefix}-FIREWALL`,
  };
}

const comment = (text: string) => `-m comment --comment "${text.replace(/"/g, '')}"`;

export function renderRules(ports: ServicePort[], opts: RuleOptions): RuleSet {
  const c = chainNames(opts.prefix);
  const mark = opts.masqueradeMark;
  const natChains = [c.services, c.nodePorts, c.postrouting, c.markMasq];
  const nat: string[] = [
    `-A ${c.postrouting} -m mark ! --mark ${mark}/${mark} -j RETURN`,
    `-A ${c.postrouting} -j MARK --xor-mark ${mark}`,
    `-A ${c.postrouting} ${comment('kubette service traffic requiring SNAT')} -j MASQUERADE`,
    `-A ${c.markMasq} -j MARK --or-mark ${mark}`,
  ];
  const filter: string[] = [];
  for (const sp of ports) {
    const proto = sp.protocol.toLowerCase();
    const label = `${sp.key}${sp.protocol === 'TCP' ? '' : `/${sp.protocol}`}`;
    const toClusterIP = sp.clusterIP ? `-d ${sp.clusterIP}/32 -p ${proto} -m ${proto} --dport ${sp.port}` : undefined;
    const toNodePort = sp.nodePort ? `-p ${proto} -m ${proto} --dport ${sp.nodePort}` : undefined;
    if (!sp.endpoints.length) {
      if (toClusterIP) filter.push(`-A ${c.filter} ${comment(`${label} has no endpoints`)} ${toClusterIP} -j REJECT`);
      if (toNodePort) filter.push(`-A ${c.filter} ${comment(`${label} has no endpoints`)} -m addrtype --dst-type LOCAL ${toNodePort} -j REJECT`);
      continue;
    }
    const local = sp.localEndpoints.length > 0;
    const svc = hashName(opts.prefix, 'SVC', `${label}`);
    // Local endpoints only, and no masquerading: the one chain the Local policies lead to.
    const svl = hashName(opts.prefix, 'SVL', `${label}`);
    const ext = hashName(opts.prefix, 'EXT', `${label}`);
    natChains.push(svc);
    if (toClusterIP) {
      if (!sp.internalLocal) nat.push(`-A ${c.services} ${comment(`${label} cluster IP`)} ${toClusterIP} -j ${svc}`);
      else if (local) {
        nat.push(`-A ${c.services} ${comment(`${label} cluster IP`)} ${toClusterIP} -j ${c.markMasq}`);
        nat.push(`-A ${c.services} ${comment(`${label} cluster IP, local endpoints`)} ${toClusterIP} -j ${svl}`);
      } else filter.push(`-A ${c.filter} ${comment(`${label} has no local endpoints`)} ${toClusterIP} -j DROP`);
    }
    if (toNodePort) {
      if (!sp.externalLocal) nat.push(`-A ${c.nodePorts} ${comment(label)} ${toNodePort} -j ${svc}`);
      else {
        natChains.push(ext);
        nat.push(`-A ${c.nodePorts} ${comment(label)} ${toNodePort} -j ${ext}`);
        // Traffic from this host itself reaches every endpoint, masqueraded (as kube-proxy does).
        nat.push(`-A ${ext} ${comment('traffic from this host')} -m addrtype --src-type LOCAL -j ${svc}`);
        if (local) nat.push(`-A ${ext} -j ${svl}`);
        else filter.push(`-A ${c.filter} ${comment(`${label} has no local endpoints`)} -m addrtype ! --src-type LOCAL --dst-type LOCAL ${toNodePort} -j DROP`);
      }
    }
    nat.push(`-A ${svc} -j ${c.markMasq}`);
    const sep = (e: { ip: string; port: number }) => hashName(opts.prefix, 'SEP', `${label}|${e.ip}:${e.port}`);
    const pick = (chain: string, endpoints: ServicePort['endpoints']) => {
      const seps = endpoints.map(sep);
      if (sp.affinitySeconds) for (const to of seps) nat.push(`-A ${chain} -m recent --name ${to} --rcheck --seconds ${sp.affinitySeconds} --reap -j ${to}`);
      seps.forEach((to, i) => {
        const left = seps.length - i;
        nat.push(left > 1 ? `-A ${chain} -m statistic --mode random --probability ${(1 / left).toFixed(10)} -j ${to}` : `-A ${chain} -j ${to}`);
      });
    };
    pick(svc, sp.endpoints);
    if (local && (sp.internalLocal || sp.externalLocal)) {
      natChains.push(svl);
      pick(svl, sp.localEndpoints);
    }
    // Every endpoint either chain may pick (the local choice may fall back to terminating ones the cluster-wide one skips).
    const targets = new Map([...sp.endpoints, ...sp.localEndpoints].map((e) => [`${e.ip}:${e.port}`, e]));
    for (const e of targets.values()) {
      const chain = sep(e);
      natChains.push(chain);
      // A pod reaching itself through the Service is masqueraded, or its reply would bypass us.
      nat.push(`-A ${chain} -s ${e.ip}/32 -j ${c.markMasq}`);
      if (sp.affinitySeconds) nat.push(`-A ${chain} -m recent --name ${chain} --set`);
      nat.push(`-A ${chain} -p ${proto} -m ${proto} -j DNAT --to-destination ${e.ip}:${e.port}`);
    }
  }
  nat.push(`-A ${c.services} ${comment('node ports')} -m addrtype --dst-type LOCAL -j ${c.nodePorts}`);
  filter.push(`-A ${c.filter} ${comment('nothing addressed to the service range leaves this machine')} -d ${opts.serviceCIDR} -j REJECT`);
  // route_localnet lets node ports answer on 127.0.0.1; this keeps other hosts from using it.
  const firewall = [`-A ${c.firewall} ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`];
  return { nat, filter: [...filter, ...firewall], chains: { nat: natChains, filter: [c.filter, c.firewall] } };
}

/** iptables-restore input for one table: declares (and so flushes) our chains, drops stale ones. */
export function restoreInput(table: 'nat' | 'filter', chains: string[], rules: string[], stale: string[]): string {
  const lines = [`*${table}`, ...chains.map((ch) => `:${ch} - [0:0]`), ...stale.map((ch) => `:${ch} - [0:0]`), ...rules, ...stale.map((ch) => `-X ${ch}`), 'COMMIT', ''];
  return lines.join('\n');
}

/**
 * The userspace mode's rules: each cluster IP port is redirected to the proxy's own listener
 * for it (`listenPorts` by service port key); node ports are plain listeners and need none.
 * The same guard keeps the rest of the service range from leaving the machine.
 */
export function renderRedirectRules(ports: ServicePort[], opts: RuleOptions, listenPorts: ReadonlyMap<string, number>): RuleSet {
  const c = chainNames(opts.prefix);
  const nat: string[] = [];
  for (const sp of ports) {
    const local = listenPorts.get(`${sp.key}/${sp.protocol}`);
    if (!sp.clusterIP || local === undefined) continue;
    const proto = sp.protocol.toLowerCase();
    nat.push(`-A ${c.services} ${comment(`${sp.key} cluster IP`)} -d ${sp.clusterIP}/32 -p ${proto} -m ${proto} --dport ${sp.port} -j REDIRECT --to-ports ${local}`);
  }
  const filter = [
    `-A ${c.filter} ${comment('nothing addressed to the service range leaves this machine')} -d ${opts.serviceCIDR} -j REJECT`,
    `-A ${c.firewall} ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
  ];
  return { nat, filter, chains: { nat: [c.services, c.nodePorts, c.postrouting, c.markMasq], filter: [c.filter, c.firewall] } };
}

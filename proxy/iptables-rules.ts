// The iptables rules of the iptables proxy mode, as iptables-restore input (pure). Per
// service port: a SVC chain that picks an endpoint at random (statistic match, equal odds;
// the `recent` match for ClientIP affinity) and a SEP chain per endpoint that DNATs to it.
// Cluster IPs are matched in SERVICES (hooked from PREROUTING and OUTPUT), node ports in
// NODEPORTS for local destinations. Service traffic is masqueraded so replies come back
// through this host whatever the path. FILTER rejects service ports with no endpoints and,
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
    if (!sp.endpoints.length) {
      if (sp.clusterIP) filter.push(`-A ${c.filter} ${comment(`${label} has no endpoints`)} -d ${sp.clusterIP}/32 -p ${proto} -m ${proto} --dport ${sp.port} -j REJECT`);
      if (sp.nodePort) filter.push(`-A ${c.filter} ${comment(`${label} has no endpoints`)} -m addrtype --dst-type LOCAL -p ${proto} -m ${proto} --dport ${sp.nodePort} -j REJECT`);
      continue;
    }
    const svc = hashName(opts.prefix, 'SVC', `${label}`);
    natChains.push(svc);
    if (sp.clusterIP) nat.push(`-A ${c.services} ${comment(`${label} cluster IP`)} -d ${sp.clusterIP}/32 -p ${proto} -m ${proto} --dport ${sp.port} -j ${svc}`);
    if (sp.nodePort) nat.push(`-A ${c.nodePorts} ${comment(label)} -p ${proto} -m ${proto} --dport ${sp.nodePort} -j ${svc}`);
    nat.push(`-A ${svc} -j ${c.markMasq}`);
    const seps = sp.endpoints.map((e) => ({ e, chain: hashName(opts.prefix, 'SEP', `${label}|${e.ip}:${e.port}`) }));
    if (sp.affinitySeconds) {
      for (const { chain } of seps) nat.push(`-A ${svc} -m recent --name ${chain} --rcheck --seconds ${sp.affinitySeconds} --reap -j ${chain}`);
    }
    seps.forEach(({ chain }, i) => {
      const left = seps.length - i;
      nat.push(left > 1 ? `-A ${svc} -m statistic --mode random --probability ${(1 / left).toFixed(10)} -j ${chain}` : `-A ${svc} -j ${chain}`);
    });
    for (const { e, chain } of seps) {
      natChains.push(chain);
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

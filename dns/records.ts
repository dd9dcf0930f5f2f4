// Cluster DNS records, computed from Services and EndpointSlices (pure), following the
// Kubernetes DNS specification: <svc>.<ns>.svc.<domain> A (the cluster IP, or the ready
// endpoints of a headless service), <hostname>.<svc>.<ns>.svc.<domain> A for headless
// endpoints with a hostname (StatefulSet pods), CNAME for ExternalName, SRV
// _<port>._<proto>.<svc>... for named ports, <a-b-c-d>.<ns>.pod.<domain> A, and PTR for
// cluster IPs and headless endpoints. Names in the cluster domain that match nothing are NXDOMAIN; other names are not
// ours (the server forwards them).
import type { Service } from '../api/types/core.js';
import type { EndpointSlice, EndpointSlicePort } from '../api/types/discovery.js';

export type Answer =
  | { type: 'A'; name: string; ttl: number; data: string }
  | { type: 'CNAME'; name: string; ttl: number; data: string }
  | { type: 'PTR'; name: string; ttl: number; data: string }
  | { type: 'SRV'; name: string; ttl: number; data: { priority: number; weight: number; port: number; target: string } };

export type Resolution = { kind: 'answer'; answers: Answer[] } | { kind: 'nxdomain' } | { kind: 'forward' };

export interface Catalog {
  services: Service[];
  slices: EndpointSlice[];
}

const TTL = 5;

function readyEndpoints(catalog: Catalog, ns: string, svc: string): Array<{ ip: string; ports: EndpointSlicePort[]; hostname?: string }> {
  const out: Array<{ ip: string; ports: EndpointSlicePort[]; hostname?: string }> = [];
  for (const s of catalog.slices) {
    if (s.metadata.namespace !== ns || s.metadata.labels?.['kubernetes.io/service-name'] !== svc) continue;
    for (const e of s.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      for (const ip of e.addresses ?? []) out.push({ ip, ports: s.ports ?? [], ...(e.hostname ? { hostname: e.hostname.toLowerCase() } : {}) });
    }
  }
  return out.sort((a, b) => a.ip.localeCompare(b.ip, undefined, { numeric: true }));
}

const dashed = (ip: string) => ip.replace(/\./g, '-');

export function resolveName(qname: string, qtype: string, catalog: Catalog, domain: string): Resolution {
  const name = qname.toLowerCase().replace(/\.$/, '');
  const zone = domain.toLowerCase();
  if (name.endsWith('.in-addr.arpa')) return reverse(name, catalog, domain);
  if (name !== zone && !name.endsWith(`.${zone}`)) return { kind: 'forward' };
  const labels = name.slice(0, name.length - zone.length - 1).split('.');
  const answers: Answer[] = [];

  // <a-b-c-d>.<ns>.pod.<domain>
  if (labels.length === 3 && labels[2] === 'pod') {
    const ip = labels[0]!.replace(/-/g, '.');
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return { kind: 'nxdomain' };
    return { kind: 'answer', answers: qtype === 'A' || qtype === 'ANY' ? [{ type: 'A', name: qname, ttl: TTL, data: ip }] : [] };
  }
  // _<port>._<proto>.<svc>.<ns>.svc.<domain>
  if (labels.length === 5 && labels[4] === 'svc' && labels[0]!.startsWith('_') && labels[1]!.startsWith('_')) {
    const [portName, proto, svcName, ns] = [labels[0]!.slice(1), labels[1]!.slice(1).toUpperCase(), labels[2]!, labels[3]!];
    const svc = catalog.services.find((s) => s.metadata.namespace === ns && s.metadata.name === svcName);
    const port = (svc?.spec?.ports ?? []).find((p) => p.name === portName && (p.protocol ?? 'TCP') === proto);
    if (!svc || !port) return { kind: 'nxdomain' };
    if (qtype !== 'SRV' && qtype !== 'ANY') return { kind: 'answer', answers: [] };
    const base = `${svcName}.${ns}.svc.${domain}`;
    if (svc.spec?.clusterIP === 'None') {
      for (const ep of readyEndpoints(catalog, ns, svcName)) {
        const p = ep.ports.find((x) => x.name === portName && (x.protocol ?? 'TCP') === proto);
        if (p?.port !== undefined) answers.push({ type: 'SRV', name: qname, ttl: TTL, data: { priority: 0, weight: 100, port: p.port, target: `${ep.hostname ?? dashed(ep.ip)}.${base}` } });
      }
    } else {
      answers.push({ type: 'SRV', name: qname, ttl: TTL, data: { priority: 0, weight: 100, port: port.port, target: base } });
    }
    return { kind: 'answer', answers };
  }
  // <svc>.<ns>.svc.<domain> and, for headless services, <a-b-c-d>.<svc>.<ns>.svc.<domain>
  if ((labels.length === 3 || labels.length === 4) && labels[labels.length - 1] === 'svc') {
    const [svcName, ns] = labels.length === 3 ? [labels[0]!, labels[1]!] : [labels[1]!, labels[2]!];
    const svc = catalog.services.find((s) => s.metadata.namespace === ns && s.metadata.name === svcName);
    if (!svc) return { kind: 'nxdomain' };
    if (labels.length === 4) {
      // <hostname>.<svc> or <a-b-c-d>.<svc> of a headless service's ready endpoint.
      const endpoints = svc.spec?.clusterIP === 'None' ? readyEndpoints(catalog, ns, svcName) : [];
      const ip = endpoints.find((e) => e.hostname === labels[0])?.ip ?? labels[0]!.replace(/-/g, '.');
      if (!endpoints.some((e) => e.ip === ip)) return { kind: 'nxdomain' };
      return { kind: 'answer', answers: qtype === 'A' || qtype === 'ANY' ? [{ type: 'A', name: qname, ttl: TTL, data: ip }] : [] };
    }
    if (svc.spec?.type === 'ExternalName') {
      return { kind: 'answer', answers: [{ type: 'CNAME', name: qname, ttl: TTL, data: String(svc.spec.externalName) }] };
    }
    if (qtype !== 'A' && qtype !== 'ANY') return { kind: 'answer', answers: [] };
    if (svc.spec?.clusterIP === 'None') {
      for (const ep of readyEndpoints(catalog, ns, svcName)) answers.push({ type: 'A', name: qname, ttl: TTL, data: ep.ip });
    } else if (svc.spec?.clusterIP) {
      answers.push({ type: 'A', name: qname, ttl: TTL, data: svc.spec.clusterIP });
    }
    return { kind: 'answer', answers };
  }
  return { kind: 'nxdomain' };
}

function reverse(name: string, catalog: Catalog, domain: string): Resolution {
  const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
  if (parts.length !== 4) return { kind: 'forward' };
  const ip = [...parts].reverse().join('.');
  for (const svc of catalog.services) {
    if (svc.spec?.clusterIP === ip) return { kind: 'answer', answers: [{ type: 'PTR', name, ttl: TTL, data: `${svc.metadata.name}.${svc.metadata.namespace}.svc.${domain}` }] };
  }
  for (const svc of catalog.services) {
    if (svc.spec?.clusterIP !== 'None') continue;
    const ep = readyEndpoints(catalog, svc.metadata.namespace!, svc.metadata.name!).find((e) => e.ip === ip);
    if (ep) {
      return { kind: 'answer', answers: [{ type: 'PTR', name, ttl: TTL, data: `${ep.hostname ?? dashed(ip)}.${svc.metadata.name}.${svc.metadata.namespace}.svc.${domain}` }] };
    }
  }
  return { kind: 'forward' };
}

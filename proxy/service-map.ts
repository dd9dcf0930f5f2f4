// What the proxy must implement, from Services and EndpointSlices (pure): one entry per
// service port, with its cluster IP, node port, affinity and the endpoints that serve it, and
// which of those run on this host's nodes (for the Local traffic policies). As kube-proxy
// chooses them: the ready endpoints, or, when none is ready, those still serving while they
// terminate (so a rollout's last pods finish their work); likewise for the local ones.
import type { Service } from '../api/types/core.js';
import type { EndpointSlice } from '../api/types/discovery.js';

export interface Endpoint {
  ip: string;
  port: number;
  /** The node it runs on, when the EndpointSlice says. */
  nodeName?: string;
  /** Not ready, but serving while it terminates: used only when no endpoint is ready. */
  terminating?: true;
}

export interface ServicePort {
  /** "namespace/name:portName" (portName may be empty). */
  key: string;
  namespace: string;
  name: string;
  portName: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  clusterIP?: string;
  port: number;
  nodePort?: number;
  /** ClientIP affinity timeout in seconds, when set. */
  affinitySeconds?: number;
  /** Ready endpoints, else serving terminating ones; sorted. */
  endpoints: Endpoint[];
  /** The same choice among the endpoints on this host's nodes; sorted. */
  localEndpoints: Endpoint[];
  /** internalTrafficPolicy Local: cluster IP traffic goes to local endpoints only. */
  internalLocal: boolean;
  /**
   * externalTrafficPolicy Local: node port traffic from elsewhere goes to local endpoints only,
   * with its source address kept (traffic from this host still reaches every endpoint).
   */
  externalLocal: boolean;
  /** A LoadBalancer's health check node port (externalTrafficPolicy Local). */
  healthCheckNodePort?: number;
}

/** The ready and serving-terminating endpoints of each "namespace/name:portName" across a service's EndpointSlices. */
function endpointsByPort(slices: EndpointSlice[]): Map<string, Endpoint[]> {
  const out = new Map<string, Endpoint[]>();
  for (const s of slices) {
    const svc = s.metadata.labels?.['kubernetes.io/service-name'];
    if (!svc || s.addressType === 'IPv6') continue;
    for (const p of s.ports ?? []) {
      if (p.port === undefined) continue;
      const port = p.port;
      const key = `${s.metadata.namespace}/${svc}:${p.name ?? ''}/${p.protocol ?? 'TCP'}`;
      const list = out.get(key) ?? out.set(key, []).get(key)!;
      for (const e of s.endpoints ?? []) {
        // A missing condition means ready, and serving as ready (the API's definition).
        const ready = e.conditions?.ready !== false;
        const terminating = !ready && e.conditions?.terminating === true && (e.conditions.serving ?? false);
        if (!ready && !terminating) continue;
        for (const ip of e.addresses ?? []) list.push({ ip, port, ...(e.nodeName ? { nodeName: e.nodeName } : {}), ...(terminating ? { terminating: true as const } : {}) });
      }
    }
  }
  for (const list of out.values()) list.sort((a, b) => a.ip.localeCompare(b.ip, undefined, { numeric: true }) || a.port - b.port);
  return out;
}

/** The ready endpoints, or the terminating ones still serving when none is ready. */
function usable(endpoints: Endpoint[]): Endpoint[] {
  const ready = endpoints.filter((e) => !e.terminating);
  return ready.length ? ready : endpoints;
}

/** `localNodes`: the nodes whose traffic this proxy carries (see LocalNodes). */
export function buildServiceMap(services: Service[], slices: EndpointSlice[], localNodes: ReadonlySet<string> = new Set()): ServicePort[] {
  const eps = endpointsByPort(slices);
  const out: ServicePort[] = [];
  for (const svc of services) {
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName') continue;
    const clusterIP = spec.clusterIP && spec.clusterIP !== 'None' ? spec.clusterIP : undefined;
    const nodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    if (!clusterIP && !nodePorts) continue; // headless: DNS's business, not the proxy's
    const affinity = spec.sessionAffinity === 'ClientIP' ? Number(spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : undefined;
    const internalLocal = spec.internalTrafficPolicy === 'Local';
    const externalLocal = nodePorts && spec.externalTrafficPolicy === 'Local';
    for (const p of spec.ports ?? []) {
      const protocol = p.protocol ?? 'TCP';
      const portName = p.name ?? '';
      const all = eps.get(`${svc.metadata.namespace}/${svc.metadata.name}:${portName}/${protocol}`) ?? [];
      out.push({
        key: `${svc.metadata.namespace}/${svc.metadata.name}:${portName}`,
        namespace: svc.metadata.namespace!,
        name: svc.metadata.name!,
        portName,
        protocol,
        clusterIP,
        port: p.port,
        nodePort: nodePorts && p.nodePort ? p.nodePort : undefined,
        affinitySeconds: affinity,
        endpoints: usable(all),
        localEndpoints: usable(all.filter((e) => e.nodeName !== undefined && localNodes.has(e.nodeName))),
        internalLocal,
        externalLocal,
        healthCheckNodePort: externalLocal && spec.type === 'LoadBalancer' && spec.healthCheckNodePort ? spec.healthCheckNodePort : undefined,
      });
    }
  }
  return out.sort((a, b) => a.key.localeCompare(b.key) || a.protocol.localeCompare(b.protocol));
}

// Where the proxy subresources (pods/proxy, services/proxy, nodes/proxy) relay a request, found
// as Kubernetes' registries find it. The name in the path may carry a scheme and a port
// (`https:web:8443`); a pod is reached at its IP, a Service at one of its ready endpoints that
// is a pod with that IP (never the ClusterIP, never an address someone wrote into Endpoints by
// hand), a node at its kubelet (with the apiserver's kubelet client certificate) or, for any
// other port, at its address. Loopback and link-local addresses are refused.
import { isProxyableIP } from '../../api/ip.js';
import { badRequest, StatusError } from '../../api/status.js';
import type { KubeObject, Unstructured } from '../../api/types/meta.js';
import type { Registry } from './registry.js';

export interface ProxyLocation {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** The node's kubelet: connect with the apiserver's kubelet client credentials. */
  kubelet?: boolean;
}

export type ProxiedResource = 'pods' | 'services' | 'nodes';

/** `name`, `name:port` or `scheme:name:port` (scheme http or https); undefined when malformed. */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } | undefined {
  const parts = id.split(':');
  let scheme = '';
  let name: string;
  let port = '';
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) [name, port] = parts as [string, string];
  else if (parts.length === 3) [scheme, name, port] = parts as [string, string, string];
  else return undefined;
  if (!name || !['', 'http', 'https'].includes(scheme)) return undefined;
  return { scheme, name, port };
}

const SINGULAR: Record<ProxiedResource, string> = { pods: 'pod', services: 'service', nodes: 'node' };

function portNumber(port: string): number | undefined {
  const n = Number(port);
  return /^\d{1,5}$/.test(port) && n >= 1 && n <= 65535 ? n : undefined;
}

function requireProxyable(host: string): void {
  if (!isProxyableIP(host)) throw badRequest('address not allowed');
}

/** The kubelet's address and port a node reports. */
export function kubeletAddress(node: KubeObject): { host: string; port: number } | undefined {
  const addresses = (node.status?.addresses ?? []) as Array<{ type: string; address: string }>;
  const host = (addresses.find((a) => a.type === 'InternalIP') ?? addresses.find((a) => a.type === 'ExternalIP') ?? addresses.find((a) => a.type === 'Hostname'))?.address;
  const port = Number(node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0);
  return host && port ? { host, port } : undefined;
}

export async function proxyLocation(registry: Registry, resource: ProxiedResource, namespace: string | undefined, id: string): Promise<ProxyLocation> {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw badRequest(`invalid ${SINGULAR[resource]} request "${id}"`);
  const { scheme, name, port } = parsed;
  const store = (plural: string) => registry.storeFor(registry.table.find('', 'v1', plural)!);
  const obj = (await store(resource).get(namespace, name)).obj;
  if (resource === 'nodes') {
    const kubelet = kubeletAddress(obj);
    if (!kubelet) throw new StatusError(503, 'ServiceUnavailable', `node "${name}" reports no kubelet address`);
    if (port === '' || port === String(kubelet.port)) return { scheme: 'https', host: kubelet.host, port: kubelet.port, kubelet: true };
    const n = portNumber(port);
    if (n === undefined) throw badRequest(`invalid node request "${id}"`);
    requireProxyable(kubelet.host);
    return { scheme: scheme === 'https' ? 'https' : 'http', host: kubelet.host, port: n };
  }
  if (resource === 'pods') {
    // Without a port, the first port a container declares (Kubernetes' choice); else the scheme's.
    let p = port;
    if (p === '') {
      for (const c of (obj.spec?.containers ?? []) as Unstructured[]) {
        const first = (c.ports as Unstructured[] | undefined)?.[0];
        if (first) {
          p = String(first.containerPort);
          break;
        }
      }
    }
    const n = p === '' ? (scheme === 'https' ? 443 : 80) : portNumber(p);
    if (n === undefined) throw badRequest(`invalid pod request "${id}"`);
    const ip = String(obj.status?.podIP ?? '');
    requireProxyable(ip);
    return { scheme: scheme === 'https' ? 'https' : 'http', host: ip, port: n };
  }
  return serviceLocation(registry, namespace!, obj, scheme, port);
}

function serviceLocation(registry: Registry, namespace: string, svc: KubeObject, scheme: string, portText: string): ProxyLocation {
  const name = svc.metadata.name!;
  // A port given by number means the Service port with that number, whose name the endpoints carry.
  let portName = portText;
  if (/^\d+$/.test(portText)) {
    const declared = ((svc.spec?.ports ?? []) as Unstructured[]).find((p) => String(p.port) === portText);
    if (!declared) throw new StatusError(503, 'ServiceUnavailable', `no service port ${portText} found for service "${name}"`);
    portName = String(declared.name ?? '');
  }
  const endpoints = registry.storeFor(registry.table.find('', 'v1', 'endpoints')!).getCached(namespace, name)?.obj;
  const pods = registry.storeFor(registry.table.find('', 'v1', 'pods')!);
  const subsets = (endpoints?.subsets ?? []) as Unstructured[];
  // Start at a random subset and address, as Kubernetes spreads proxied requests.
  const start = Math.floor(Math.random() * Math.max(subsets.length, 1));
  for (let i = 0; i < subsets.length; i++) {
    const subset = subsets[(start + i) % subsets.length]!;
    const addresses = (subset.addresses ?? []) as Unstructured[];
    const port = ((subset.ports ?? []) as Unstructured[]).find((p) => String(p.name ?? '') === portName);
    if (!port || !addresses.length) continue;
    const first = Math.floor(Math.random() * addresses.length);
    for (let j = 0; j < addresses.length; j++) {
      const address = addresses[(first + j) % addresses.length]!;
      const ip = String(address.ip ?? '');
      const ref = address.targetRef as Unstructured | undefined;
      if (ref?.kind !== 'Pod' || typeof ref.name !== 'string') continue;
      const pod = pods.getCached(String(ref.namespace ?? namespace), ref.name)?.obj;
      const podIPs = ((pod?.status?.podIPs ?? []) as Unstructured[]).map((p) => p.ip);
      if (!pod || !(podIPs.includes(ip) || pod.status?.podIP === ip) || !isProxyableIP(ip)) continue;
      return { scheme: scheme === 'https' ? 'https' : 'http', host: ip, port: Number(port.port) };
    }
  }
  throw new StatusError(503, 'ServiceUnavailable', `no endpoints available for service "${name}"`);
}

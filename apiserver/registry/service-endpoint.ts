// Where a Service's port is served, from this apiserver's caches: one ready endpoint's address
// and port. The aggregator relays to such endpoints, and admission webhooks are called there,
// as Kubernetes' apiserver reaches services without the cluster's proxy.
import { StatusError } from '../../api/status.js';
import type { Unstructured } from '../../api/types/meta.js';
import type { Registry } from './registry.js';

export function serviceEndpoint(registry: Registry, namespace: string, name: string, servicePort: number): { host: string; port: number } {
  const svc = registry.storeFor(registry.table.find('', 'v1', 'services')!).getCached(namespace, name)?.obj;
  if (!svc) throw new StatusError(503, 'ServiceUnavailable', `service "${namespace}/${name}" not found`);
  const port = ((svc.spec?.ports as Unstructured[]) ?? []).find((p) => p.port === servicePort);
  if (!port) throw new StatusError(503, 'ServiceUnavailable', `service "${namespace}/${name}" has no port ${servicePort}`);
  const endpoints = registry.storeFor(registry.table.find('', 'v1', 'endpoints')!).getCached(namespace, name)?.obj;
  for (const subset of (endpoints?.subsets as Unstructured[]) ?? []) {
    const address = (subset.addresses as Unstructured[] | undefined)?.[0]?.ip as string | undefined;
    const epPort = ((subset.ports as Unstructured[]) ?? []).find((p) => (port.name ? p.name === port.name : true)) ?? (subset.ports as Unstructured[] | undefined)?.[0];
    if (address && epPort) return { host: address, port: Number(epPort.port) };
  }
  throw new StatusError(503, 'ServiceUnavailable', `no endpoints available for service "${namespace}/${name}"`);
}

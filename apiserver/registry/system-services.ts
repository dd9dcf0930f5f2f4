// The `kubernetes` Service in `default`: the apiservers' address inside the cluster, at the
// first IP of the service range, as every Kubernetes apiserver keeps it. Its Endpoints (and
// EndpointSlice) are the endpoint reconciler's (endpoint-reconciler.ts). It and the system
// namespaces are put back when someone deletes them (`kubectl delete ns --all` takes
// kube-node-lease, and with it every node's heartbeat).
import { parseIPv4 } from '../../api/ip.js';
import { findResource } from '../../api/resources.js';
import { StatusError } from '../../api/status.js';
import type { Registry } from './registry.js';
import type { ServiceAllocator } from './service-allocator.js';

const services = findResource('', 'v1', 'services')!;

export async function ensureKubernetesService(registry: Registry, allocator: ServiceAllocator, address: { host: string; port: number }): Promise<void> {
  const store = registry.storeFor(services);
  const labels = { component: 'apiserver', provider: 'kubernetes' };
  const ports = [{ name: 'https', port: 443, protocol: 'TCP', targetPort: address.port }];
  try {
    await store.create(
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default', labels }, spec: { type: 'ClusterIP', clusterIP: allocator.apiserverServiceIP, ports, sessionAffinity: 'None' } },
      false,
    );
  } catch (err) {
    if (!(err instanceof StatusError && (err.code === 409 || err.code === 422))) throw err;
  }
}

interface Logger {
  warn(obj: object, msg: string): void;
}

/**
 * Recreates missing system objects on Kubernetes' schedule: the system namespaces each minute,
 * the kubernetes Service every 10 s. Returns the function that stops it.
 */
export function keepSystemObjects(registry: Registry, allocator: ServiceAllocator, address: { host: string; port: number }, log: Logger): () => void {
  const warn = (what: string) => (err: Error) => log.warn({ err: err.message }, `could not restore ${what}`);
  const namespaces = setInterval(() => void registry.bootstrap().catch(warn('the system namespaces')), 60_000);
  const service = setInterval(() => void ensureKubernetesService(registry, allocator, address).catch(warn('the kubernetes Service')), 10_000);
  return () => {
    clearInterval(namespaces);
    clearInterval(service);
  };
}

/** True when pods could reach this address (not loopback, not unspecified): only then is it an endpoint. */
export function publishable(host: string): boolean {
  const ip = parseIPv4(host);
  return ip !== undefined && ip !== 0 && !host.startsWith('127.');
}

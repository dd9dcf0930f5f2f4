// The `kubernetes` Service in `default`: the apiserver's own address inside the cluster, at
// the first IP of the service range, as every Kubernetes apiserver keeps it. Its Endpoints
// (and EndpointSlice) carry the advertised address when pods can reach it (not loopback).
import { parseIPv4 } from '../../api/ip.js';
import { clone } from '../../api/codec/values.js';
import { findResource } from '../../api/resources.js';
import { StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Registry } from './registry.js';
import type { ServiceAllocator } from './service-allocator.js';

const services = findResource('', 'v1', 'services')!;
const endpoints = findResource('', 'v1', 'endpoints')!;
const slices = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;

async function createOrReplace(registry: Registry, r: typeof services, obj: KubeObject): Promise<void> {
  const store = registry.storeFor(r);
  try {
    await store.create(clone(obj), false);
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 409)) throw err;
    await store.update(obj.metadata.namespace, obj.metadata.name!, {
      dryRun: false,
      mutate: (current) => ({ ...current, ...clone(obj), metadata: { ...current.metadata, labels: obj.metadata.labels } }),
    });
  }
}

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
  const ip = parseIPv4(address.host);
  if (ip === undefined || address.host.startsWith('127.') || ip === 0) return; // pods could not reach it
  await createOrReplace(registry, endpoints, {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: address.host }], ports: [{ name: 'https', port: address.port, protocol: 'TCP' }] }],
  });
  await createOrReplace(registry, slices, {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [address.host], conditions: { ready: true } }],
    ports: [{ name: 'https', port: address.port, protocol: 'TCP' }],
  });
}

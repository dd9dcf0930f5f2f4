// Makes this server the cluster's metrics.k8s.io: a selectorless Service kube-system/
// metrics-server whose Endpoints name this server's address and port, and the APIService
// v1beta1.metrics.k8s.io pointing the apiserver's aggregator at it, trusting this server's CA.
import { resource } from '../client/rest.js';
import type { ApiClient } from '../client/api-client.js';
import { getIfExists, upsert } from '../client/upsert.js';
import { GROUP, VERSION } from './api.js';

const services = resource('v1/services');
const endpoints = resource('v1/endpoints');
const apiServices = resource('apiregistration.k8s.io/v1/apiservices');
const NAME = 'metrics-server';
const LABELS = { 'k8s-app': 'metrics-server' };

export async function registerMetricsAPI(client: ApiClient, opts: { address: string; port: number; caPem: string }): Promise<void> {
  const current = await getIfExists(client, services, 'kube-system', NAME);
  const ports = [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.port }];
  if (!current) {
    await upsert(client, services, { apiVersion: 'v1', kind: 'Service', metadata: { name: NAME, namespace: 'kube-system', labels: LABELS }, spec: { ports } });
  } else if (JSON.stringify(current.spec?.ports) !== JSON.stringify(ports)) {
    await client.update(services, { ...current, spec: { ...current.spec, ports } });
  }
  await upsert(client, endpoints, {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: NAME, namespace: 'kube-system', labels: LABELS },
    subsets: [{ addresses: [{ ip: opts.address }], ports: [{ name: 'https', port: opts.port, protocol: 'TCP' }] }],
  } as never);
  const spec = {
    service: { namespace: 'kube-system', name: NAME, port: 443 },
    group: GROUP,
    version: VERSION,
    caBundle: Buffer.from(opts.caPem).toString('base64'),
    groupPriorityMinimum: 100,
    versionPriority: 100,
  };
  const existing = await getIfExists(client, apiServices, undefined, `${VERSION}.${GROUP}`);
  if (!existing) await upsert(client, apiServices, { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: `${VERSION}.${GROUP}`, labels: LABELS }, spec } as never);
  else if (JSON.stringify(existing.spec) !== JSON.stringify({ ...(existing.spec as object), ...spec })) await client.update(apiServices, { ...existing, spec: { ...(existing.spec as object), ...spec } });
}

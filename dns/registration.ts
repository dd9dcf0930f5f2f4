// Makes the DNS server reachable as the cluster's DNS Service: kube-system/kube-dns at the
// conventional cluster IP, with no selector, and Endpoints / an EndpointSlice naming this
// server's address and port (the proxy routes the cluster IP there).
import { StatusError } from '../api/status.js';
import type { KubeObject } from '../api/types/meta.js';
import { resource } from '../client/rest.js';
import type { ApiClient } from '../client/api-client.js';
import { getIfExists, upsert } from '../client/upsert.js';

const services = resource('v1/services');
const endpoints = resource('v1/endpoints');
const slices = resource('discovery.k8s.io/v1/endpointslices');
const MANAGER = 'kubette-dns';

/**
 * Asserts the kube-dns Service (kept as it is, ports pointed at this server) and its endpoints;
 * returns the Service's cluster IP. Called again and again: it reads before it creates, because
 * a second create of a Service asking for a taken cluster IP is refused as invalid (422, as in
 * Kubernetes: the IP is allocated before the name is checked), not as a conflict.
 */
export async function registerDnsService(client: ApiClient, opts: { clusterIP: string; address: string; port: number }): Promise<string> {
  const labels = { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'KubeDNS', 'kubernetes.io/cluster-service': 'true' };
  let current = await getIfExists(client, services, 'kube-system', 'kube-dns');
  let svc: KubeObject | undefined;
  if (!current) {
    try {
      svc = await client.create(services, 'kube-system', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'kube-dns', namespace: 'kube-system', labels },
        spec: {
          clusterIP: opts.clusterIP,
          ports: [
            { name: 'dns', port: 53, protocol: 'UDP', targetPort: opts.port },
            { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: opts.port },
          ],
        },
      });
    } catch (err) {
      // Created meanwhile by another replica: 409, or 422 for its IP, now taken.
      if (!(err instanceof StatusError && (err.code === 409 || err.code === 422))) throw err;
      current = await getIfExists(client, services, 'kube-system', 'kube-dns');
      if (!current) throw err;
    }
  }
  if (current) {
    // A restart may come with a new port: the Service follows.
    const ports = ((current.spec?.ports ?? []) as Array<Record<string, unknown>>).map((p) => ({ ...p, targetPort: opts.port }));
    const same = JSON.stringify(ports) === JSON.stringify(current.spec?.ports ?? []);
    svc = same ? current : await client.update(services, { ...current, spec: { ...current.spec, ports } });
  }
  const ports = [
    { name: 'dns', port: opts.port, protocol: 'UDP' },
    { name: 'dns-tcp', port: opts.port, protocol: 'TCP' },
  ];
  await upsert(client, endpoints, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kube-dns', namespace: 'kube-system', labels }, subsets: [{ addresses: [{ ip: opts.address }], ports }] });
  await upsert(client, slices, {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { ...labels, 'kubernetes.io/service-name': 'kube-dns', 'endpointslice.kubernetes.io/managed-by': MANAGER } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [opts.address], conditions: { ready: true } }],
    ports,
  });
  return svc!.spec?.clusterIP as string;
}

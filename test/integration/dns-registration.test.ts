// The DNS server's registration as kube-system/kube-dns, against a real apiserver: it is
// re-asserted every 30 s for the life of the server, so every call after the first must keep
// what is there (a second create asking for the same cluster IP is refused as invalid).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeObject } from '../../api/types/meta.js';
import { resource, RestClient } from '../../client/rest.js';
import { registerDnsService } from '../../dns/registration.js';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';

const services = resource('v1/services');
const slices = resource('discovery.k8s.io/v1/endpointslices');
let api: ApiServerHandle;
let client: RestClient;

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
  client = new RestClient({ server: api.url });
});
afterAll(async () => {
  await client?.close();
  await api?.stop();
});

describe('kube-dns registration', () => {
  it('creates the Service once, keeps it on every later call, follows a new port, and brings it back when deleted', async () => {
    const opts = { clusterIP: '10.96.0.10', address: '172.30.0.1', port: 5353 };
    expect(await registerDnsService(client, opts)).toBe('10.96.0.10');
    const first = await client.get<KubeObject>(services, 'kube-system', 'kube-dns');

    // Again, as the 30 s re-assertion does: nothing changes, nothing is refused.
    expect(await registerDnsService(client, opts)).toBe('10.96.0.10');
    const again = await client.get<KubeObject>(services, 'kube-system', 'kube-dns');
    expect(again.metadata.uid).toBe(first.metadata.uid);
    expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);

    // A restart on another port: the Service and the slice point there.
    expect(await registerDnsService(client, { ...opts, port: 5354 })).toBe('10.96.0.10');
    const moved = await client.get<KubeObject>(services, 'kube-system', 'kube-dns');
    expect(moved.metadata.uid).toBe(first.metadata.uid);
    expect(moved.spec.ports.map((p: { targetPort: number }) => p.targetPort)).toEqual([5354, 5354]);
    const slice = await client.get<KubeObject & { ports: Array<{ port: number }> }>(slices, 'kube-system', 'kube-dns');
    expect(slice.ports.map((p) => p.port)).toEqual([5354, 5354]);

    // Deleted by someone: the next call makes it again, at the same IP.
    await client.delete(services, 'kube-system', 'kube-dns');
    expect(await registerDnsService(client, opts)).toBe('10.96.0.10');
    const back = await client.get<KubeObject>(services, 'kube-system', 'kube-dns');
    expect(back.metadata.uid).not.toBe(first.metadata.uid);
  });
});

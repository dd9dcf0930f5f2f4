// Service allocation across two apiservers sharing one etcd: concurrent creates never get the
// same cluster IP or node port, and a restarted apiserver still knows what is taken.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeObject } from '../../api/types/meta.js';
import { resource, RestClient } from '../../client/rest.js';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';

const services = resource('v1/services');
let a: ApiServerHandle;
let b: ApiServerHandle;
let ca: RestClient;
let cb: RestClient;

beforeAll(async () => {
  // A small range, so collisions would be likely if allocation were not atomic.
  const args = ['--service-cluster-ip-range', '10.200.0.0/26', '--service-node-port-range', '30000-30079'];
  a = await startApiServer({ etcd: inject('etcdEndpoint'), args });
  b = await startApiServer({ etcd: inject('etcdEndpoint'), prefix: a.prefix, args });
  ca = new RestClient({ server: a.url });
  cb = new RestClient({ server: b.url });
});
afterAll(async () => {
  await ca?.close();
  await cb?.close();
  await a?.stop();
  await b?.stop();
});

describe('service allocation', () => {
  it('hands out each cluster IP and node port once across two apiservers racing', async () => {
    const make = (client: RestClient, name: string) =>
      client.create<KubeObject>(services, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'NodePort', selector: { app: name }, ports: [{ port: 80 }] } });
    const created = await Promise.all(Array.from({ length: 40 }, (_, i) => make(i % 2 ? ca : cb, `race-${i}`)));
    const ips = created.map((s) => s.spec.clusterIP);
    const ports = created.map((s) => s.spec.ports[0].nodePort);
    expect(new Set(ips).size).toBe(40);
    expect(new Set(ports).size).toBe(40);
    expect(ips).not.toContain('10.200.0.1'); // the kubernetes Service's

    await b.kill();
    await b.restart();
    const taken = await cb.create<KubeObject>(services, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'after-restart' }, spec: { type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80, nodePort: ports[0] }] } }).catch((err: Error) => err);
    expect(String((taken as Error).message)).toContain('provided port is already allocated');
  });
});

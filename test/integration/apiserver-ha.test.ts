// Several apiservers on one etcd (issue 15): each holds a Lease in kube-system, and the
// `kubernetes` Service's Endpoints and EndpointSlice list exactly the apiservers whose Leases are
// current — one that stops cleanly leaves at once, one that is killed leaves when its Lease
// expires, one that comes back is listed again. A stopping apiserver turns unready first and
// keeps serving for --shutdown-delay-duration, then ends its watches cleanly and exits 0.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { waitFor } from '../harness/ports.js';

let a: ApiServerHandle;
let b: ApiServerHandle;
const prefix = `/kubette-test-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  // Advertised addresses nothing connects to here: they only become endpoints.
  a = await startApiServer({ etcd: inject('etcdEndpoint'), prefix, args: ['--advertise-address', '10.250.0.1:6443'] });
  b = await startApiServer({ etcd: inject('etcdEndpoint'), prefix, args: ['--advertise-address', '10.250.0.2:6443'] });
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

async function endpointsSeenBy(api: ApiServerHandle): Promise<{ endpoints: string[]; slice: string[]; ports: number[] }> {
  const ep = (await (await fetch(`${api.url}/api/v1/namespaces/default/endpoints/kubernetes`)).json()) as { subsets?: Array<{ addresses: Array<{ ip: string }>; ports: Array<{ port: number }> }> };
  const slice = (await (await fetch(`${api.url}/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes`)).json()) as { endpoints?: Array<{ addresses: string[] }> };
  return {
    endpoints: (ep.subsets ?? []).flatMap((s) => s.addresses.map((x) => x.ip)).sort(),
    slice: (slice.endpoints ?? []).map((e) => e.addresses[0]!).sort(),
    ports: (ep.subsets ?? []).flatMap((s) => s.ports.map((p) => p.port)),
  };
}

const until = (api: ApiServerHandle, ips: string[], timeoutMs: number) =>
  waitFor(`kubernetes endpoints ${ips.join(',')}`, async () => {
    const seen = await endpointsSeenBy(api);
    return JSON.stringify(seen.endpoints) === JSON.stringify(ips) && JSON.stringify(seen.slice) === JSON.stringify(ips);
  }, timeoutMs);

describe('the kubernetes Service with several apiservers', () => {
  it('lists every live apiserver, drops one that stops or dies, and takes it back when it returns', async () => {
    await until(a, ['10.250.0.1', '10.250.0.2'], 20_000);
    expect((await endpointsSeenBy(b)).ports).toEqual([6443]);
    const leases = (await (await fetch(`${a.url}/apis/coordination.k8s.io/v1/namespaces/kube-system/leases?labelSelector=apiserver.kubernetes.io/identity%3Dkube-apiserver`)).json()) as { items: unknown[] };
    expect(leases.items).toHaveLength(2);

    // A clean stop gives its Lease up and leaves the endpoints before it exits.
    await b.stop();
    expect((await endpointsSeenBy(a)).endpoints).toEqual(['10.250.0.1']);

    await b.restart();
    await until(a, ['10.250.0.1', '10.250.0.2'], 20_000);

    // A killed one is dropped once its Lease (15 s) runs out, at the survivor's next tick.
    await b.kill();
    await until(a, ['10.250.0.1'], 40_000);
  }, 90_000);
});

describe('a stopping apiserver', () => {
  it('is unready at once, leaves the endpoints, serves through the shutdown delay, then ends its watches cleanly and exits 0', async () => {
    const c = await startApiServer({ etcd: inject('etcdEndpoint'), prefix, args: ['--advertise-address', '10.250.0.3:6443', '--shutdown-delay-duration=10s'] });
    try {
      await waitFor('c among the endpoints', async () => (await endpointsSeenBy(a)).endpoints.includes('10.250.0.3'), 20_000);
      const watch = await fetch(`${c.url}/api/v1/namespaces/default/configmaps?watch=1`);
      const body = watch.text();
      c.proc.child.kill('SIGTERM');
      await waitFor('readyz failing on shutdown', async () => {
        const res = await fetch(`${c.url}/readyz?verbose`);
        return res.status === 500 && (await res.text()).includes('[-]shutdown failed');
      }, 5_000);
      expect((await fetch(`${c.url}/livez`)).status).toBe(200);
      // Still serving while load balancers take it out, and leaving the endpoints meanwhile.
      expect((await fetch(`${c.url}/api/v1/namespaces/default`)).status).toBe(200);
      await waitFor('c out of the endpoints', async () => !(await endpointsSeenBy(a)).endpoints.includes('10.250.0.3'), 4_000);
      expect(c.proc.running).toBe(true);
      // Then the watch ends as a complete response (no reset), and the process exits cleanly.
      await expect(body).resolves.toBe('');
      expect(await c.proc.exited).toBe(0);
    } finally {
      await c.stop();
    }
  }, 60_000);
});

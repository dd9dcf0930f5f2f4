// API Priority and Fairness' bootstrap configuration kept across a restart as Kubernetes keeps
// it: a deleted suggested level comes back, an auto-updated schema is put back as shipped, an
// operator's edit under `apf.kubernetes.io/autoupdate-spec: "false"` stays, a mandatory schema
// is always restored, and an object that is already right is not written again.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { waitFor } from '../harness/ports.js';

const started: ApiServerHandle[] = [];
afterAll(async () => {
  for (const a of started) await a.stop();
});

const base = '/apis/flowcontrol.apiserver.k8s.io/v1';
const AUTO = 'apf.kubernetes.io/autoupdate-spec';

describe('API Priority and Fairness bootstrap configuration', () => {
  it('is made again, put back or kept on the next start, by the auto-update annotation', async () => {
    const api = await startApiServer({ etcd: inject('etcdEndpoint') });
    started.push(api);
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${api.url}${base}${path}`, { method, headers: body ? { 'content-type': 'application/merge-patch+json' } : {}, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, json: (await res.json()) as any };
    };
    // Once its Dangling condition is written, nothing should write this schema again.
    await waitFor('the Dangling condition', async () => (await call('GET', '/flowschemas/kube-scheduler')).json.status?.conditions?.length > 0);
    const untouched = (await call('GET', '/flowschemas/kube-scheduler')).json.metadata.resourceVersion;

    expect((await call('DELETE', '/prioritylevelconfigurations/workload-low')).status).toBe(200);
    // An operator turns auto-update off and edits; another edits while it is on.
    const kept = await call('PATCH', '/flowschemas/service-accounts', { metadata: { annotations: { [AUTO]: 'false' } }, spec: { matchingPrecedence: 8000 } });
    const reverted = await call('PATCH', '/flowschemas/global-default', { spec: { matchingPrecedence: 9800 } });
    const mandatory = await call('PATCH', '/flowschemas/catch-all', { metadata: { annotations: { [AUTO]: 'false' } }, spec: { distinguisherMethod: { type: 'ByNamespace' } } });
    expect([kept.status, reverted.status, mandatory.status]).toEqual([200, 200, 200]);

    await api.stop();
    await api.restart();

    const level = await call('GET', '/prioritylevelconfigurations/workload-low');
    expect([level.status, level.json.spec.limited.nominalConcurrencyShares, level.json.metadata.annotations?.[AUTO]]).toEqual([200, 100, 'true']);
    expect((await call('GET', '/flowschemas/service-accounts')).json.spec.matchingPrecedence).toBe(8000);
    expect((await call('GET', '/flowschemas/global-default')).json.spec.matchingPrecedence).toBe(9900);
    const catchAll = (await call('GET', '/flowschemas/catch-all')).json;
    expect([catchAll.spec.distinguisherMethod.type, catchAll.metadata.annotations[AUTO]]).toEqual(['ByUser', 'true']);
    expect((await call('GET', '/flowschemas/kube-scheduler')).json.metadata.resourceVersion).toBe(untouched);
  });
});

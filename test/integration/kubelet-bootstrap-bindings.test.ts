// An apiserver started with --kubelet-bootstrap-bindings (as Compose and the launcher start it)
// has kubeadm's kubelet TLS bootstrap bindings in place by the time it says it is ready, and
// keeps an operator's change to them across a restart; without the flag it makes none.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';

const started: ApiServerHandle[] = [];
afterAll(async () => {
  for (const a of started) await a.stop();
});

type Binding = { metadata: { name: string }; roleRef: { name: string }; subjects: Array<{ kind: string; name: string }> };
const bindings = async (api: ApiServerHandle) =>
  new Map(((await (await fetch(`${api.url}/apis/rbac.authorization.k8s.io/v1/clusterrolebindings`)).json()) as { items: Binding[] }).items.map((b) => [b.metadata.name, b]));

describe('kubelet bootstrap bindings', () => {
  it('are in place when the apiserver is ready, and an operator’s change to one survives a restart', async () => {
    const api = await startApiServer({ etcd: inject('etcdEndpoint'), args: ['--kubelet-bootstrap-bindings'] });
    started.push(api);
    const made = await bindings(api);
    expect(made.get('kubelet-bootstrap')).toMatchObject({ roleRef: { name: 'system:node-bootstrapper' }, subjects: [{ kind: 'Group', name: 'system:bootstrappers' }] });
    expect(made.get('node-autoapprove-bootstrap')).toMatchObject({ roleRef: { name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient' }, subjects: [{ kind: 'Group', name: 'system:bootstrappers' }] });
    expect(made.get('node-autoapprove-certificate-rotation')).toMatchObject({ roleRef: { name: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient' }, subjects: [{ kind: 'Group', name: 'system:nodes' }] });
    expect(made.get('kube-apiserver-kubelet-client')).toMatchObject({ roleRef: { name: 'system:kubelet-api-admin' }, subjects: [{ kind: 'User', name: 'kube-apiserver-kubelet-client' }] });

    // An operator narrows who may ask: the next start keeps that.
    const narrowed = { ...made.get('kubelet-bootstrap')!, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'only-this-one' }] };
    const put = await fetch(`${api.url}/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/kubelet-bootstrap`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(narrowed) });
    expect(put.status).toBe(200);
    await api.stop();
    await api.restart();
    expect((await bindings(api)).get('kubelet-bootstrap')?.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'only-this-one' }]);
  });

  it('are not made without the flag', async () => {
    const api = await startApiServer({ etcd: inject('etcdEndpoint') });
    started.push(api);
    const made = await bindings(api);
    for (const name of ['kubelet-bootstrap', 'node-autoapprove-bootstrap', 'node-autoapprove-certificate-rotation', 'kube-apiserver-kubelet-client']) expect(made.has(name)).toBe(false);
    // The bootstrap policy itself is there (the roles they would bind).
    expect(made.has('system:discovery')).toBe(true);
  });
});

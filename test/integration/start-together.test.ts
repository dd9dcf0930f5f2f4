// Parts started together, as `docker compose up` starts them: the bootstrap bindings job
// started before the apiserver listens waits for it and then writes every binding, and gives
// up with the apiserver's own words when it answers with a refusal rather than "not yet".
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ensureBootstrapBindings } from '../../launcher/bootstrap-rbac.js';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { freePort } from '../harness/ports.js';

let api: ApiServerHandle | undefined;
afterAll(async () => {
  await api?.stop();
});

describe('bootstrap bindings started with the apiserver', () => {
  it('waits for the apiserver to listen, then writes every binding; a second run keeps them', async () => {
    const port = await freePort();
    const server = `http://127.0.0.1:${port}`;
    let settled = false;
    const binding = ensureBootstrapBindings(server, 60_000).finally(() => (settled = true));
    // Nothing listens yet: the job keeps trying.
    await new Promise((r) => setTimeout(r, 500));
    expect(settled).toBe(false);
    api = await startApiServer({ etcd: inject('etcdEndpoint'), port });
    await binding;
    const names = ((await (await fetch(`${server}/apis/rbac.authorization.k8s.io/v1/clusterrolebindings`)).json()) as { items: Array<{ metadata: { name: string } }> }).items.map((b) => b.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['kubelet-bootstrap', 'node-autoapprove-bootstrap', 'node-autoapprove-certificate-rotation', 'kube-apiserver-kubelet-client']));
    await ensureBootstrapBindings(server);
  });

  it('fails at once, naming the binding, when nothing answers and it may not wait', async () => {
    const server = `http://127.0.0.1:${await freePort()}`;
    await expect(ensureBootstrapBindings(server)).rejects.toThrow(/cannot create ClusterRoleBinding node-autoapprove-bootstrap/);
  });
});

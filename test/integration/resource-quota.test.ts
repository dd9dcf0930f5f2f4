// ResourceQuotas against the apiserver process, real etcd and the controller-manager's
// resourcequota controller, driven by unmodified kubectl: usage is counted, writes past a
// quota are refused with Kubernetes' messages, admitted writes are charged at once, and what
// deletions free is counted back.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { startComponent } from '../harness/components.js';
import { kubectlFor } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';

let api: ApiServerHandle;
let manager: ReturnType<typeof startComponent>;
let kubectl: ReturnType<typeof kubectlFor>;

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
  manager = startComponent('controller-manager', ['--master', api.url, '--leader-elect=false', '--port', '0', '--controllers', 'resourcequota']);
  kubectl = kubectlFor(api.url);
}, 60_000);

afterAll(async () => {
  await manager?.stop();
  await api?.stop();
});

const used = async (ns: string, name: string) => JSON.parse(await kubectl.ok(['get', 'resourcequota', name, '-n', ns, '-o', 'json'])).status?.used as Record<string, string> | undefined;
const pod = (name: string, cpu?: string) => JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'quoted' },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36', ...(cpu ? { resources: { requests: { cpu } } } : {}) }] },
});

describe('ResourceQuota', () => {
  it('counts usage, refuses what would exceed it or leaves out what it counts, charges at once and frees on deletion', async () => {
    await kubectl.ok(['create', 'namespace', 'quoted']);
    await kubectl.ok(['create', 'secret', 'generic', 'before', '-n', 'quoted', '--from-literal=a=b']);
    await kubectl.ok(['create', 'quota', 'compute', '-n', 'quoted', '--hard=pods=2,requests.cpu=1,secrets=2']);
    // The controller fills in the status, counting what is there already.
    await waitFor('the quota counted', async () => ((await used('quoted', 'compute'))?.secrets === '1' ? true : undefined), 20_000);
    expect(await used('quoted', 'compute')).toEqual({ pods: '0', 'requests.cpu': '0', secrets: '1' });

    const bare = await kubectl.run(['apply', '-f', '-'], pod('bare'));
    expect(bare.stderr).toContain('pods "bare" is forbidden: failed quota: compute: must specify requests.cpu for: c');

    await kubectl.ok(['apply', '-f', '-'], pod('first', '600m'));
    // Charged by the apiserver as it admitted the pod, before any recount.
    expect(await used('quoted', 'compute')).toMatchObject({ pods: '1', 'requests.cpu': '600m' });
    const second = await kubectl.run(['apply', '-f', '-'], pod('second', '600m'));
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain('pods "second" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1');
    // A controller's pod has no name yet: the refusal names its generateName, as Kubernetes' does.
    const generated = await fetch(`${api.url}/api/v1/namespaces/quoted/pods`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...JSON.parse(pod('x', '600m')), metadata: { generateName: 'web-7d9f-' } }),
    });
    expect(generated.status).toBe(403);
    expect(await generated.json()).toMatchObject({ reason: 'Forbidden', message: expect.stringMatching(/^pods "web-7d9f-" is forbidden: exceeded quota: compute/), details: { name: 'web-7d9f-', kind: 'pods' } });

    await kubectl.ok(['create', 'secret', 'generic', 'after', '-n', 'quoted', '--from-literal=a=b']);
    const third = await kubectl.run(['create', 'secret', 'generic', 'third', '-n', 'quoted', '--from-literal=a=b']);
    expect(third.stderr).toContain('secrets "third" is forbidden: exceeded quota: compute, requested: secrets=1, used: secrets=2, limited: secrets=2');

    // kubectl describe shows used against hard.
    expect(await kubectl.ok(['describe', 'quota', 'compute', '-n', 'quoted'])).toMatch(/requests\.cpu\s+600m\s+1/);

    await kubectl.ok(['delete', 'pod', 'first', '-n', 'quoted']);
    await waitFor('the pod\'s usage freed', async () => ((await used('quoted', 'compute'))?.pods === '0' ? true : undefined), 20_000);
    await kubectl.ok(['apply', '-f', '-'], pod('second', '600m'));
  });
});

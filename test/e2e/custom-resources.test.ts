// Custom resources in a whole cluster (launcher, real controller-manager), driven by kubectl:
// the garbage collector follows ownerReferences to and from custom objects, and deleting a
// namespace deletes the custom objects in it, as Kubernetes' controllers do through discovery.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getClusterJSON, startCluster, type Cluster } from '../harness/cluster.js';
import { kubectlWithKubeconfig } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';

let cluster: Cluster;
let kubectl: ReturnType<typeof kubectlWithKubeconfig>;
const GROUP = 'e2e.example.com';

beforeAll(async () => {
  cluster = await startCluster({ nodes: 1 });
  kubectl = kubectlWithKubeconfig(cluster.kubeconfig);
  await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `gadgets.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  }));
  await kubectl.ok(['wait', '--for=condition=Established', `crd/gadgets.${GROUP}`, '--timeout=30s']);
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

const status = async (path: string) => (await fetch(`${cluster.server}${path}`)).status;

describe('custom resources in a cluster', () => {
  it('garbage-collects what a custom object owns, and custom objects whose owner is gone', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: `${GROUP}/v1`, kind: 'Gadget', metadata: { name: 'owner' }, spec: { a: 1 } }));
    const owner = await getClusterJSON(cluster, `/apis/${GROUP}/v1/namespaces/default/gadgets/owner`);
    // An operator's pattern: a ConfigMap owned by the custom object.
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'owned', ownerReferences: [{ apiVersion: `${GROUP}/v1`, kind: 'Gadget', name: 'owner', uid: owner.metadata.uid, controller: true }] },
      data: { k: 'v' },
    }));
    // And a custom object owned by a ConfigMap.
    await kubectl.ok(['create', 'configmap', 'parent']);
    const parent = await getClusterJSON(cluster, '/api/v1/namespaces/default/configmaps/parent');
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: `${GROUP}/v1`,
      kind: 'Gadget',
      metadata: { name: 'child', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'parent', uid: parent.metadata.uid }] },
    }));
    await kubectl.ok(['delete', `gadget.${GROUP}`, 'owner']);
    await kubectl.ok(['delete', 'configmap', 'parent']);
    await waitFor('the ConfigMap of the deleted Gadget collected', async () => (await status('/api/v1/namespaces/default/configmaps/owned')) === 404, 45_000);
    await waitFor('the Gadget of the deleted ConfigMap collected', async () => (await status(`/apis/${GROUP}/v1/namespaces/default/gadgets/child`)) === 404, 45_000);
  }, 100_000);

  it('deletes the custom objects of a namespace being deleted', async () => {
    await kubectl.ok(['create', 'namespace', 'gadgets']);
    await kubectl.ok(['apply', '-n', 'gadgets', '-f', '-'], JSON.stringify({ apiVersion: `${GROUP}/v1`, kind: 'Gadget', metadata: { name: 'g1' } }));
    await kubectl.ok(['delete', 'namespace', 'gadgets', '--wait=false']);
    await waitFor('the namespace gone', async () => (await status('/api/v1/namespaces/gadgets')) === 404, 45_000);
    const left = await getClusterJSON(cluster, `/apis/${GROUP}/v1/gadgets`);
    expect(left.items.filter((g: any) => g.metadata.namespace === 'gadgets')).toEqual([]);
  }, 60_000);
});

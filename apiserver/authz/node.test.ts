import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import { checkNodeRestriction, NodeAuthorizer, type NodeGraphSource } from './node.js';
import { requestAttributes } from './request-info.js';

const pod = (name: string, node: string, spec: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name, namespace: 'app', uid: `${name}-uid` },
  spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox', env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'env-secret', key: 'k' } } }] }], ...spec },
});
const pods = [
  pod('web', 'n1', { serviceAccountName: 'web-sa', volumes: [{ name: 'v', secret: { secretName: 'tls' } }, { name: 'c', configMap: { name: 'settings' } }, { name: 'd', persistentVolumeClaim: { claimName: 'data' } } as never] }),
  pod('other', 'n2', { volumes: [{ name: 'v', secret: { secretName: 'elsewhere' } }] }),
];
const graph: NodeGraphSource = {
  podsOnNode: (n) => pods.filter((p) => p.spec.nodeName === n),
  pod: (ns, name) => pods.find((p) => p.metadata.namespace === ns && p.metadata.name === name),
  pvcVolume: (_ns, claim) => (claim === 'data' ? 'pv-1' : undefined),
};
const n1 = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const authz = new NodeAuthorizer(graph);
const decide = (method: string, path: string) => authz.authorize(n1, requestAttributes(method, path)).decision;

describe('Node authorizer', () => {
  it('lets a node read only the secrets, configmaps, claims and volumes its pods use', () => {
    expect(decide('GET', '/api/v1/namespaces/app/secrets/tls')).toBe('allow');
    expect(decide('GET', '/api/v1/namespaces/app/secrets/env-secret')).toBe('allow');
    expect(decide('GET', '/api/v1/namespaces/app/configmaps/settings')).toBe('allow');
    expect(decide('GET', '/api/v1/namespaces/app/persistentvolumeclaims/data')).toBe('allow');
    expect(decide('GET', '/api/v1/persistentvolumes/pv-1')).toBe('allow');
    expect(decide('GET', '/api/v1/namespaces/app/secrets/elsewhere')).toBe('no-opinion');
    expect(authz.authorize(n1, requestAttributes('GET', '/api/v1/namespaces/app/secrets/elsewhere')).reason).toBe("no relationship found between node 'n1' and this object");
    expect(decide('GET', '/api/v1/namespaces/app/secrets')).toBe('no-opinion');
    expect(decide('POST', '/api/v1/namespaces/app/serviceaccounts/web-sa/token')).toBe('allow');
    expect(decide('POST', '/api/v1/namespaces/app/serviceaccounts/admin/token')).toBe('no-opinion');
  });

  it("grants the node rules for the rest, and nothing to users who are not nodes", () => {
    expect(decide('POST', '/api/v1/nodes')).toBe('allow');
    expect(decide('PATCH', '/api/v1/nodes/n1/status')).toBe('allow');
    expect(decide('GET', '/api/v1/pods')).toBe('allow');
    expect(decide('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1')).toBe('allow');
    expect(decide('DELETE', '/api/v1/namespaces/app/services/s')).toBe('no-opinion');
    expect(authz.authorize({ name: 'jane', groups: [] }, requestAttributes('GET', '/api/v1/namespaces/app/secrets/tls')).decision).toBe('no-opinion');
  });
});

describe('NodeRestriction', () => {
  const check = (method: string, path: string) => {
    try {
      checkNodeRestriction(n1, requestAttributes(method, path), graph);
      return 'ok';
    } catch (err) {
      return (err as Error).message;
    }
  };
  it('lets a node write only its own Node, Lease and pods', () => {
    expect(check('PATCH', '/api/v1/nodes/n1/status')).toBe('ok');
    expect(check('PATCH', '/api/v1/nodes/n2/status')).toBe('nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
    expect(check('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n2')).toBe('leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node');
    expect(check('PATCH', '/api/v1/namespaces/app/pods/web/status')).toBe('ok');
    expect(check('PATCH', '/api/v1/namespaces/app/pods/other/status')).toBe('pods "other" is forbidden: node "n1" can only update pod status with spec.nodeName set to itself');
    expect(check('DELETE', '/api/v1/namespaces/app/pods/other')).toBe('pods "other" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself');
    expect(check('POST', '/api/v1/namespaces/app/pods')).toMatch(/can only create mirror pods/);
    expect(check('GET', '/api/v1/namespaces/app/pods/other')).toBe('ok');
  });
});

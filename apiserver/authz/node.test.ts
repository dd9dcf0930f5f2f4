import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import { checkNodeObject, checkNodeRestriction, forbiddenNodeLabels, NodeAuthorizer, type NodeGraphSource } from './node.js';
import { requestAttributes } from './request-info.js';

const pod = (name: string, node: string, spec: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name, namespace: 'app', uid: `${name}-uid` },
  spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox', env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'env-secret', key: 'k' } } }] }], ...spec },
});
const pods = [
  pod('web', 'n1', { serviceAccountName: 'web-sa', volumes: [{ name: 'v', secret: { secretName: 'tls' } }, { name: 'c', configMap: { name: 'settings' } }, { name: 'd', persistentVolumeClaim: { claimName: 'data' } } as never, { name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } }] }),
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
    // A generic ephemeral volume's claim: <pod>-<volume>.
    expect(decide('GET', '/api/v1/namespaces/app/persistentvolumeclaims/web-scratch')).toBe('allow');
    expect(decide('GET', '/api/v1/namespaces/app/persistentvolumeclaims/other-scratch')).toBe('no-opinion');
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

describe('NodeRestriction on Node objects', () => {
  const admin = { name: 'admin', groups: ['system:masters'] };
  const node = (labels: Record<string, string>, taints: unknown[] = [], name = 'n1') => ({ metadata: { name, labels }, spec: { taints } });
  const refusal = (user: typeof n1, obj: ReturnType<typeof node>, old?: ReturnType<typeof node>) => {
    try {
      checkNodeObject(user, obj, old);
      return 'ok';
    } catch (err) {
      return (err as Error).message;
    }
  };
  const own = { 'kubernetes.io/hostname': 'n1', 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': 'a', 'node.kubernetes.io/instance-type': 'big', 'kubelet.kubernetes.io/x': 'y', 'team.example.com/pool': 'p' };

  it('lets a kubelet register itself with its own labels and taints, not another node', () => {
    expect(refusal(n1, node(own, [{ key: 'dedicated', effect: 'NoSchedule' }]))).toBe('ok');
    expect(refusal(n1, node(own, [], 'n2'))).toBe('nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
    expect(refusal(n1, node({ ...own, 'node-restriction.kubernetes.io/secure': 'true', 'node-role.kubernetes.io/control-plane': '' }))).toBe(
      'nodes "n1" is forbidden: node "n1" is not allowed to set the following labels: node-restriction.kubernetes.io/secure, node-role.kubernetes.io/control-plane',
    );
  });

  it('keeps a kubelet from changing its taints or labels that steer workloads, and leaves others alone', () => {
    const before = node(own, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]);
    expect(refusal(n1, node(own, []), before)).toBe('nodes "n1" is forbidden: node "n1" is not allowed to modify taints');
    expect(refusal(n1, node({ ...own, 'example.com/x': '1', 'kubernetes.io/hostname': 'renamed' }, before.spec.taints), before)).toBe('ok');
    const { 'topology.kubernetes.io/zone': _zone, ...withoutZone } = own;
    expect(refusal(n1, node({ ...withoutZone, 'k8s.io/anything': 'x' }, before.spec.taints), before)).toBe('nodes "n1" is forbidden: is not allowed to modify labels: k8s.io/anything');
    // Labels already there (set by an administrator) may stay as they are.
    const labelled = node({ ...own, 'node-restriction.kubernetes.io/secure': 'true' }, []);
    expect(refusal(n1, node({ ...labelled.metadata.labels, 'example.com/y': '2' }), labelled)).toBe('ok');
    expect(refusal(n1, node(own), labelled)).toBe('nodes "n1" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/secure');
    // Anyone who is not a node is not this plugin's business.
    expect(refusal(admin, node({ 'node-restriction.kubernetes.io/secure': 'true' }, []), before)).toBe('ok');
  });

  it('reads label domains as Kubernetes does', () => {
    expect(forbiddenNodeLabels(['a.node-restriction.kubernetes.io/x', 'sub.kubelet.kubernetes.io/y', 'kubernetes.io/role', 'example.kubernetes.io.evil.com/z', 'plain'])).toEqual(['a.node-restriction.kubernetes.io/x', 'kubernetes.io/role']);
  });
});

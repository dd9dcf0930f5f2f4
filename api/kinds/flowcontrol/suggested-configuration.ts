// API Priority and Fairness' suggested configuration: the priority levels and schemas Kubernetes'
// apiserver makes in every cluster beside the two mandatory ones, so that nodes, the control
// plane's components, kube-system's service accounts, other service accounts and everyone else
// each get a level of their own (what `kubectl get flowschemas` lists on any Kubernetes 1.32
// cluster). The values are Kubernetes 1.32's; the apiserver keeps them as Kubernetes does
// (apiserver/registry/flow-control-bootstrap.ts).
import type { KubeObject } from '../../types/meta.js';

const API_VERSION = 'flowcontrol.apiserver.k8s.io/v1';
export const AUTOUPDATE_ANNOTATION = 'apf.kubernetes.io/autoupdate-spec';

/** A Limited level whose excess requests queue: shares, lendable percent, queues, hand size. */
function queuingLevel(name: string, shares: number, lendablePercent: number, queues: number, handSize: number): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: 'PriorityLevelConfiguration',
    metadata: { name, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } },
    spec: { type: 'Limited', limited: { nominalConcurrencyShares: shares, lendablePercent, limitResponse: { type: 'Queue', queuing: { queues, handSize, queueLengthLimit: 50 } } } },
  };
}

export const SUGGESTED_PRIORITY_LEVELS: KubeObject[] = [
  queuingLevel('system', 30, 33, 64, 6),
  queuingLevel('node-high', 40, 25, 64, 6),
  queuingLevel('leader-election', 10, 0, 16, 4),
  queuingLevel('workload-high', 40, 50, 128, 6),
  queuingLevel('workload-low', 100, 90, 128, 6),
  queuingLevel('global-default', 20, 50, 128, 6),
];

type Subject = Record<string, unknown>;
const group = (name: string): Subject => ({ kind: 'Group', group: { name } });
const user = (name: string): Subject => ({ kind: 'User', user: { name } });
const kubeSystemAccount = (name: string): Subject => ({ kind: 'ServiceAccount', serviceAccount: { namespace: 'kube-system', name } });

/** Every verb on every resource, in every namespace and cluster-wide, and every other URL. */
const anything = {
  resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }],
  nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
};
/** get, create and update of `resources` in `apiGroup`, in any namespace. */
const readWrite = (apiGroup: string, resources: string[]) => ({ verbs: ['get', 'create', 'update'], apiGroups: [apiGroup], resources, namespaces: ['*'] });

function schema(name: string, level: string, precedence: number, distinguisher: 'ByUser' | 'ByNamespace' | undefined, rules: Record<string, unknown>[]): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: 'FlowSchema',
    metadata: { name, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } },
    spec: { matchingPrecedence: precedence, priorityLevelConfiguration: { name: level }, ...(distinguisher ? { distinguisherMethod: { type: distinguisher } } : {}), rules },
  };
}

export const SUGGESTED_FLOW_SCHEMAS: KubeObject[] = [
  schema('probes', 'exempt', 2, undefined, [
    { subjects: [group('system:unauthenticated'), group('system:authenticated')], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }] },
  ]),
  schema('system-leader-election', 'leader-election', 100, 'ByUser', [
    { subjects: [user('system:kube-controller-manager'), user('system:kube-scheduler'), kubeSystemAccount('*')], resourceRules: [readWrite('coordination.k8s.io', ['leases'])] },
  ]),
  schema('endpoint-controller', 'workload-high', 150, 'ByUser', [
    {
      subjects: [user('system:kube-controller-manager'), kubeSystemAccount('endpoint-controller'), kubeSystemAccount('endpointslicemirroring-controller')],
      resourceRules: [readWrite('', ['endpoints'])],
    },
  ]),
  schema('workload-leader-election', 'leader-election', 200, 'ByUser', [
    { subjects: [kubeSystemAccount('*')], resourceRules: [readWrite('', ['endpoints', 'configmaps']), readWrite('coordination.k8s.io', ['leases'])] },
  ]),
  schema('system-node-high', 'node-high', 400, 'ByUser', [
    {
      subjects: [group('system:nodes')],
      resourceRules: [
        { verbs: ['*'], apiGroups: [''], resources: ['nodes', 'nodes/status'], clusterScope: true, namespaces: ['*'] },
        { verbs: ['*'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: ['*'] },
      ],
    },
  ]),
  schema('system-nodes', 'system', 500, 'ByUser', [{ subjects: [group('system:nodes')], ...anything }]),
  schema('kube-controller-manager', 'workload-high', 800, 'ByNamespace', [{ subjects: [user('system:kube-controller-manager')], ...anything }]),
  schema('kube-scheduler', 'workload-high', 800, 'ByNamespace', [{ subjects: [user('system:kube-scheduler')], ...anything }]),
  schema('kube-system-service-accounts', 'workload-high', 900, 'ByNamespace', [{ subjects: [kubeSystemAccount('*')], ...anything }]),
  schema('service-accounts', 'workload-low', 9000, 'ByUser', [{ subjects: [group('system:serviceaccounts')], ...anything }]),
  schema('global-default', 'global-default', 9900, 'ByUser', [{ subjects: [group('system:unauthenticated'), group('system:authenticated')], ...anything }]),
];

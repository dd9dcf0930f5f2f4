// The roles and bindings every cluster starts with, named as Kubernetes 1.32 names them, so
// users, kubectl and the components find what they expect. The apiserver creates any that are
// missing at start-up and adds back permissions removed from those still marked
// `rbac.authorization.kubernetes.io/autoupdate: "true"`. Our own components' roles list what
// our components do (the controller-manager runs under one identity, not one per controller).
import type { PolicyRule, Subject } from './rbac.js';

export interface BootstrapClusterRole {
  name: string;
  rules: PolicyRule[];
  /** Roles whose rules are the union of the ClusterRoles carrying these labels. */
  aggregateFrom?: Array<Record<string, string>>;
  labels?: Record<string, string>;
}

export interface BootstrapBinding {
  name: string;
  role: string;
  subjects: Subject[];
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({ verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });
const user = (name: string): Subject => ({ kind: 'User', name });
const group = (name: string): Subject => ({ kind: 'Group', name });

const AGGREGATE = (to: string) => ({ [`rbac.authorization.k8s.io/aggregate-to-${to}`]: 'true' });

/** What view, edit and admin grant, built up from each other as Kubernetes' do. */
const VIEW_RULES: PolicyRule[] = [
  rule(READ, [''], ['pods', 'pods/log', 'pods/status', 'replicationcontrollers', 'replicationcontrollers/scale', 'replicationcontrollers/status', 'services', 'services/status', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps', 'serviceaccounts', 'limitranges', 'resourcequotas', 'resourcequotas/status', 'events', 'bindings', 'namespaces', 'namespaces/status']),
  rule(READ, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status']),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
  rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(READ, ['events.k8s.io'], ['events']),
];

const EDIT_RULES: PolicyRule[] = [
  rule(['create', 'delete', 'deletecollection', 'patch', 'update', 'get', 'list', 'watch'], [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
  rule(['create'], [''], ['pods/eviction']),
  rule([...WRITE, ...READ], [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(WRITE, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
  rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(WRITE, ['batch'], ['cronjobs', 'jobs']),
  rule(WRITE, ['policy'], ['poddisruptionbudgets']),
  rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  rule(WRITE, ['discovery.k8s.io'], ['endpointslices']),
];

const ADMIN_RULES: PolicyRule[] = [
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule([...WRITE, ...READ], ['rbac.authorization.k8s.io'], ['rolebindings', 'roles']),
];

export const BOOTSTRAP_CLUSTER_ROLES: BootstrapClusterRole[] = [
  { name: 'cluster-admin', rules: [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])] },
  {
    name: 'system:discovery',
    rules: [urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'])],
  },
  { name: 'system:public-info-viewer', rules: [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])] },
  // What a metrics scraper needs of the apiserver's and the components' ports.
  { name: 'system:monitoring', rules: [urls(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/readyz', '/readyz/*', '/metrics', '/metrics/slis'])] },
  {
    name: 'system:basic-user',
    rules: [rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']), rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews'])],
  },
  { name: 'system:auth-delegator', rules: [rule(['create'], ['authentication.k8s.io'], ['tokenreviews']), rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews'])] },
  { name: 'system:aggregate-to-view', labels: AGGREGATE('view'), rules: VIEW_RULES },
  { name: 'system:aggregate-to-edit', labels: AGGREGATE('edit'), rules: EDIT_RULES },
  { name: 'system:aggregate-to-admin', labels: AGGREGATE('admin'), rules: ADMIN_RULES },
  { name: 'view', labels: AGGREGATE('edit'), rules: [], aggregateFrom: [AGGREGATE('view')] },
  { name: 'edit', labels: AGGREGATE('admin'), rules: [], aggregateFrom: [AGGREGATE('edit')] },
  { name: 'admin', rules: [], aggregateFrom: [AGGREGATE('admin')] },
  { name: 'system:node-bootstrapper', rules: [rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])] },
  { name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', rules: [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient'])] },
  { name: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', rules: [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient'])] },
  {
    name: 'system:kube-scheduler',
    rules: [
      rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
      rule(READ, [''], ['nodes', 'namespaces', 'services', 'replicationcontrollers', 'persistentvolumeclaims', 'persistentvolumes']),
      // What Kubernetes' system:volume-scheduler adds: the node chosen for a claim's first consumer.
      rule(['patch', 'update'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
      rule([...READ, 'delete'], [''], ['pods']),
      rule(['create'], [''], ['pods/binding', 'bindings']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(READ, ['apps'], ['replicasets', 'statefulsets']),
      rule(READ, ['policy'], ['poddisruptionbudgets']),
      rule(READ, ['storage.k8s.io'], ['storageclasses', 'csinodes', 'csidrivers', 'csistoragecapacities']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ],
  },
  {
    // Our controller-manager runs every controller under this one identity.
    name: 'system:kube-controller-manager',
    rules: [
      rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
      // The garbage collector and the namespace controller read, delete and un-own everything.
      rule([...READ, 'delete', 'deletecollection', 'patch', 'update'], ['*'], ['*']),
      rule(['create'], ['', 'apps', 'discovery.k8s.io', 'batch'], ['pods', 'replicasets', 'controllerrevisions', 'endpoints', 'endpointslices', 'serviceaccounts', 'configmaps', 'persistentvolumes', 'persistentvolumeclaims', 'jobs']),
      // The local-path provisioner's default class, made when the cluster has none.
      rule(['create'], ['storage.k8s.io'], ['storageclasses']),
      rule(['update', 'patch'], ['*'], ['*/status', 'namespaces/finalize', 'certificatesigningrequests/approval']),
      rule(['create'], [''], ['pods/eviction', 'serviceaccounts/token']),
      rule(['approve', 'sign'], ['certificates.k8s.io'], ['signers']),
      // ClusterRole aggregation writes rules it need not hold itself.
      rule(['escalate'], ['rbac.authorization.k8s.io'], ['clusterroles']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ],
  },
  {
    name: 'system:node-proxier',
    rules: [rule(READ, [''], ['services', 'endpoints', 'nodes']), rule(READ, ['discovery.k8s.io'], ['endpointslices']), rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events'])],
  },
  {
    // Ours also registers itself as kube-system/kube-dns (Service, Endpoints, EndpointSlice).
    name: 'system:kube-dns',
    rules: [
      rule(['list', 'watch'], [''], ['endpoints', 'services']),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
      rule(['create'], [''], ['services', 'endpoints']),
      rule(['create'], ['discovery.k8s.io'], ['endpointslices']),
      rule(['get', 'update', 'patch'], ['', 'discovery.k8s.io'], ['services', 'endpoints', 'endpointslices'], ['kube-dns']),
    ],
  },
  {
    // metrics-server: reads nodes and pods, scrapes kubelets (nodes/metrics), authorizes its
    // callers with SubjectAccessReviews, reads the front proxy's CA, and registers itself.
    name: 'system:metrics-server',
    rules: [
      rule(['get'], [''], ['nodes/metrics']),
      rule(['list', 'watch'], [''], ['nodes', 'pods']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      rule(['get'], [''], ['configmaps'], ['extension-apiserver-authentication']),
      rule(['create'], [''], ['services', 'endpoints']),
      rule(['get', 'update'], [''], ['services', 'endpoints'], ['metrics-server']),
      rule(['create'], ['apiregistration.k8s.io'], ['apiservices']),
      rule(['get', 'update'], ['apiregistration.k8s.io'], ['apiservices'], ['v1beta1.metrics.k8s.io']),
    ],
  },
  {
    // Who may read pods and nodes may read their metrics (kubectl top), through view, edit and admin.
    name: 'system:aggregated-metrics-reader',
    labels: { ...AGGREGATE('view'), ...AGGREGATE('edit'), ...AGGREGATE('admin') },
    rules: [rule(READ, ['metrics.k8s.io'], ['pods', 'nodes'])],
  },
  {
    // Everything on the kubelet's API: what the apiserver's kubelet client identity is bound to.
    name: 'system:kubelet-api-admin',
    rules: [
      rule(['get', 'list', 'watch'], [''], ['nodes']),
      rule(['proxy'], [''], ['nodes']),
      rule(['*'], [''], ['nodes/log', 'nodes/metrics', 'nodes/proxy', 'nodes/stats']),
    ],
  },
  {
    // What a kubelet may do at all; the Node authorizer narrows it to its own node and pods.
    name: 'system:node',
    rules: [
      rule(['create', 'get', 'list', 'watch', 'patch', 'update', 'delete'], [''], ['nodes', 'nodes/status']),
      rule([...READ, 'delete', 'create'], [''], ['pods']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(['create'], [''], ['pods/eviction']),
      rule(READ, [''], ['services', 'endpoints']),
      rule(['get', 'list', 'watch'], [''], ['configmaps', 'secrets', 'persistentvolumeclaims', 'persistentvolumes']),
      rule(['create'], [''], ['serviceaccounts/token']),
      rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
      rule(['create', 'delete', 'get', 'patch', 'update'], ['coordination.k8s.io'], ['leases']),
      rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
      rule(['get', 'list', 'watch'], ['node.k8s.io'], ['runtimeclasses']),
      rule(['get', 'create', 'update', 'patch', 'delete'], ['storage.k8s.io'], ['csinodes']),
      rule(['get', 'list', 'watch'], ['storage.k8s.io'], ['csidrivers']),
      rule(['get'], ['storage.k8s.io'], ['volumeattachments']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews', 'localsubjectaccessreviews']),
    ],
  },
];

export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: BootstrapBinding[] = [
  { name: 'cluster-admin', role: 'cluster-admin', subjects: [group('system:masters')] },
  { name: 'system:discovery', role: 'system:discovery', subjects: [group('system:authenticated')] },
  { name: 'system:basic-user', role: 'system:basic-user', subjects: [group('system:authenticated')] },
  { name: 'system:public-info-viewer', role: 'system:public-info-viewer', subjects: [group('system:authenticated'), group('system:unauthenticated')] },
  { name: 'system:monitoring', role: 'system:monitoring', subjects: [group('system:monitoring')] },
  { name: 'system:kube-scheduler', role: 'system:kube-scheduler', subjects: [user('system:kube-scheduler')] },
  { name: 'system:kube-controller-manager', role: 'system:kube-controller-manager', subjects: [user('system:kube-controller-manager')] },
  { name: 'system:node-proxier', role: 'system:node-proxier', subjects: [user('system:kube-proxy')] },
  { name: 'system:kube-dns', role: 'system:kube-dns', subjects: [user('system:kube-dns'), { kind: 'ServiceAccount', name: 'kube-dns', namespace: 'kube-system' }] },
  { name: 'system:metrics-server', role: 'system:metrics-server', subjects: [user('system:metrics-server'), { kind: 'ServiceAccount', name: 'metrics-server', namespace: 'kube-system' }] },
  // As in Kubernetes, system:node binds no one: the Node authorizer admits each kubelet to its
  // own node, its pods and what they use, and nothing more.
  { name: 'system:node', role: 'system:node', subjects: [] },
];

// THE table of resources. Discovery, routing, storage keys, OpenAPI, Tables and client paths
// are all derived from it: adding a resource is one entry here (plus a strategy if it needs
// more than generic behaviour).
import { defaultColumns, printers, type PrinterColumn } from './printers.js';

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export const ALL_VERBS: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const NO_COLLECTION_DELETE: readonly Verb[] = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const GET_PATCH_UPDATE = ['get', 'patch', 'update'];

export interface SubresourceInfo {
  name: string;
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  verbs: readonly Verb[];
  shortNames: string[];
  categories: string[];
  subresources: SubresourceInfo[];
  columns: PrinterColumn[];
  /** The key segment in etcd; versions (and groups) of one resource share it. */
  storage: string;
  /** True for the group/version objects are stored as; others are converted (api/conversion.ts). */
  storageVersion: boolean;
}

interface Entry {
  kind: string;
  plural: string;
  namespaced?: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: readonly Verb[];
  subresources?: SubresourceInfo[];
  storage?: string;
  storageVersion?: boolean;
}

const status = (kind: string): SubresourceInfo => ({ name: 'status', kind, verbs: GET_PATCH_UPDATE });
const scale: SubresourceInfo = { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: GET_PATCH_UPDATE };
const all = ['all'];

const groups: Array<{ group: string; version: string; entries: Entry[] }> = [
  {
    group: '',
    version: 'v1',
    entries: [
      { kind: 'Binding', plural: 'bindings', verbs: ['create'] },
      { kind: 'ConfigMap', plural: 'configmaps', shortNames: ['cm'] },
      { kind: 'Endpoints', plural: 'endpoints', shortNames: ['ep'] },
      { kind: 'Event', plural: 'events', shortNames: ['ev'] },
      { kind: 'LimitRange', plural: 'limitranges', shortNames: ['limits'] },
      {
        kind: 'Namespace',
        plural: 'namespaces',
        namespaced: false,
        shortNames: ['ns'],
        verbs: NO_COLLECTION_DELETE,
        subresources: [status('Namespace'), { name: 'finalize', kind: 'Namespace', verbs: ['update'] }],
      },
      { kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'], subresources: [status('Node')] },
      { kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', shortNames: ['pvc'], subresources: [status('PersistentVolumeClaim')] },
      { kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false, shortNames: ['pv'], subresources: [status('PersistentVolume')] },
      {
        kind: 'Pod',
        plural: 'pods',
        shortNames: ['po'],
        categories: all,
        subresources: [
          status('Pod'),
          { name: 'binding', kind: 'Binding', verbs: ['create'] },
          { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
          { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
          { name: 'log', kind: 'Pod', verbs: ['get'] },
        ],
      },
      { kind: 'PodTemplate', plural: 'podtemplates' },
      {
        kind: 'ReplicationController',
        plural: 'replicationcontrollers',
        shortNames: ['rc'],
        categories: all,
        subresources: [scale, status('ReplicationController')],
      },
      { kind: 'ResourceQuota', plural: 'resourcequotas', shortNames: ['quota'], subresources: [status('ResourceQuota')] },
      { kind: 'Secret', plural: 'secrets' },
      { kind: 'ServiceAccount', plural: 'serviceaccounts', shortNames: ['sa'] },
      { kind: 'Service', plural: 'services', shortNames: ['svc'], categories: all, verbs: ALL_VERBS, subresources: [status('Service')] },
    ],
  },
  {
    group: 'apps',
    version: 'v1',
    entries: [
      { kind: 'ControllerRevision', plural: 'controllerrevisions' },
      { kind: 'DaemonSet', plural: 'daemonsets', shortNames: ['ds'], categories: all, subresources: [status('DaemonSet')] },
      { kind: 'Deployment', plural: 'deployments', shortNames: ['deploy'], categories: all, subresources: [scale, status('Deployment')] },
      { kind: 'ReplicaSet', plural: 'replicasets', shortNames: ['rs'], categories: all, subresources: [scale, status('ReplicaSet')] },
      { kind: 'StatefulSet', plural: 'statefulsets', shortNames: ['sts'], categories: all, subresources: [scale, status('StatefulSet')] },
    ],
  },
  {
    group: 'autoscaling',
    version: 'v2',
    entries: [
      { kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', shortNames: ['hpa'], categories: all, subresources: [status('HorizontalPodAutoscaler')] },
    ],
  },
  {
    group: 'autoscaling',
    version: 'v1',
    entries: [
      { kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', shortNames: ['hpa'], categories: all, subresources: [status('HorizontalPodAutoscaler')], storageVersion: false },
    ],
  },
  {
    group: 'batch',
    version: 'v1',
    entries: [
      { kind: 'CronJob', plural: 'cronjobs', shortNames: ['cj'], categories: all, subresources: [status('CronJob')] },
      { kind: 'Job', plural: 'jobs', categories: all, subresources: [status('Job')] },
    ],
  },
  { group: 'coordination.k8s.io', version: 'v1', entries: [{ kind: 'Lease', plural: 'leases' }] },
  { group: 'discovery.k8s.io', version: 'v1', entries: [{ kind: 'EndpointSlice', plural: 'endpointslices' }] },
  { group: 'events.k8s.io', version: 'v1', entries: [{ kind: 'Event', plural: 'events', shortNames: ['ev'], storageVersion: false }] },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    entries: [
      { kind: 'IngressClass', plural: 'ingressclasses', namespaced: false },
      { kind: 'Ingress', plural: 'ingresses', shortNames: ['ing'], subresources: [status('Ingress')] },
      { kind: 'NetworkPolicy', plural: 'networkpolicies', shortNames: ['netpol'] },
    ],
  },
  {
    group: 'policy',
    version: 'v1',
    entries: [{ kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', shortNames: ['pdb'], subresources: [status('PodDisruptionBudget')] }],
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    entries: [
      { kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
      { kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
      { kind: 'RoleBinding', plural: 'rolebindings' },
      { kind: 'Role', plural: 'roles' },
    ],
  },
  { group: 'scheduling.k8s.io', version: 'v1', entries: [{ kind: 'PriorityClass', plural: 'priorityclasses', namespaced: false, shortNames: ['pc'] }] },
  { group: 'storage.k8s.io', version: 'v1', entries: [{ kind: 'StorageClass', plural: 'storageclasses', namespaced: false, shortNames: ['sc'] }] },
];

export const resources: ResourceInfo[] = groups.flatMap(({ group, version, entries }) =>
  entries.map((e) => ({
    group,
    version,
    kind: e.kind,
    plural: e.plural,
    singular: e.kind.toLowerCase(),
    namespaced: e.namespaced ?? true,
    verbs: e.verbs ?? ALL_VERBS,
    shortNames: e.shortNames ?? [],
    categories: e.categories ?? [],
    subresources: e.subresources ?? [],
    columns: (printers as Record<string, PrinterColumn[]>)[e.plural] ?? defaultColumns,
    storage: e.storage ?? e.plural,
    storageVersion: e.storageVersion ?? true,
  })),
);

export function groupVersion(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** The URL prefix of a group version: `/api/v1` or `/apis/<group>/<version>`. */
export function apiPrefix(r: { group: string; version: string }): string {
  return r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
}

export interface GroupVersionInfo {
  group: string;
  version: string;
  resources: ResourceInfo[];
}

/** Group versions in the order they are served; within a group the first is preferred. */
export const groupVersions: GroupVersionInfo[] = (() => {
  const out: GroupVersionInfo[] = [];
  for (const r of resources) {
    let gv = out.find((g) => g.group === r.group && g.version === r.version);
    if (!gv) out.push((gv = { group: r.group, version: r.version, resources: [] }));
    gv.resources.push(r);
  }
  return out;
})();

const byPath = new Map<string, ResourceInfo>(resources.map((r) => [`${groupVersion(r)}/${r.plural}`, r]));

export function findResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  return byPath.get(`${group ? `${group}/` : ''}${version}/${plural}`);
}

/** The stored form of a resource: every version of it is kept in this one's shape. */
export function storageInfo(r: ResourceInfo): ResourceInfo {
  if (r.storageVersion) return r;
  const stored = resources.find((x) => x.storage === r.storage && x.storageVersion);
  if (!stored) throw new Error(`no storage version for ${r.plural}`);
  return stored;
}

export function findByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return resources.find((r) => groupVersion(r) === apiVersion && r.kind === kind);
}

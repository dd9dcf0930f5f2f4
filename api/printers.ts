// Table columns per kind: what `kubectl get` prints. Cells are computed from the object at
// serving time, with the same names, order and wide-only priorities as Kubernetes.
import { asText } from './codec/values.js';
import { isPodReady, nodeReadyStatus } from './conditions.js';
import { ageSince } from './duration.js';
import { labelSelectorToString } from './labels.js';
import type { KubeObject } from './types/meta.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
  cell: (obj: KubeObject, now: number) => string | number | boolean;
}

type Cell = PrinterColumn['cell'];

function col(name: string, cell: Cell, opts: Partial<Omit<PrinterColumn, 'name' | 'cell'>> = {}): PrinterColumn {
  return {
    name,
    type: opts.type ?? 'string',
    format: opts.format ?? '',
    description: opts.description ?? `${name} of the object`,
    priority: opts.priority ?? 0,
    cell,
  };
}
const wide = { priority: 1 };

const nameCol = col('Name', (o) => o.metadata.name ?? '', {
  format: 'name',
  description: 'Name must be unique within a namespace. Cannot be updated.',
});
const ageCol = col('Age', (o, now) => ageSince(o.metadata.creationTimestamp, now), {
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
});
const none = (v: unknown): string => (v === undefined || v === null || v === '' ? '<none>' : asText(v));

export const defaultColumns: PrinterColumn[] = [
  nameCol,
  col('Created At', (o) => o.metadata.creationTimestamp ?? '', { type: 'date', description: 'Object creation time' }),
];

function templateContainers(spec: any): any[] {
  return spec?.template?.spec?.containers ?? [];
}
const containersCol = col('Containers', (o) => templateContainers(o.spec).map((c) => c.name).join(','), wide);
const imagesCol = col('Images', (o) => templateContainers(o.spec).map((c) => c.image).join(','), wide);
const selectorCol = col('Selector', (o) => labelSelectorToString(o.spec?.selector) || '<none>', wide);

// ---- pods

interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

export function summarizePod(pod: KubeObject, now: number): PodSummary {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const total = (spec.containers ?? []).length;
  let restarts = 0;
  let lastRestart = 0;
  let readyContainers = 0;
  let reason: string = status.reason || status.phase || 'Pending';
  const noteRestart = (cs: any) => {
    restarts += cs.restartCount ?? 0;
    const finished = cs.lastState?.terminated?.finishedAt;
    if (finished) lastRestart = Math.max(lastRestart, Date.parse(finished) || 0);
  };

  let initializing = false;
  const initStatuses: any[] = status.initContainerStatuses ?? [];
  const initCount = (spec.initContainers ?? []).length;
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    noteRestart(cs);
    const t = cs.state?.terminated;
    const w = cs.state?.waiting;
    if (t && t.exitCode === 0) continue;
    if (cs.started && cs.state?.running) continue; // a restartable (sidecar) init container
    if (t) {
      reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    } else if (w?.reason && w.reason !== 'PodInitializing') {
      reason = `Init:${w.reason}`;
    } else {
      reason = `Init:${i}/${initCount}`;
    }
    initializing = true;
    break;
  }

  if (!initializing) {
    let hasRunning = false;
    const statuses: any[] = [...(status.containerStatuses ?? [])].reverse();
    for (const cs of statuses) {
      noteRestart(cs);
      const w = cs.state?.waiting;
      const t = cs.state?.terminated;
      if (w?.reason) reason = w.reason;
      else if (t?.reason) reason = t.reason;
      else if (t) reason = t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`;
      else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = isPodReady(pod) ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';

  let restartText = String(restarts);
  if (lastRestart > 0 && restarts > 0) restartText += ` (${ageSince(new Date(lastRestart).toISOString(), now)} ago)`;
  return { ready: `${readyContainers}/${total}`, status: reason, restarts: restartText };
}

const podColumns: PrinterColumn[] = [
  nameCol,
  col('Ready', (o, now) => summarizePod(o, now).ready, { description: 'The aggregate readiness state of this pod for accepting traffic.' }),
  col('Status', (o, now) => summarizePod(o, now).status, { description: 'The aggregate status of the containers in this pod.' }),
  col('Restarts', (o, now) => summarizePod(o, now).restarts, { description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.' }),
  ageCol,
  col('IP', (o) => none(o.status?.podIP), { ...wide, description: 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.' }),
  col('Node', (o) => none(o.spec?.nodeName), { ...wide, description: 'NodeName is a request to schedule this pod onto a specific node.' }),
  col('Nominated Node', (o) => none(o.status?.nominatedNodeName), { ...wide, description: 'nominatedNodeName is set when this pod preempts other pods on the node.' }),
  col('Readiness Gates', (o) => {
    const gates: any[] = o.spec?.readinessGates ?? [];
    if (gates.length === 0) return '<none>';
    const conds: any[] = o.status?.conditions ?? [];
    const ok = gates.filter((g) => conds.some((c) => c.type === g.conditionType && c.status === 'True')).length;
    return `${ok}/${gates.length}`;
  }, { ...wide, description: 'If specified, all readiness gates will be evaluated for pod readiness.' }),
];

// ---- workloads

const deploymentColumns: PrinterColumn[] = [
  nameCol,
  col('Ready', (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, { description: 'Number of the pod with ready state' }),
  col('Up-to-date', (o) => o.status?.updatedReplicas ?? 0, { type: 'integer', description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.' }),
  col('Available', (o) => o.status?.availableReplicas ?? 0, { type: 'integer', description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.' }),
  ageCol,
  containersCol,
  imagesCol,
  selectorCol,
];

const replicaSetColumns: PrinterColumn[] = [
  nameCol,
  col('Desired', (o) => o.spec?.replicas ?? 0, { type: 'integer', description: 'Number of desired pods.' }),
  col('Current', (o) => o.status?.replicas ?? 0, { type: 'integer', description: 'Replicas is the most recently observed number of replicas.' }),
  col('Ready', (o) => o.status?.readyReplicas ?? 0, { type: 'integer', description: 'The number of ready replicas for this replica set.' }),
  ageCol,
  containersCol,
  imagesCol,
  selectorCol,
];

const replicationControllerColumns: PrinterColumn[] = [
  ...replicaSetColumns.slice(0, 7),
  col('Selector', (o) => Object.entries(o.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).sort().join(',') || '<none>', wide),
];

const statefulSetColumns: PrinterColumn[] = [
  nameCol,
  col('Ready', (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, { description: 'Number of the pod with ready state' }),
  ageCol,
  containersCol,
  imagesCol,
];

const daemonSetColumns: PrinterColumn[] = [
  nameCol,
  col('Desired', (o) => o.status?.desiredNumberScheduled ?? 0, { type: 'integer' }),
  col('Current', (o) => o.status?.currentNumberScheduled ?? 0, { type: 'integer' }),
  col('Ready', (o) => o.status?.numberReady ?? 0, { type: 'integer' }),
  col('Up-to-date', (o) => o.status?.updatedNumberScheduled ?? 0, { type: 'integer' }),
  col('Available', (o) => o.status?.numberAvailable ?? 0, { type: 'integer' }),
  col('Node Selector', (o) => Object.entries(o.spec?.template?.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>'),
  ageCol,
  containersCol,
  imagesCol,
  selectorCol,
];

function jobStatus(o: KubeObject): string {
  const conds: any[] = o.status?.conditions ?? [];
  const has = (t: string) => conds.some((c) => c.type === t && c.status === 'True');
  if (has('Failed')) return 'Failed';
  if (has('Complete')) return 'Complete';
  if (has('FailureTarget')) return 'FailureTarget';
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (has('Suspended')) return 'Suspended';
  if (o.metadata.deletionTimestamp) return 'Terminating';
  return 'Running';
}

const jobColumns: PrinterColumn[] = [
  nameCol,
  col('Status', jobStatus, { description: 'Status of the job.' }),
  col('Completions', (o) => `${o.status?.succeeded ?? 0}/${o.spec?.completions ?? 1}`, { description: 'The desired number of successfully finished pods the job should be run with.' }),
  col('Duration', (o, now) => {
    const start = o.status?.startTime;
    if (!start) return '';
    const end = o.status?.completionTime ? Date.parse(o.status.completionTime) : now;
    return ageSince(start, end);
  }, { description: 'Time required to complete the job.' }),
  ageCol,
  containersCol,
  imagesCol,
  selectorCol,
];

const cronJobColumns: PrinterColumn[] = [
  nameCol,
  col('Schedule', (o) => o.spec?.schedule ?? ''),
  col('Timezone', (o) => none(o.spec?.timeZone)),
  col('Suspend', (o) => String(Boolean(o.spec?.suspend)), { type: 'boolean' }),
  col('Active', (o) => (o.status?.active ?? []).length, { type: 'integer' }),
  col('Last Schedule', (o, now) => (o.status?.lastScheduleTime ? ageSince(o.status.lastScheduleTime, now) : '<none>')),
  ageCol,
  col('Containers', (o) => (o.spec?.jobTemplate?.spec?.template?.spec?.containers ?? []).map((c: any) => c.name).join(','), wide),
  col('Images', (o) => (o.spec?.jobTemplate?.spec?.template?.spec?.containers ?? []).map((c: any) => c.image).join(','), wide),
  col('Selector', (o) => labelSelectorToString(o.spec?.jobTemplate?.spec?.selector) || '<none>', wide),
];

// ---- services and networking

function servicePorts(o: KubeObject): string {
  const ports: any[] = o.spec?.ports ?? [];
  if (ports.length === 0) return '<none>';
  return ports
    .map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`))
    .join(',');
}

function serviceExternalIP(o: KubeObject): string {
  const type = o.spec?.type ?? 'ClusterIP';
  const external: string[] = o.spec?.externalIPs ?? [];
  if (type === 'ExternalName') return o.spec?.externalName ?? '<none>';
  if (type === 'LoadBalancer') {
    const ingress: any[] = o.status?.loadBalancer?.ingress ?? [];
    const ips = [...ingress.map((i) => i.ip || i.hostname).filter(Boolean), ...external];
    return ips.length ? ips.join(',') : '<pending>';
  }
  return external.length ? external.join(',') : '<none>';
}

const serviceColumns: PrinterColumn[] = [
  nameCol,
  col('Type', (o) => o.spec?.type ?? 'ClusterIP', { description: 'type determines how the Service is exposed.' }),
  col('Cluster-IP', (o) => none(o.spec?.clusterIP), { description: 'clusterIP is the IP address of the service.' }),
  col('External-IP', serviceExternalIP, { description: 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.' }),
  col('Port(s)', servicePorts, { description: 'The list of ports that are exposed by this service.' }),
  ageCol,
  col('Selector', (o) => Object.entries(o.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).sort().join(',') || '<none>', { ...wide, description: 'Route service traffic to pods with label keys and values matching this selector.' }),
];

function formatEndpoints(o: KubeObject): string {
  const out: string[] = [];
  let total = 0;
  for (const s of (o.subsets as any[]) ?? []) {
    const ports: any[] = s.ports?.length ? s.ports : [{}];
    for (const a of s.addresses ?? []) {
      for (const p of ports) {
        total++;
        if (out.length < 3) out.push(p.port ? `${a.ip}:${p.port}` : a.ip);
      }
    }
  }
  if (total === 0) return '<none>';
  return total > 3 ? `${out.join(',')} + ${total - 3} more...` : out.join(',');
}

const endpointsColumns: PrinterColumn[] = [nameCol, col('Endpoints', formatEndpoints), ageCol];

const endpointSliceColumns: PrinterColumn[] = [
  nameCol,
  col('AddressType', (o) => asText(o.addressType)),
  col('Ports', (o) => ((o.ports as any[]) ?? []).map((p) => p.port).join(',') || '<unset>'),
  col('Endpoints', (o) => {
    const addrs = ((o.endpoints as any[]) ?? []).flatMap((e) => e.addresses ?? []);
    if (addrs.length === 0) return '<unset>';
    return addrs.length > 3 ? `${addrs.slice(0, 3).join(',')} + ${addrs.length - 3} more...` : addrs.join(',');
  }),
  ageCol,
];

const ingressColumns: PrinterColumn[] = [
  nameCol,
  col('Class', (o) => none(o.spec?.ingressClassName)),
  col('Hosts', (o) => ((o.spec?.rules ?? []) as any[]).map((r) => r.host).filter(Boolean).join(',') || '*'),
  col('Address', (o) => ((o.status?.loadBalancer?.ingress ?? []) as any[]).map((i) => i.ip || i.hostname).join(',')),
  col('Ports', (o) => ((o.spec?.tls ?? []).length ? '80, 443' : '80')),
  ageCol,
];

// ---- cluster

function nodeStatus(o: KubeObject): string {
  const ready = nodeReadyStatus(o);
  // Kubernetes prints anything but Ready=True as NotReady; only a node with no Ready condition is Unknown.
  let s = ready === undefined ? 'Unknown' : ready === 'True' ? 'Ready' : 'NotReady';
  if (o.spec?.unschedulable) s += ',SchedulingDisabled';
  return s;
}

function nodeRoles(o: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function nodeAddress(o: KubeObject, type: string): string {
  const a = ((o.status?.addresses ?? []) as any[]).find((x) => x.type === type);
  return a?.address ?? '<none>';
}

const nodeColumns: PrinterColumn[] = [
  nameCol,
  col('Status', nodeStatus, { description: 'The status of the node' }),
  col('Roles', nodeRoles, { description: 'The roles of the node' }),
  ageCol,
  col('Version', (o) => o.status?.nodeInfo?.kubeletVersion ?? '', { description: 'Kubelet Version reported by the node.' }),
  col('Internal-IP', (o) => nodeAddress(o, 'InternalIP'), { ...wide, description: 'List of addresses reachable to the node.' }),
  col('External-IP', (o) => nodeAddress(o, 'ExternalIP'), { ...wide, description: 'List of addresses reachable to the node.' }),
  col('OS-Image', (o) => o.status?.nodeInfo?.osImage || '<unknown>', { ...wide, description: 'OS Image reported by the node from /etc/os-release.' }),
  col('Kernel-Version', (o) => o.status?.nodeInfo?.kernelVersion || '<unknown>', { ...wide, description: 'Kernel Version reported by the node.' }),
  col('Container-Runtime', (o) => o.status?.nodeInfo?.containerRuntimeVersion || '<unknown>', { ...wide, description: 'Container Runtime Version reported by the node.' }),
];

const namespaceColumns: PrinterColumn[] = [
  nameCol,
  col('Status', (o) => o.status?.phase ?? 'Active', { description: 'The status of the namespace' }),
  ageCol,
];

const dataCount = (o: KubeObject) =>
  Object.keys((o.data as object) ?? {}).length + Object.keys((o.binaryData as object) ?? {}).length;

const configMapColumns: PrinterColumn[] = [nameCol, col('Data', dataCount, { type: 'integer' }), ageCol];
const secretColumns: PrinterColumn[] = [
  nameCol,
  col('Type', (o) => asText(o.type ?? 'Opaque')),
  col('Data', dataCount, { type: 'integer' }),
  ageCol,
];
const serviceAccountColumns: PrinterColumn[] = [
  nameCol,
  col('Secrets', (o) => ((o.secrets as any[]) ?? []).length, { type: 'integer' }),
  ageCol,
];

function eventObject(o: KubeObject): string {
  const io = (o.involvedObject ?? {}) as any;
  return `${asText(io.kind).toLowerCase()}/${asText(io.name)}`;
}
function eventLastSeen(o: KubeObject, now: number): string {
  const last = (o.lastTimestamp as string) || (o.eventTime as string) || o.metadata.creationTimestamp;
  const first = (o.firstTimestamp as string) || (o.eventTime as string) || o.metadata.creationTimestamp;
  const count = Number(o.count ?? 1);
  const seen = ageSince(last, now);
  return count > 1 ? `${seen} (x${count} over ${ageSince(first, now)})` : seen;
}

const eventColumns: PrinterColumn[] = [
  col('Last Seen', eventLastSeen),
  col('Type', (o) => asText(o.type)),
  col('Reason', (o) => asText(o.reason)),
  col('Object', eventObject),
  col('Subobject', (o) => asText((o.involvedObject as any)?.fieldPath), wide),
  col('Source', (o) => {
    const s = (o.source ?? {}) as any;
    const comp = s.component || (o.reportingComponent as string) || '';
    return s.host ? `${comp}, ${s.host}` : comp;
  }, wide),
  col('Message', (o) => asText(o.message)),
  col('First Seen', (o, now) => ageSince((o.firstTimestamp as string) || (o.eventTime as string) || o.metadata.creationTimestamp, now), wide),
  col('Count', (o) => Number(o.count ?? 1), { ...wide, type: 'integer' }),
  col('Name', (o) => o.metadata.name ?? '', { ...wide, format: 'name' }),
];

const pvcColumns: PrinterColumn[] = [
  nameCol,
  col('Status', (o) => (o.metadata.deletionTimestamp ? 'Terminating' : o.status?.phase ?? 'Pending')),
  col('Volume', (o) => o.spec?.volumeName ?? ''),
  col('Capacity', (o) => o.status?.capacity?.storage ?? ''),
  col('Access Modes', (o) => ((o.status?.accessModes ?? []) as string[]).map((m) => ({ ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' } as Record<string, string>)[m] ?? m).join(',')),
  col('StorageClass', (o) => none(o.spec?.storageClassName)),
  col('VolumeAttributesClass', (o) => none(o.spec?.volumeAttributesClassName)),
  ageCol,
  col('VolumeMode', (o) => o.spec?.volumeMode ?? 'Filesystem', wide),
];

const hpaColumns: PrinterColumn[] = [
  nameCol,
  col('Reference', (o) => `${o.spec?.scaleTargetRef?.kind ?? ''}/${o.spec?.scaleTargetRef?.name ?? ''}`),
  col('Targets', (o) => {
    const metrics: any[] = o.spec?.metrics ?? [];
    if (metrics.length === 0 && o.spec?.targetCPUUtilizationPercentage !== undefined) {
      const cur = o.status?.currentCPUUtilizationPercentage;
      return `cpu: ${cur === undefined ? '<unknown>' : `${cur}%`}/${o.spec.targetCPUUtilizationPercentage}%`;
    }
    if (metrics.length === 0) return '<none>';
    return metrics
      .map((m) => (m.resource ? `${m.resource.name}: <unknown>/${m.resource.target?.averageUtilization ?? m.resource.target?.averageValue ?? ''}${m.resource.target?.averageUtilization !== undefined ? '%' : ''}` : '<unknown>'))
      .join(', ');
  }),
  col('MinPods', (o) => o.spec?.minReplicas ?? 1, { type: 'integer' }),
  col('MaxPods', (o) => o.spec?.maxReplicas ?? 0, { type: 'integer' }),
  col('Replicas', (o) => o.status?.currentReplicas ?? 0, { type: 'integer' }),
  ageCol,
];

const leaseColumns: PrinterColumn[] = [nameCol, col('Holder', (o) => o.spec?.holderIdentity ?? ''), ageCol];

function roleRef(o: KubeObject): string {
  const r = (o.roleRef ?? {}) as any;
  return `${r.kind ?? ''}/${r.name ?? ''}`;
}
function subjects(kind: string) {
  return (o: KubeObject) =>
    ((o.subjects as any[]) ?? [])
      .filter((s) => s.kind === kind)
      .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name))
      .join(', ');
}
const roleBindingColumns: PrinterColumn[] = [
  nameCol,
  col('Role', roleRef),
  ageCol,
  col('Users', subjects('User'), wide),
  col('Groups', subjects('Group'), wide),
  col('ServiceAccounts', subjects('ServiceAccount'), wide),
];
const createdAtColumns: PrinterColumn[] = [
  nameCol,
  col('Created At', (o) => o.metadata.creationTimestamp ?? '', { type: 'string' }),
];

const controllerRevisionColumns: PrinterColumn[] = [
  nameCol,
  col('Controller', (o) => {
    const owner = (o.metadata.ownerReferences ?? []).find((r) => r.controller);
    return owner ? `${owner.kind.toLowerCase()}.${owner.apiVersion.split('/')[0]}/${owner.name}` : '<none>';
  }),
  col('Revision', (o) => Number(o.revision ?? 0), { type: 'integer' }),
  ageCol,
];

export const printers = {
  pods: podColumns,
  deployments: deploymentColumns,
  replicasets: replicaSetColumns,
  replicationcontrollers: replicationControllerColumns,
  statefulsets: statefulSetColumns,
  daemonsets: daemonSetColumns,
  jobs: jobColumns,
  cronjobs: cronJobColumns,
  services: serviceColumns,
  endpoints: endpointsColumns,
  endpointslices: endpointSliceColumns,
  ingresses: ingressColumns,
  nodes: nodeColumns,
  namespaces: namespaceColumns,
  configmaps: configMapColumns,
  secrets: secretColumns,
  serviceaccounts: serviceAccountColumns,
  events: eventColumns,
  persistentvolumeclaims: pvcColumns,
  horizontalpodautoscalers: hpaColumns,
  leases: leaseColumns,
  rolebindings: roleBindingColumns,
  clusterrolebindings: roleBindingColumns,
  roles: createdAtColumns,
  clusterroles: createdAtColumns,
  controllerrevisions: controllerRevisionColumns,
} satisfies Record<string, PrinterColumn[]>;

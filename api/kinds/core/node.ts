// v1 Node: registered by its kubelet, which also reports its status; the node lifecycle
// controller marks it Unknown when the kubelet goes quiet.
import { nodeReadyStatus } from '../../conditions.js';
import { ageCol, col, nameCol, wide } from '../../printers.js';
import { bool, list, obj, open, quantities, set, str, time } from '../../schema/dsl.js';
import { conditions, kind } from '../../schema/meta.js';
import type { KubeObject, Unstructured } from '../../types/meta.js';
import { validateNode, validateNodeUpdate } from '../../validation/node.js';
import { withStatus } from '../strategy.js';
import { proxyOf, statusOf, type KindModule } from '../kind.js';

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
  const a = ((o.status?.addresses ?? []) as Unstructured[]).find((x) => x.type === type);
  return a?.address ?? '<none>';
}

export const node: KindModule = {
  group: '',
  version: 'v1',
  kind: 'Node',
  plural: 'nodes',
  namespaced: false,
  shortNames: ['no'],
  subresources: [proxyOf('NodeProxyOptions'), statusOf('Node')],
  schema: kind({
    spec: obj({
      podCIDR: str,
      podCIDRs: set(str),
      providerID: str,
      unschedulable: bool,
      taints: list(obj({ key: str, value: str, effect: str, timeAdded: time })),
      configSource: open(),
      externalID: str,
    }),
    status: open({ conditions, addresses: list(obj({ type: str, address: str }), 'type'), capacity: quantities, allocatable: quantities }),
  }),
  columns: [
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
  ],
  validate: validateNode,
  validateUpdate: validateNodeUpdate,
  // Nodes may report status when they register.
  strategy: withStatus({
    prepareForCreate(n) {
      n.metadata.generation = 1;
    },
  }),
  selectableFields: (o) => ({ 'spec.unschedulable': String(Boolean(o.spec?.unschedulable)) }),
};

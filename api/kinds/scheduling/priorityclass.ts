// scheduling.k8s.io/v1 PriorityClass: a name for a pod priority (the Priority admission plugin
// sets a pod's spec.priority and preemptionPolicy from it). The apiserver keeps the two system
// classes; names beginning with `system-` are theirs, and user classes stay at or below one
// billion. A class's value and preemption policy cannot change.
import { ageCol, col, nameCol } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import type { KubeObject } from '../../types/meta.js';
import type { KindModule } from '../kind.js';

export const HIGHEST_USER_PRIORITY = 1_000_000_000;
const PREEMPTION_POLICIES = ['Never', 'PreemptLowerPriority'];

/** The classes every cluster has, as Kubernetes' apiserver creates them. */
export const SYSTEM_PRIORITY_CLASSES: KubeObject[] = [
  {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'system-node-critical' },
    value: 2_000_001_000,
    description: 'Used for system critical pods that must not be moved from their current node.',
  },
  {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'system-cluster-critical' },
    value: 2_000_000_000,
    description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  },
];

export const priorityClass: KindModule = {
  group: 'scheduling.k8s.io',
  version: 'v1',
  kind: 'PriorityClass',
  plural: 'priorityclasses',
  namespaced: false,
  shortNames: ['pc'],
  schema: schemaFromProtobuf('scheduling.k8s.io/v1', 'PriorityClass'),
  columns: [
    nameCol,
    col('Value', (o) => Number(o.value ?? 0), { type: 'integer' }),
    col('Global-Default', (o) => o.globalDefault === true, { type: 'boolean' }),
    ageCol,
    col('PreemptionPolicy', (o) => String(o.preemptionPolicy ?? '')),
  ],
  defaults(o) {
    o.preemptionPolicy ??= 'PreemptLowerPriority';
  },
  validate(o, errs) {
    const name = o.metadata.name ?? '';
    const system = SYSTEM_PRIORITY_CLASSES.find((c) => c.metadata.name === name);
    const value = typeof o.value === 'number' ? o.value : 0;
    if (system) {
      if (value !== system.value || o.globalDefault === true) {
        errs.forbidden('metadata.name', `priority class names with 'system-' prefix are reserved for system use only. error: ${name} is a known system priority class, but its value or globalDefault differs`);
      }
    } else if (name.startsWith('system-')) {
      errs.forbidden('metadata.name', "priority class names with 'system-' prefix are reserved for system use only");
    } else if (value > HIGHEST_USER_PRIORITY) {
      errs.forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`);
    }
    if (o.preemptionPolicy !== undefined && !PREEMPTION_POLICIES.includes(String(o.preemptionPolicy))) errs.notSupported('preemptionPolicy', o.preemptionPolicy, PREEMPTION_POLICIES);
  },
  validateUpdate(next, prev, errs) {
    if ((next.value ?? 0) !== (prev.value ?? 0)) errs.forbidden('value', 'may not be changed in an update.');
    if (next.preemptionPolicy !== prev.preemptionPolicy) errs.invalid('preemptionPolicy', next.preemptionPolicy ?? null, 'field is immutable');
  },
};

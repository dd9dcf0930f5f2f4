// The Priority admission plugin: a pod being created gets spec.priority and
// spec.preemptionPolicy from its PriorityClass (the cluster's default class when it names none,
// priority 0 when there is no default); a class that does not exist, or a priority or policy
// the pod states differently, is refused. PriorityClasses themselves: only one may be the
// global default.
import { admissionName, StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Pod } from '../../api/types/pod.js';

export interface PriorityClassSource {
  byName(name: string): KubeObject | undefined;
  all(): KubeObject[];
}

type PodPrioritySpec = Pod['spec'] & { priorityClassName?: string; priority?: number; preemptionPolicy?: string };

function forbidden(kind: string, name: string, message: string): StatusError {
  return new StatusError(403, 'Forbidden', `${kind} "${name}" is forbidden: ${message}`, { name, kind });
}

/** The global default class: of several, the one with the lowest value, as Kubernetes picks. */
function defaultClass(classes: KubeObject[]): KubeObject | undefined {
  return classes.filter((c) => c.globalDefault === true).sort((a, b) => Number(a.value ?? 0) - Number(b.value ?? 0))[0];
}

export function admitPodPriority(pod: Pod, source: PriorityClassSource): void {
  const spec = pod.spec as PodPrioritySpec;
  const podName = admissionName(pod.metadata);
  let value = 0;
  let policy = 'PreemptLowerPriority';
  if (!spec.priorityClassName) {
    const d = defaultClass(source.all());
    if (d) {
      spec.priorityClassName = d.metadata.name;
      value = Number(d.value ?? 0);
      policy = String(d.preemptionPolicy ?? policy);
    }
  } else {
    const pc = source.byName(spec.priorityClassName);
    if (!pc) throw forbidden('pods', podName, `no PriorityClass with name ${spec.priorityClassName} was found`);
    value = Number(pc.value ?? 0);
    policy = String(pc.preemptionPolicy ?? policy);
  }
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== value) {
    throw forbidden('pods', podName, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`);
  }
  spec.priority = value;
  if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== null && spec.preemptionPolicy !== policy) {
    throw forbidden('pods', podName, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
  }
  spec.preemptionPolicy = policy;
}

/** On update the pod keeps what the plugin set at its creation, when the new version leaves it out (a replace from the original manifest). */
export function keepPodPriority(next: Pod, old: Pod): void {
  const spec = next.spec as PodPrioritySpec | undefined;
  const was = old.spec as PodPrioritySpec | undefined;
  // A pod without a spec is refused by validation, next.
  if (!spec || typeof spec !== 'object' || !was || typeof was !== 'object') return;
  if ((spec.priority === undefined || spec.priority === null) && was.priority !== undefined) spec.priority = was.priority;
  if ((spec.preemptionPolicy === undefined || spec.preemptionPolicy === null) && was.preemptionPolicy !== undefined) spec.preemptionPolicy = was.preemptionPolicy;
}

/** A class marked global default while another one is. */
export function admitPriorityClass(pc: KubeObject, source: PriorityClassSource): void {
  if (pc.globalDefault !== true) return;
  const other = source.all().find((c) => c.globalDefault === true && c.metadata.name !== pc.metadata.name);
  if (other) throw forbidden('priorityclasses.scheduling.k8s.io', pc.metadata.name ?? '', `PriorityClass ${other.metadata.name} is already marked as default. Only one default can exist`);
}

// The RuntimeClass admission plugin, on pod creation: a pod naming a RuntimeClass that does not
// exist is refused; one whose class has an overhead gets it as spec.overhead (and may only
// carry an overhead that equals it); the class's scheduling is merged in (its node selector,
// refusing a conflicting value, and its tolerations).
import { admissionName, StatusError } from '../../api/status.js';
import { mergeTolerations } from '../../api/tolerations.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Pod, Toleration } from '../../api/types/pod.js';
import { parseQuantity } from '../../api/quantity.js';

/** A RuntimeClass by name (from the watch cache), or undefined. */
export type RuntimeClassLookup = (name: string) => KubeObject | undefined;

interface RuntimeClass extends KubeObject {
  overhead?: { podFixed?: Record<string, string> };
  scheduling?: { nodeSelector?: Record<string, string>; tolerations?: Toleration[] };
}

type PodSpecWithOverhead = Pod['spec'] & { runtimeClassName?: string | null; overhead?: Record<string, string> | null };

/** Same resources with the same amounts ("100m" and "0.1" are one amount). */
function sameResources(a: Record<string, string> | null | undefined, b: Record<string, string>): boolean {
  if (!a) return false;
  const keys = Object.keys(b);
  return Object.keys(a).length === keys.length && keys.every((k) => Object.hasOwn(a, k) && parseQuantity(String(a[k])) === parseQuantity(String(b[k])));
}

function forbidden(pod: Pod, message: string): StatusError {
  const name = admissionName(pod.metadata);
  return new StatusError(403, 'Forbidden', `pods "${name}" is forbidden: ${message}`, { name, kind: 'pods' });
}

function classOf(pod: Pod, lookup: RuntimeClassLookup): RuntimeClass | undefined {
  const name = (pod.spec as PodSpecWithOverhead).runtimeClassName;
  if (!name) return undefined;
  const rc = lookup(name) as RuntimeClass | undefined;
  if (!rc) throw forbidden(pod, `pod rejected: RuntimeClass "${name}" not found`);
  return rc;
}

/** Sets the class's overhead and scheduling on a pod being created (before mutating webhooks). */
export function admitPodRuntimeClass(pod: Pod, lookup: RuntimeClassLookup): void {
  const rc = classOf(pod, lookup);
  if (!rc) return;
  const spec = pod.spec as PodSpecWithOverhead;
  const fixed = rc.overhead?.podFixed;
  if (fixed) {
    if (spec.overhead && !sameResources(spec.overhead, fixed)) throw forbidden(pod, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
    spec.overhead = { ...fixed };
  }
  const scheduling = rc.scheduling;
  if (!scheduling) return;
  if (scheduling.nodeSelector) {
    const selector = { ...(spec.nodeSelector ?? {}) };
    for (const [k, v] of Object.entries(scheduling.nodeSelector)) {
      if (Object.hasOwn(selector, k) && selector[k] !== v) {
        throw forbidden(pod, `conflict: runtimeClass.scheduling.nodeSelector[${k}] = ${v}; pod.spec.nodeSelector[${k}] = ${selector[k]}`);
      }
      selector[k] = v;
    }
    spec.nodeSelector = selector;
  }
  if (scheduling.tolerations?.length) spec.tolerations = mergeTolerations(spec.tolerations ?? [], scheduling.tolerations);
}

/** After mutating webhooks: a pod's overhead is its class's, or there is none. */
export function validatePodRuntimeClass(pod: Pod, lookup: RuntimeClassLookup): void {
  const rc = classOf(pod, lookup);
  const spec = pod.spec as PodSpecWithOverhead;
  const fixed = rc?.overhead?.podFixed;
  if (fixed) {
    if (!sameResources(spec.overhead, fixed)) throw forbidden(pod, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
  } else if (spec.overhead) {
    throw forbidden(pod, 'pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
  }
}

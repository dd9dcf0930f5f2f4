// Which pods count as a pod's siblings when it is spread by default topology constraints
// (kube-scheduler's DefaultSelector): those matching the selectors of the Services that select
// it, and of its controller when that is a ReplicationController, ReplicaSet or StatefulSet.
// A pod none of these select is not spread by default.
import type { Requirement, Selector } from '../api/labels.js';
import { matches, selectorOrNothing } from '../api/labels.js';
import type { LabelSelector } from '../api/types/meta.js';
import type { Pod } from '../api/types/pod.js';

/** What the scheduler's informers know of the objects that select pods. */
export interface SelectorSources {
  /** The selectors (spec.selector) of the Services in a namespace. */
  serviceSelectors(namespace: string): Iterable<Record<string, string> | undefined>;
  /** A controller's selector by kind and name: a map (ReplicationController) or a LabelSelector (ReplicaSet, StatefulSet); undefined if unknown. */
  controllerSelector(kind: 'ReplicationController' | 'ReplicaSet' | 'StatefulSet', namespace: string, name: string): Record<string, string> | LabelSelector | undefined;
}

const CONTROLLERS: Record<string, 'ReplicationController' | 'ReplicaSet' | 'StatefulSet'> = {
  'v1/ReplicationController': 'ReplicationController',
  'apps/v1/ReplicaSet': 'ReplicaSet',
  'apps/v1/StatefulSet': 'StatefulSet',
};

const equals = (set: Record<string, string>): Requirement[] => Object.entries(set).map(([key, value]) => ({ key, operator: '=' as const, values: [value] }));

/** The pod's default selector, or null when nothing selects it (no default spreading then). */
export function defaultSelector(pod: Pod, sources: SelectorSources): Selector {
  const namespace = pod.metadata.namespace ?? '';
  const labels = pod.metadata.labels ?? {};
  // A Service with no selector matches every pod (and adds nothing), as Kubernetes reads it.
  const merged: Record<string, string> = {};
  for (const selector of sources.serviceSelectors(namespace)) {
    const set = selector ?? {};
    if (matches(equals(set), labels)) Object.assign(merged, set);
  }
  const requirements = equals(merged);
  const owner = pod.metadata.ownerReferences?.find((r) => r.controller);
  const kind = owner ? CONTROLLERS[`${owner.apiVersion}/${owner.kind}`] : undefined;
  const own = kind ? sources.controllerSelector(kind, namespace, owner!.name) : undefined;
  if (own && kind === 'ReplicationController') {
    Object.assign(merged, own as Record<string, string>);
    return nonEmpty(equals(merged));
  }
  if (own) {
    const extra = selectorOrNothing(own as LabelSelector);
    if (extra) requirements.push(...extra);
  }
  return nonEmpty(requirements);
}

const nonEmpty = (r: Requirement[]): Selector => (r.length ? r : null);

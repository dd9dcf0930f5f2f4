// What a Service's endpoints are made of, shared by the Endpoints and EndpointSlice
// controllers: the pods its selector picks, whether each counts as ready, and its ports with
// named target ports resolved against each pod's container ports (pure); and the informer
// wiring by which both hear of every pod change that touches a Service.
import { fromLabelSelector, matches } from '../../api/labels.js';
import { isSidecar } from '../../api/pod-resources.js';
import type { Service } from '../../api/types/core.js';
import type { Pod } from '../../api/types/pod.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Informer } from '../../client/informer.js';
import { isReady } from './pod-util.js';
import { isPodFinished } from '../../api/conditions.js';

export interface ResolvedPort {
  name?: string;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  appProtocol?: string;
}

export interface ServiceEndpoint {
  pod: Pod;
  ip: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  ports: ResolvedPort[];
}

export function selectsPods(svc: Service): boolean {
  const sel = svc.spec?.selector;
  return svc.spec?.type !== 'ExternalName' && !!sel && Object.keys(sel).length > 0;
}

export function podSelected(svc: Service, pod: Pod): boolean {
  return selectsPods(svc) && matches(fromLabelSelector({ matchLabels: svc.spec?.selector }), pod.metadata.labels);
}

/** The service's ports as this pod serves them; a named targetPort the pod lacks drops that port. */
export function resolvePorts(svc: Service, pod: Pod): ResolvedPort[] {
  const out: ResolvedPort[] = [];
  for (const p of svc.spec?.ports ?? []) {
    let port: number | undefined;
    const target = p.targetPort ?? p.port;
    if (typeof target === 'number' || /^\d+$/.test(String(target))) port = Number(target);
    else {
      // The first container that names it: the regular ones, then the sidecars (which serve beside them).
      const serving = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? []).filter(isSidecar)];
      for (const c of serving) {
        const found = (c.ports ?? []).find((cp) => cp.name === target && (cp.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
        if (found) {
          port = found.containerPort;
          break;
        }
      }
    }
    if (port === undefined) continue;
    out.push({ ...(p.name ? { name: p.name } : {}), port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) });
  }
  return out;
}

/** The endpoints of a service among `pods` (all pods of its namespace). */
export function serviceEndpoints(svc: Service, pods: Pod[]): ServiceEndpoint[] {
  if (!selectsPods(svc)) return [];
  const publishNotReady = !!svc.spec?.publishNotReadyAddresses;
  const out: ServiceEndpoint[] = [];
  for (const pod of pods) {
    if (!podSelected(svc, pod)) continue;
    if (isPodFinished(pod)) continue;
    const ip = pod.status?.podIP;
    if (!ip) continue;
    const terminating = !!pod.metadata.deletionTimestamp;
    const serving = isReady(pod);
    out.push({ pod, ip, ready: publishNotReady || (serving && !terminating), serving: publishNotReady || serving, terminating, ports: resolvePorts(svc, pod) });
  }
  return out.sort((a, b) => a.ip.localeCompare(b.ip, undefined, { numeric: true }) || (a.pod.metadata.name ?? '').localeCompare(b.pod.metadata.name ?? ''));
}

export function targetRef(pod: Pod) {
  return { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
}

export const portsKey = (ports: Array<{ name?: string }>) => JSON.stringify([...ports].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')));

/** Enqueues the services selecting a pod before and after a change. */
export function watchServicePods(services: Informer<Service>, pods: Informer<Pod>, enqueue: (svc: Service) => void): void {
  services.addIndexer('namespace', (s) => [s.metadata.namespace ?? '']);
  pods.addIndexer('namespace', (p) => [p.metadata.namespace ?? '']);
  const touched = (...ps: Pod[]) => {
    for (const p of ps) for (const svc of services.byIndex('namespace', p.metadata.namespace ?? '')) if (podSelected(svc, p)) enqueue(svc);
  };
  pods.addHandler({ add: (p) => touched(p), update: (old, p) => touched(old, p), delete: (p) => touched(p) });
  services.addHandler({ add: enqueue, update: (_o, s) => enqueue(s), delete: enqueue });
}

/** EndpointSlice labels: the Service a slice serves, and the controller that writes it. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';

/** The <namespace>/<service> of a slice `controller` manages; undefined for anyone else's. */
export function managedSliceKey(slice: KubeObject, controller: string): string | undefined {
  const labels = slice.metadata.labels;
  return labels?.[MANAGED_BY_LABEL] === controller && labels[SERVICE_NAME_LABEL] ? `${slice.metadata.namespace}/${labels[SERVICE_NAME_LABEL]}` : undefined;
}

/**
 * Indexes the slices `controller` manages by their <namespace>/<service> and hands that key to
 * `changed` when one is changed or deleted by someone else (so it is put back); answers the
 * lookup of a service's slices.
 */
export function trackManagedSlices<S extends KubeObject>(slices: Informer<S>, controller: string, changed: (key: string) => void): (key: string) => S[] {
  const index = `managed-by:${controller}`;
  slices.addIndexer(index, (s) => {
    const key = managedSliceKey(s, controller);
    return key ? [key] : [];
  });
  const sliceChanged = (s: S) => {
    const key = managedSliceKey(s, controller);
    if (key) changed(key);
  };
  slices.addHandler({ update: (_o, s) => sliceChanged(s), delete: sliceChanged });
  return (key) => slices.byIndex(index, key);
}

// What a pod asks of a node as a whole, from its containers' requests or limits, as Kubernetes'
// resource helpers add them up. Regular containers run together (summed); classic init containers
// run one at a time, before them (the largest counts); sidecars (init containers with
// restartPolicy Always) start in order and keep running, so each counts from its start on: beside
// every init container after it, and beside the regular containers. The scheduler, the kubelet's
// admission and resource quota all read this one rule.
import { parseQuantity } from './quantity.js';
import type { Container } from './types/pod.js';

/** Whether an init container is a sidecar: it is restarted whenever it exits and runs beside the regular containers. */
export function isSidecar(c: { restartPolicy?: unknown } | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

/**
 * Whether a resource is counted by name beside cpu, memory, ephemeral-storage and pods, as
 * Kubernetes' IsScalarResourceName: extended and prefixed native resources (a name with a
 * domain, example.com/gpu), hugepages-*, attachable-volumes-*. The scheduler and the kubelet's
 * admission both ask.
 */
export function isScalarResource(name: string): boolean {
  return name.includes('/') || name.startsWith('hugepages-') || name.startsWith('attachable-volumes-');
}

/**
 * Whether a resource is an extended one (example.com/dongle), as Kubernetes' IsExtendedResourceName:
 * a name with a domain other than kubernetes.io, not a quota's `requests.` name. A node
 * advertises one by its status's capacity (a device plugin, or a PATCH), and its kubelet offers
 * all of it as allocatable.
 */
export function isExtendedResource(name: string): boolean {
  return name.includes('/') && !name.includes('kubernetes.io/') && !name.startsWith('requests.');
}

type Amounts = Map<string, number>;

function add(into: Amounts, from: Amounts): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}

function max(into: Amounts, from: Amounts): void {
  for (const [k, v] of from) into.set(k, Math.max(into.get(k) ?? 0, v));
}

/**
 * The pod's aggregate of `amountsOf` over its containers (no overhead): the regular containers
 * and every sidecar summed, or, where more, what the busiest moment of initialization needs (an
 * init container plus the sidecars started before it; a sidecar plus those before it).
 */
export function aggregateContainers<C extends Pick<Container, 'restartPolicy'>>(
  spec: { containers?: C[]; initContainers?: C[] } | undefined,
  amountsOf: (c: C) => Amounts,
): Amounts {
  const total: Amounts = new Map();
  for (const c of Array.isArray(spec?.containers) ? spec.containers : []) add(total, amountsOf(c));
  const sidecars: Amounts = new Map();
  const initPeak: Amounts = new Map();
  for (const c of Array.isArray(spec?.initContainers) ? spec.initContainers : []) {
    const own = amountsOf(c);
    if (isSidecar(c)) {
      add(sidecars, own);
      max(initPeak, sidecars);
    } else {
      const during = new Map(sidecars);
      add(during, own);
      max(initPeak, during);
    }
  }
  add(total, sidecars);
  max(total, initPeak);
  return total;
}

type WithResources = { restartPolicy?: string; resources?: { requests?: Record<string, string>; limits?: Record<string, string> } };

/**
 * A pod's aggregate of its containers' requests or limits, by resource name (no overhead);
 * `each` sees every quantity as written (its format, say).
 */
export function podResourceTotals(
  spec: { containers?: WithResources[]; initContainers?: WithResources[] } | undefined,
  which: 'requests' | 'limits',
  each?: (name: string, quantity: string) => void,
): Amounts {
  return aggregateContainers(spec, (c) => {
    const amounts: Amounts = new Map();
    const listed = c?.resources?.[which];
    for (const [k, v] of Object.entries(listed && typeof listed === 'object' ? listed : {})) {
      amounts.set(k, parseQuantity(v) ?? 0);
      each?.(k, v);
    }
    return amounts;
  });
}

// The LimitRanger admission plugin: a namespace's LimitRanges give the containers of a new pod
// the default requests and limits they leave out (and say so in the pod's
// kubernetes.io/limit-ranger annotation), then bound each container's, each pod's and each
// claim's resources by the ranges' min, max and maxLimitRequestRatio, refusing what falls
// outside with Kubernetes' messages (403).
import { podResourceTotals } from '../../api/pod-resources.js';
import { formatQuantity, isBinaryQuantity, parseQuantity } from '../../api/quantity.js';
import { admissionName, forbidden } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';

type Resources = Record<string, string>;
interface Requirements {
  requests?: Resources;
  limits?: Resources;
}
interface LimitItem {
  type?: string;
  min?: Resources;
  max?: Resources;
  default?: Resources;
  defaultRequest?: Resources;
  maxLimitRequestRatio?: Resources;
}

const ANNOTATION = 'kubernetes.io/limit-ranger';

const itemsOf = (ranges: KubeObject[], type: string): LimitItem[] =>
  ranges.flatMap((r) => (Array.isArray(r.spec?.limits) ? (r.spec.limits as LimitItem[]) : [])).filter((i) => i && i.type === type);

/** Containers of a pod, init containers included. */
function containersOf(pod: KubeObject): Array<{ name?: string; resources?: Requirements }> {
  const spec = pod.spec as Record<string, unknown> | undefined;
  return [...((spec?.initContainers as []) ?? []), ...((spec?.containers as []) ?? [])].filter((c) => c && typeof c === 'object');
}

/** Fills in the Container items' defaults a new pod's containers leave out, and records what was set. */
export function applyContainerDefaults(pod: KubeObject, ranges: KubeObject[]): void {
  const items = itemsOf(ranges, 'Container');
  if (!items.length) return;
  const defaults: Requirements = { requests: {}, limits: {} };
  for (const i of items) {
    Object.assign(defaults.requests!, i.defaultRequest ?? {});
    Object.assign(defaults.limits!, i.default ?? {});
  }
  const notes: string[] = [];
  const spec = pod.spec as Record<string, unknown> | undefined;
  for (const [list, what] of [[spec?.initContainers, 'init container'], [spec?.containers, 'container']] as const) {
    for (const c of (Array.isArray(list) ? list : []) as Array<{ name?: string; resources?: Requirements }>) {
      if (!c || typeof c !== 'object') continue;
      const res = (c.resources ??= {});
      const setLimits = Object.keys(defaults.limits!).filter((k) => !(res.limits && k in res.limits)).sort();
      const setRequests = Object.keys(defaults.requests!).filter((k) => !(res.requests && k in res.requests)).sort();
      if (setLimits.length) res.limits = { ...(res.limits ?? {}), ...Object.fromEntries(setLimits.map((k) => [k, defaults.limits![k]!])) };
      if (setRequests.length) res.requests = { ...(res.requests ?? {}), ...Object.fromEntries(setRequests.map((k) => [k, defaults.requests![k]!])) };
      if (setRequests.length) notes.push(`${setRequests.join(', ')} request for ${what} ${c.name}`);
      if (setLimits.length) notes.push(`${setLimits.join(', ')} limit for ${what} ${c.name}`);
    }
  }
  if (notes.length) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` };
}

/** A quantity in thousandths, for exact comparisons. */
const milli = (q: string | undefined): number | undefined => {
  const v = parseQuantity(q);
  return v === undefined ? undefined : Math.round(v * 1000);
};

function checkBounds(kind: string, item: LimitItem, requests: Resources, limits: Resources, errors: string[]): void {
  for (const [r, enforced] of Object.entries(item.min ?? {})) {
    const req = milli(requests[r]);
    const lim = milli(limits[r]);
    const e = milli(enforced)!;
    if (req === undefined) errors.push(`minimum ${r} usage per ${kind} is ${enforced}.  No request is specified`);
    else if (req < e) errors.push(`minimum ${r} usage per ${kind} is ${enforced}, but request is ${requests[r]}`);
    else if (lim !== undefined && lim < e) errors.push(`minimum ${r} usage per ${kind} is ${enforced}, but limit is ${limits[r]}`);
  }
  for (const [r, enforced] of Object.entries(item.max ?? {})) {
    const req = milli(requests[r]);
    const lim = milli(limits[r]);
    const e = milli(enforced)!;
    if (lim === undefined) errors.push(`maximum ${r} usage per ${kind} is ${enforced}.  No limit is specified`);
    else if (lim > e) errors.push(`maximum ${r} usage per ${kind} is ${enforced}, but limit is ${limits[r]}`);
    else if (req !== undefined && req > e) errors.push(`maximum ${r} usage per ${kind} is ${enforced}, but request is ${requests[r]}`);
  }
  for (const [r, enforced] of Object.entries(item.maxLimitRequestRatio ?? {})) {
    const req = milli(requests[r]);
    const lim = milli(limits[r]);
    if (!req) errors.push(`${r} max limit to request ratio per ${kind} is ${enforced}, but no request is specified or request is 0`);
    else if (!lim) errors.push(`${r} max limit to request ratio per ${kind} is ${enforced}, but no limit is specified or limit is 0`);
    else if (lim / req > (parseQuantity(enforced) ?? Infinity)) errors.push(`${r} max limit to request ratio per ${kind} is ${enforced}, but provided ratio is ${(lim / req).toFixed(6)}`);
  }
}

/** A pod's total: its containers' aggregate (api/pod-resources.ts: sidecars count from their start). */
function podTotal(pod: KubeObject, which: 'requests' | 'limits'): Resources {
  const binary = new Set<string>();
  const sum = podResourceTotals(pod.spec as Parameters<typeof podResourceTotals>[0], which, (k, v) => {
    if (isBinaryQuantity(v)) binary.add(k);
  });
  return Object.fromEntries([...sum].map(([k, v]) => [k, formatQuantity(v, binary.has(k))]));
}

/** Refuses (403) a pod or claim outside its namespace's ranges, listing every breach as Kubernetes does. */
export function checkLimitRanges(kind: 'Pod' | 'PersistentVolumeClaim', obj: KubeObject, ranges: KubeObject[]): void {
  const errors: string[] = [];
  if (kind === 'Pod') {
    for (const item of itemsOf(ranges, 'Container')) {
      for (const c of containersOf(obj)) checkBounds('Container', item, c.resources?.requests ?? {}, c.resources?.limits ?? {}, errors);
    }
    for (const item of itemsOf(ranges, 'Pod')) checkBounds('Pod', item, podTotal(obj, 'requests'), podTotal(obj, 'limits'), errors);
  } else {
    // A claim's request is all it asks for: the min bounds it as a request, the max as a limit.
    const requests = (((obj.spec as Record<string, unknown> | undefined)?.resources ?? {}) as Requirements).requests ?? {};
    for (const item of itemsOf(ranges, 'PersistentVolumeClaim')) {
      checkBounds('PersistentVolumeClaim', { min: item.min }, requests, {}, errors);
      checkBounds('PersistentVolumeClaim', { max: item.max }, {}, requests, errors);
    }
  }
  if (!errors.length) return;
  const message = errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
  throw forbidden(kind === 'Pod' ? 'pods' : 'persistentvolumeclaims', '', admissionName(obj.metadata), message);
}

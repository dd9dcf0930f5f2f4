// Resource quota accounting, as Kubernetes' quota evaluators count: what one object uses of a
// namespace's ResourceQuotas (object counts, pods' compute requests and limits, claims'
// storage, services' node ports and load balancers), which quotas an object falls under
// (their scopes), and how usage is written. The apiserver's ResourceQuota admission charges a
// write against it; the controller-manager's resourcequota controller recounts it.
import { formatQuantity, parseQuantity } from './quantity.js';
import { podResourceTotals } from './pod-resources.js';
import type { KubeObject } from './types/meta.js';

/** Usage in base units (cores, bytes, counts), by quota resource name. */
export type Usage = Map<string, number>;

/** The legacy names Kubernetes counts objects of the core group under, besides count/<plural>. */
const LEGACY_COUNTS: Record<string, string> = {
  pods: 'pods',
  services: 'services',
  configmaps: 'configmaps',
  secrets: 'secrets',
  persistentvolumeclaims: 'persistentvolumeclaims',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

/** The count/<resource> name of a resource: count/pods, count/deployments.apps. */
export function countName(group: string, plural: string): string {
  return group ? `count/${plural}.${group}` : `count/${plural}`;
}

/** Whether a pod still uses its quota: not finished and not being deleted. */
export function podCountsAgainstQuota(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

type Container = { name?: string; restartPolicy?: string; resources?: { requests?: Record<string, string>; limits?: Record<string, string> } };

function containers(pod: KubeObject): { regular: Container[]; init: Container[] } {
  const spec = (pod.spec ?? {}) as { containers?: Container[]; initContainers?: Container[] };
  return { regular: Array.isArray(spec.containers) ? spec.containers : [], init: Array.isArray(spec.initContainers) ? spec.initContainers : [] };
}

/**
 * A pod's requests or limits: its containers' aggregate (api/pod-resources.ts: the sum, or the
 * busiest moment of initialization when more; sidecars count from their start), plus its overhead (RuntimeClass): on every request, and on the limits it has.
 */
function podResources(pod: KubeObject, which: 'requests' | 'limits'): Map<string, number> {
  const { regular, init } = containers(pod);
  const out = podResourceTotals({ containers: regular, initContainers: init }, which);
  const overhead = (pod.spec as { overhead?: Record<string, string> } | undefined)?.overhead;
  for (const [k, v] of Object.entries(overhead && typeof overhead === 'object' ? overhead : {})) {
    if (which === 'requests' || out.has(k)) out.set(k, (out.get(k) ?? 0) + (parseQuantity(String(v)) ?? 0));
  }
  return out;
}

/** BestEffort: no container asks for or is limited in any resource. */
export function isBestEffort(pod: KubeObject): boolean {
  const { regular, init } = containers(pod);
  return [...regular, ...init].every((c) => !Object.keys(c?.resources?.requests ?? {}).length && !Object.keys(c?.resources?.limits ?? {}).length);
}

/** What one object uses, by quota resource name. */
export function usageOf(group: string, plural: string, obj: KubeObject): Usage {
  const u: Usage = new Map();
  if (group === '' && plural === 'pods' && !podCountsAgainstQuota(obj)) return u;
  u.set(countName(group, plural), 1);
  if (group === '' && LEGACY_COUNTS[plural]) u.set(LEGACY_COUNTS[plural]!, 1);
  if (group === '' && plural === 'pods') {
    for (const [k, v] of podResources(obj, 'requests')) {
      u.set(`requests.${k}`, v);
      if (k === 'cpu' || k === 'memory' || k === 'ephemeral-storage') u.set(k, v);
    }
    for (const [k, v] of podResources(obj, 'limits')) u.set(`limits.${k}`, v);
  } else if (group === '' && plural === 'persistentvolumeclaims') {
    const requested = parseQuantity((obj.spec as { resources?: { requests?: Record<string, string> } } | undefined)?.resources?.requests?.storage) ?? 0;
    // What is being (or was) allocated counts while it exceeds the request: a request lowered
    // to undo an expansion frees quota only once the volume is no larger.
    const allocated = parseQuantity((obj.status as { allocatedResources?: Record<string, string> } | undefined)?.allocatedResources?.storage) ?? 0;
    const storage = Math.max(requested, allocated);
    u.set('requests.storage', storage);
    const cls = (obj.spec as { storageClassName?: string } | undefined)?.storageClassName;
    if (cls) {
      u.set(`${cls}.storageclass.storage.k8s.io/requests.storage`, storage);
      u.set(`${cls}.storageclass.storage.k8s.io/persistentvolumeclaims`, 1);
    }
  } else if (group === '' && plural === 'services') {
    const spec = (obj.spec ?? {}) as { type?: string; ports?: unknown[] };
    const ports = Array.isArray(spec.ports) ? spec.ports.length : 0;
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') u.set('services.nodeports', ports);
    if (spec.type === 'LoadBalancer') u.set('services.loadbalancers', 1);
  }
  return u;
}

/** The compute resources a quota makes every container name explicitly. */
const MUST_SPECIFY = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

/** "must specify limits.cpu for: a; requests.memory for: a,b", or nothing when the pod names all the quota needs. */
export function missingComputeResources(pod: KubeObject, hard: Record<string, string>): string | undefined {
  const missing = new Map<string, Set<string>>();
  const { regular, init } = containers(pod);
  for (const r of MUST_SPECIFY.filter((r) => r in hard).sort()) {
    const [which, name] = r.includes('.') ? (r.split('.') as ['requests' | 'limits', string]) : (['requests', r] as const);
    for (const c of [...regular, ...init]) {
      if (c?.resources?.[which]?.[name] === undefined) (missing.get(r) ?? missing.set(r, new Set()).get(r)!).add(c?.name ?? '');
    }
  }
  if (!missing.size) return undefined;
  return `must specify ${[...missing].map(([r, names]) => `${r} for: ${[...names].sort().join(',')}`).join('; ')}`;
}

interface ScopeRequirement {
  scopeName: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** The scopes a quota restricts itself to, spec.scopes and spec.scopeSelector together. */
function scopesOf(quota: KubeObject): ScopeRequirement[] {
  const spec = (quota.spec ?? {}) as { scopes?: string[]; scopeSelector?: { matchExpressions?: ScopeRequirement[] } };
  return [...(spec.scopes ?? []).map((s) => ({ scopeName: s, operator: 'Exists' as const })), ...(spec.scopeSelector?.matchExpressions ?? [])];
}

/** Whether a pod falls in one scope requirement. */
function podInScope(pod: KubeObject, s: ScopeRequirement): boolean {
  const terminating = typeof (pod.spec as { activeDeadlineSeconds?: number } | undefined)?.activeDeadlineSeconds === 'number';
  let inScope: boolean;
  switch (s.scopeName) {
    case 'Terminating':
      inScope = terminating;
      break;
    case 'NotTerminating':
      inScope = !terminating;
      break;
    case 'BestEffort':
      inScope = isBestEffort(pod);
      break;
    case 'NotBestEffort':
      inScope = !isBestEffort(pod);
      break;
    case 'PriorityClass': {
      const pc = (pod.spec as { priorityClassName?: string } | undefined)?.priorityClassName ?? '';
      if (s.operator === 'Exists') return pc !== '';
      if (s.operator === 'DoesNotExist') return pc === '';
      const listed = (s.values ?? []).includes(pc);
      return s.operator === 'In' ? listed : !listed;
    }
    default:
      return false;
  }
  return s.operator === 'DoesNotExist' ? !inScope : inScope;
}

/** Whether an object of this resource falls under the quota: a scoped quota counts pods only, those in every scope. */
export function quotaApplies(quota: KubeObject, group: string, plural: string, obj: KubeObject): boolean {
  const scopes = scopesOf(quota);
  if (!scopes.length) return true;
  if (group !== '' || plural !== 'pods') return false;
  return scopes.every((s) => podInScope(obj, s));
}

/** The quota's limits, by resource name, in base units. */
export function hardOf(quota: KubeObject): Record<string, string> {
  return ((quota.spec as { hard?: Record<string, string> } | undefined)?.hard ?? {}) as Record<string, string>;
}

const CPU_LIKE = (name: string) => name === 'cpu' || name.endsWith('.cpu');
const BYTES_LIKE = (name: string) => /(^|\.|\/)(memory|storage|ephemeral-storage)$/.test(name) || name.endsWith('requests.storage');

/** A usage written as Kubernetes writes it: millicores for CPU, binary suffixes for bytes, counts as they are. */
export function formatUsage(name: string, value: number): string {
  return formatQuantity(value, !CPU_LIKE(name) && BYTES_LIKE(name));
}

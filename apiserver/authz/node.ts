// The Node authorizer and NodeRestriction: a kubelet (system:node:<name> in system:nodes) may
// do what Kubernetes' node rules allow, but reach Secrets, ConfigMaps, PersistentVolumeClaims
// and PersistentVolumes only when a pod bound to its node uses them, request tokens only for
// service accounts of its pods, and write only its own Node, its own Lease and the status of
// its own pods.
import { deepEqual } from '../../api/codec/values.js';
import { StatusError } from '../../api/status.js';
import type { Pod, Volume } from '../../api/types/pod.js';
import { claimNameOf } from '../../api/pod-claims.js';
import type { UserInfo } from '../../component-base/authn/user.js';
import type { Authorizer, Decision } from './authorizer.js';
import { BOOTSTRAP_CLUSTER_ROLES } from './bootstrap-policy.js';
import { ruleAllows, type PolicyRule } from './rbac.js';
import type { RequestAttributes, ResourceAttributes } from './request-info.js';

export const NODES_GROUP = 'system:nodes';
const NODE_PREFIX = 'system:node:';

/** The node a user is, if it is one. */
export function nodeName(user: UserInfo): string | undefined {
  return user.groups.includes(NODES_GROUP) && user.name.startsWith(NODE_PREFIX) ? user.name.slice(NODE_PREFIX.length) : undefined;
}

/** What the node authorizer reads: pods by node, and a PVC's volume. */
export interface NodeGraphSource {
  podsOnNode(node: string): Pod[];
  pod(namespace: string, name: string): Pod | undefined;
  pvcVolume(namespace: string, claim: string): string | undefined;
}

const GRAPH_RESOURCES = new Set(['secrets', 'configmaps', 'persistentvolumeclaims', 'persistentvolumes']);
const NODE_RULES: PolicyRule[] = BOOTSTRAP_CLUSTER_ROLES.find((r) => r.name === 'system:node')!.rules.filter(
  (r) => !(r.resources ?? []).some((x) => GRAPH_RESOURCES.has(x) || x === 'serviceaccounts/token'),
);

/** Names a pod uses, by resource. */
export function podReferences(pod: Pod): Record<'secrets' | 'configmaps' | 'persistentvolumeclaims' | 'serviceaccounts', Set<string>> {
  const refs = { secrets: new Set<string>(), configmaps: new Set<string>(), persistentvolumeclaims: new Set<string>(), serviceaccounts: new Set<string>() };
  const spec = pod.spec as Pod['spec'] & Record<string, any>;
  refs.serviceaccounts.add(spec.serviceAccountName || 'default');
  for (const s of spec.imagePullSecrets ?? []) if (s?.name) refs.secrets.add(s.name);
  for (const v of (spec.volumes ?? []) as Array<Record<string, any>>) {
    if (v.secret?.secretName) refs.secrets.add(v.secret.secretName);
    if (v.configMap?.name) refs.configmaps.add(v.configMap.name);
    // A generic ephemeral volume's claim is <pod>-<volume>.
    const claim = v && typeof v === 'object' ? claimNameOf(pod, v as Volume) : undefined;
    if (claim) refs.persistentvolumeclaims.add(claim);
    for (const src of v.projected?.sources ?? []) {
      if (src?.secret?.name) refs.secrets.add(src.secret.name);
      if (src?.configMap?.name) refs.configmaps.add(src.configMap.name);
    }
  }
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.secretKeyRef?.name) refs.secrets.add(e.valueFrom.secretKeyRef.name);
      if (e.valueFrom?.configMapKeyRef?.name) refs.configmaps.add(e.valueFrom.configMapKeyRef.name);
    }
    for (const e of c.envFrom ?? []) {
      if (e.secretRef?.name) refs.secrets.add(e.secretRef.name);
      if (e.configMapRef?.name) refs.configmaps.add(e.configMapRef.name);
    }
  }
  return refs;
}

export class NodeAuthorizer implements Authorizer {
  constructor(private readonly graph: NodeGraphSource) {}

  private related(node: string, a: ResourceAttributes): boolean {
    const pods = this.graph.podsOnNode(node).filter((p) => p.metadata.namespace === a.namespace || a.resource === 'persistentvolumes');
    if (a.resource === 'persistentvolumes') {
      return pods.some((p) => [...podReferences(p).persistentvolumeclaims].some((c) => this.graph.pvcVolume(p.metadata.namespace!, c) === a.name));
    }
    const key = a.resource === 'serviceaccounts' ? 'serviceaccounts' : (a.resource as 'secrets' | 'configmaps' | 'persistentvolumeclaims');
    return pods.some((p) => podReferences(p)[key].has(a.name));
  }

  authorize(user: UserInfo, attrs: RequestAttributes): Decision {
    const node = nodeName(user);
    if (!node) return { decision: 'no-opinion' };
    if (attrs.resourceRequest && attrs.apiGroup === '') {
      const tokenRequest = attrs.resource === 'serviceaccounts' && attrs.subresource === 'token';
      if (GRAPH_RESOURCES.has(attrs.resource) || tokenRequest) {
        // Only single objects, by name, and only what this node's pods use.
        if (tokenRequest ? attrs.verb !== 'create' : attrs.verb !== 'get') return { decision: 'no-opinion', reason: `can only ${tokenRequest ? 'create tokens' : 'get individual resources'}` };
        if (!attrs.name) return { decision: 'no-opinion', reason: 'can only get individual resources of this type' };
        return this.related(node, attrs) ? { decision: 'allow' } : { decision: 'no-opinion', reason: `no relationship found between node '${node}' and this object` };
      }
    }
    return NODE_RULES.some((r) => ruleAllows(r, attrs)) ? { decision: 'allow' } : { decision: 'no-opinion' };
  }
}

/** NodeRestriction: the writes a node may make only to its own objects. Throws 403. */
export function checkNodeRestriction(user: UserInfo, attrs: RequestAttributes, graph: NodeGraphSource): void {
  const node = nodeName(user);
  if (!node || !attrs.resourceRequest || attrs.apiGroup === undefined) return;
  const write = ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(attrs.verb);
  if (!write) return;
  const refuse = (what: string, why: string) => new StatusError(403, 'Forbidden', `${what} is forbidden: ${why}`, { name: attrs.name || undefined, group: attrs.apiGroup, kind: attrs.resource });
  if (attrs.apiGroup === '' && attrs.resource === 'nodes') {
    if (attrs.name && attrs.name !== node) throw refuse(`nodes "${attrs.name}"`, `node "${node}" is not allowed to modify node "${attrs.name}"`);
    if (!attrs.name && attrs.verb !== 'create') throw refuse('nodes', `node "${node}" is not allowed to modify other nodes`);
  }
  if (attrs.apiGroup === 'coordination.k8s.io' && attrs.resource === 'leases' && attrs.namespace === 'kube-node-lease' && attrs.name && attrs.name !== node) {
    throw refuse(`leases.coordination.k8s.io "${attrs.name}"`, 'can only access node lease with the same name as the requesting node');
  }
  if (attrs.apiGroup === 'storage.k8s.io' && attrs.resource === 'csinodes' && attrs.name && attrs.name !== node) {
    throw refuse(`csinodes.storage.k8s.io "${attrs.name}"`, `the node "${node}" is not allowed to modify CSINode "${attrs.name}"`);
  }
  if (attrs.apiGroup === '' && attrs.resource === 'pods') {
    if (attrs.verb === 'create' && !attrs.subresource) throw refuse('pods', `pod does not have "kubernetes.io/config.mirror" annotation, node "${node}" can only create mirror pods`);
    if (attrs.name && (attrs.subresource === 'status' || attrs.subresource === 'eviction' || (!attrs.subresource && attrs.verb === 'delete'))) {
      const pod = graph.pod(attrs.namespace, attrs.name);
      if (pod && pod.spec.nodeName !== node) {
        const doing = attrs.subresource === 'status' ? 'update pod status' : attrs.subresource === 'eviction' ? 'evict pods' : 'delete pods';
        throw refuse(`pods "${attrs.name}"`, `node "${node}" can only ${doing} with spec.nodeName set to itself`);
      }
    }
  }
}

/** Labels of kubernetes.io and k8s.io a kubelet may set on its own Node (Kubernetes' kubelet labels). */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
]);
/** Label domains (and their subdomains) a kubelet may set freely. */
const KUBELET_LABEL_DOMAINS = ['kubelet.kubernetes.io', 'node.kubernetes.io'];
const inDomain = (domain: string, of: string) => domain === of || domain.endsWith(`.${of}`);

/**
 * Of the label keys a node changes on its own Node, those it may not: node-restriction
 * labels (which let an administrator steer workloads to nodes a kubelet cannot claim to be)
 * and kubernetes.io / k8s.io labels that are not a kubelet's own.
 */
export function forbiddenNodeLabels(keys: Iterable<string>): string[] {
  const out: string[] = [];
  for (const key of keys) {
    const slash = key.indexOf('/');
    const domain = slash < 0 ? '' : key.slice(0, slash);
    if (inDomain(domain, 'node-restriction.kubernetes.io')) out.push(key);
    else if ((inDomain(domain, 'kubernetes.io') || inDomain(domain, 'k8s.io')) && !KUBELET_LABELS.has(key) && !KUBELET_LABEL_DOMAINS.some((d) => inDomain(domain, d))) out.push(key);
  }
  return out.sort();
}

type NodeObject = { metadata: { name?: string; labels?: Record<string, string> }; spec?: { taints?: unknown; configSource?: unknown } };

/**
 * NodeRestriction on a Node a node writes (a create, or an update from `old`): only its own,
 * never with a config source, never changing its taints (that would let it shed the ones that
 * keep workloads away), and only the labels a kubelet may set. Throws 403.
 */
export function checkNodeObject(user: UserInfo, obj: NodeObject, old: NodeObject | undefined): void {
  const node = nodeName(user);
  if (!node) return;
  const name = obj.metadata.name ?? '';
  const refuse = (why: string) => new StatusError(403, 'Forbidden', `nodes "${name}" is forbidden: ${why}`, { name, kind: 'nodes' });
  if (name !== node) throw refuse(`node "${node}" is not allowed to modify node "${name}"`);
  const labels = obj.metadata.labels ?? {};
  if (!old) {
    if (obj.spec?.configSource != null) throw refuse(`node "${node}" is not allowed to create pods with a non-nil configSource`);
    const forbidden = forbiddenNodeLabels(Object.keys(labels));
    if (forbidden.length) throw refuse(`node "${node}" is not allowed to set the following labels: ${forbidden.join(', ')}`);
    return;
  }
  if (obj.spec?.configSource != null && !deepEqual(obj.spec.configSource, old.spec?.configSource)) {
    throw refuse(`node "${node}" is not allowed to update configSource to a new non-nil configSource`);
  }
  if (!deepEqual(obj.spec?.taints ?? [], old.spec?.taints ?? [])) throw refuse(`node "${node}" is not allowed to modify taints`);
  const before = old.metadata.labels ?? {};
  const value = (o: Record<string, string>, k: string) => (Object.hasOwn(o, k) ? o[k] : undefined);
  const changed = new Set([...Object.keys(labels), ...Object.keys(before)].filter((k) => value(labels, k) !== value(before, k)));
  const forbidden = forbiddenNodeLabels(changed);
  if (forbidden.length) throw refuse(`is not allowed to modify labels: ${forbidden.join(', ')}`);
}

// v1 Pod: the unit the scheduler places and the kubelet runs. Status starts Pending with a
// QoS class, pods get the default node-failure tolerations, bound pods are deleted gracefully
// (the kubelet finishes the deletion), and an update may change little besides images.
import { clone, deepEqual } from '../../codec/values.js';
import { isPodFinished } from '../../conditions.js';
import { defaultPodSpec, setIfMissing } from '../../defaulting.js';
import { ageCol, col, nameCol, none, restartsText, summarizePod, wide } from '../../printers.js';
import { parseQuantity } from '../../quantity.js';
import { rfc3339 } from '../../time.js';
import { kind } from '../../schema/meta.js';
import { podSpec, podStatus } from '../../schema/pod.js';
import type { KubeObject, Unstructured } from '../../types/meta.js';
import { validatePodSpec } from '../../validation/pod-spec.js';
import { dns1123Subdomain } from '../../validation/names.js';
import { withStatus, type Strategy } from '../strategy.js';
import { ALL, fieldText, proxyOf, statusOf, type KindModule, type StrategyOptions } from '../kind.js';

type PodRestarts = ReturnType<typeof summarizePod>['restarts'];
/** Where the Restarts column's view keeps the counts (a symbol: no decoded object can carry it). */
const RESTARTS = Symbol('restarts');
const restartsOf = (o: KubeObject): PodRestarts => (o as KubeObject & { [RESTARTS]?: PodRestarts })[RESTARTS] ?? summarizePod(o).restarts;

export function qosClass(spec: Unstructured | undefined): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers: Unstructured[] = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  let anySet = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) anySet = true;
      const l = parseQuantity(lim[r]);
      const q = parseQuantity(req[r] ?? lim[r]);
      if (l === undefined || q === undefined || l !== q || l === 0) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/**
 * What Kubernetes' ServiceAccount and Priority admission plugins set on a created pod (the
 * account, the priority of the default class), set here whether or not those plugins run.
 * They are not defaults: a create's managedFields, recorded before admission, do not own them.
 */
const ADMITTED_SPEC_FIELDS = ['serviceAccountName', 'serviceAccount', 'priority', 'preemptionPolicy'] as const;

function setAdmittedFields(spec: Unstructured): void {
  setIfMissing(spec, 'serviceAccountName', 'default');
  if (!spec.serviceAccount) spec.serviceAccount = spec.serviceAccountName;
  setIfMissing(spec, 'priority', 0);
  setIfMissing(spec, 'preemptionPolicy', 'PreemptLowerPriority');
}

function addDefaultTolerations(spec: Unstructured, opts: StrategyOptions): void {
  const tolerations: Unstructured[] = (spec.tolerations ??= []);
  const covers = (key: string) =>
    tolerations.some((t) => (t.operator === 'Exists' && !t.key) || (t.key === key && (!t.effect || t.effect === 'NoExecute')));
  for (const [key, seconds] of [
    ['node.kubernetes.io/not-ready', opts.notReadyTolerationSeconds],
    ['node.kubernetes.io/unreachable', opts.unreachableTolerationSeconds],
  ] as const) {
    if (!covers(key)) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  }
}

function defaultPod(pod: KubeObject): void {
  const spec = pod.spec ?? (pod.spec = {});
  defaultPodSpec(spec);
  setIfMissing(spec, 'enableServiceLinks', true);
  // Requests default to limits when only limits are given.
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const limits = c.resources?.limits;
    if (limits) {
      c.resources.requests = { ...limits, ...(c.resources.requests ?? {}) };
    }
  }
}

/**
 * Pods may change only images, deadlines (shorter), tolerations (additions), the grace period
 * once set and scheduling gates (removals); a pod still gated may also narrow where it may run
 * (nodeSelector additions, required node affinity terms that only gain requirements).
 */
function validatePodUpdate(next: KubeObject, prev: KubeObject, errs: Parameters<NonNullable<KindModule['validateUpdate']>>[2]): void {
  const gated = Array.isArray(prev.spec?.schedulingGates) && prev.spec.schedulingGates.length > 0;
  const strip = (spec: Unstructured | undefined) => {
    const copy = clone(spec ?? {});
    for (const c of [...(copy.containers ?? []), ...(copy.initContainers ?? [])]) delete c.image;
    delete copy.activeDeadlineSeconds;
    delete copy.tolerations;
    delete copy.terminationGracePeriodSeconds;
    delete copy.schedulingGates;
    if (gated) {
      delete copy.nodeSelector;
      if (copy.affinity?.nodeAffinity) delete copy.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution;
    }
    return copy;
  };
  validateGateUpdate(next.spec ?? {}, prev.spec ?? {}, gated, errs);
  if (!deepEqual(strip(next.spec), strip(prev.spec))) {
    errs.forbidden(
      'spec',
      'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    );
  }
  // A deadline may be set or shortened, never lengthened or taken away.
  const deadline = next.spec?.activeDeadlineSeconds;
  const before = prev.spec?.activeDeadlineSeconds;
  if (typeof deadline === 'number') {
    if (typeof before === 'number' && deadline > before) errs.invalid('spec.activeDeadlineSeconds', deadline, 'must be less than or equal to previous value');
  } else if (typeof before === 'number') {
    errs.invalidShown('spec.activeDeadlineSeconds', '"null"', 'must not update from a positive integer to nil value');
  }
  const prevTolerations: Unstructured[] = prev.spec?.tolerations ?? [];
  const nextTolerations: Unstructured[] = next.spec?.tolerations ?? [];
  if (!prevTolerations.every((t) => nextTolerations.some((n) => deepEqual(n, t)))) {
    errs.forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds');
  }
}

/** Scheduling gates may only go; while gated, a pod's node selector and required node affinity may only narrow. */
function validateGateUpdate(next: Unstructured, prev: Unstructured, gated: boolean, errs: Parameters<NonNullable<KindModule['validateUpdate']>>[2]): void {
  const before = new Set(((prev.schedulingGates ?? []) as Unstructured[]).map((g) => g?.name));
  ((Array.isArray(next.schedulingGates) ? next.schedulingGates : []) as Unstructured[]).forEach((g, i) => {
    if (!before.has(g?.name)) errs.forbidden(`spec.schedulingGates[${i}].name`, `only deletion is allowed, but found new scheduling gate '${String(g?.name ?? '')}'`);
  });
  if (!gated) return;
  const oldSelector = (prev.nodeSelector ?? {}) as Record<string, string>;
  const newSelector = (next.nodeSelector ?? {}) as Record<string, string>;
  if (Object.entries(oldSelector).some(([k, v]) => newSelector[k] !== v)) {
    errs.invalid('spec.nodeSelector', newSelector, 'only additions to spec.nodeSelector are allowed (no mutations or deletions)');
  }
  const field = 'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms';
  const oldTerms = prev.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms as Unstructured[] | undefined;
  if (!oldTerms?.length) return;
  const newTerms = (next.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) as Unstructured[];
  if (newTerms.length !== oldTerms.length) return errs.invalid(field, newTerms, 'no additions/deletions to non-empty NodeSelectorTerms list are allowed');
  oldTerms.forEach((old, i) => {
    const term = newTerms[i] ?? {};
    const keeps = (kind: 'matchExpressions' | 'matchFields') => ((old?.[kind] ?? []) as unknown[]).every((r) => ((term[kind] ?? []) as unknown[]).some((n) => deepEqual(n, r)));
    if (!keeps('matchExpressions') || !keeps('matchFields')) errs.invalid(`${field}[${i}]`, term, 'only additions are allowed (no mutations or deletions)');
  });
}

/** Through pods/ephemeralcontainers: ephemeral containers may be added, never changed or removed. */
function validateEphemeralUpdate(next: KubeObject, prev: KubeObject, errs: Parameters<NonNullable<KindModule['validateUpdate']>>[2]): void {
  const now = new Map<string, unknown>(((next.spec?.ephemeralContainers ?? []) as Unstructured[]).map((c) => [c.name, c]));
  for (const before of (prev.spec?.ephemeralContainers ?? []) as Unstructured[]) {
    const after = now.get(before.name);
    if (after === undefined) errs.forbidden('spec.ephemeralContainers', `existing ephemeral containers "${before.name}" may not be removed`);
    else if (!deepEqual(after, before)) errs.forbidden('spec.ephemeralContainers', `existing ephemeral containers "${before.name}" may not be changed`);
  }
}

/**
 * A pod condition's times are always there, null when unset, as Kubernetes writes them (its
 * times are never omitted): a condition added by a strategic merge patch that left them out
 * reads like one added whole.
 */
function fillConditionTimes(status: Unstructured | undefined): void {
  const conditions = status?.conditions;
  if (!Array.isArray(conditions)) return;
  for (const c of conditions) {
    if (c === null || typeof c !== 'object' || Array.isArray(c)) continue;
    if (!Object.hasOwn(c, 'lastProbeTime')) c.lastProbeTime = null;
    if (!Object.hasOwn(c, 'lastTransitionTime')) c.lastTransitionTime = null;
  }
}

/** Pods' storage behaviour: Pending on create, default tolerations, graceful deletion once bound. */
function podStrategy(opts: StrategyOptions): Strategy {
  const base = withStatus();
  return {
    ...base,
    prepareForCreate(p: KubeObject) {
      p.metadata.generation = 1;
      p.status = { phase: 'Pending', qosClass: qosClass(p.spec) };
      // A pod made with scheduling gates says why it waits, as Kubernetes' pod strategy writes it.
      if (Array.isArray(p.spec?.schedulingGates) && p.spec.schedulingGates.length) {
        p.status.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates', lastProbeTime: null, lastTransitionTime: rfc3339() }];
      }
      setAdmittedFields(p.spec ?? (p.spec = {}));
      addDefaultTolerations(p.spec, opts);
    },
    prepareForUpdate(next: KubeObject, prev: KubeObject) {
      base.prepareForUpdate(next, prev);
      // A pod replaced from its own manifest keeps what admission gave it on create.
      const spec = next.spec ?? (next.spec = {});
      for (const f of ADMITTED_SPEC_FIELDS) if (spec[f] === undefined && prev.spec?.[f] !== undefined) spec[f] = prev.spec[f];
      // DefaultTolerationSeconds admits updates too: a pod replaced from its own manifest
      // keeps the tolerations it got on create.
      addDefaultTolerations(spec, opts);
    },
    prepareForStatusUpdate(next: KubeObject, prev: KubeObject) {
      base.prepareForStatusUpdate(next, prev);
      fillConditionTimes(next.status);
    },
    gracePeriod(p, options) {
      if (!p.spec?.nodeName) return 0;
      if (isPodFinished(p)) return 0;
      const requested = options.gracePeriodSeconds;
      if (requested !== undefined && requested !== null) return Math.max(0, requested);
      return p.spec?.terminationGracePeriodSeconds ?? 30;
    },
  returnDeletedObject: true,
  };
}

export const pod: KindModule = {
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  shortNames: ['po'],
  categories: ALL,
  subresources: [
    statusOf('Pod'),
    { name: 'binding', kind: 'Binding', verbs: ['create'] },
    { name: 'ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
    { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'log', kind: 'Pod', verbs: ['get'] },
    { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
    proxyOf('PodProxyOptions'),
  ],
  schema: kind({ spec: podSpec, status: podStatus }),
  columns: [
    nameCol,
    col('Ready', (o) => summarizePod(o).ready, { description: 'The aggregate readiness state of this pod for accepting traffic.' }),
    col('Status', (o) => summarizePod(o).status, { description: 'The aggregate status of the containers in this pod.' }),
    col('Restarts', (o, now) => restartsText(restartsOf(o), now), {
      description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      reads: (o) => ({ metadata: {}, [RESTARTS]: summarizePod(o).restarts }) as KubeObject,
    }),
    ageCol,
    col('IP', (o) => none(o.status?.podIP), { ...wide, description: 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.' }),
    col('Node', (o) => none(o.spec?.nodeName), { ...wide, description: 'NodeName is a request to schedule this pod onto a specific node.' }),
    col('Nominated Node', (o) => none(o.status?.nominatedNodeName), { ...wide, description: 'nominatedNodeName is set when this pod preempts other pods on the node.' }),
    col('Readiness Gates', (o) => {
      const gates: any[] = o.spec?.readinessGates ?? [];
      if (gates.length === 0) return '<none>';
      const conds: any[] = o.status?.conditions ?? [];
      const ok = gates.filter((g) => conds.some((c) => c.type === g.conditionType && c.status === 'True')).length;
      return `${ok}/${gates.length}`;
    }, { ...wide, description: 'If specified, all readiness gates will be evaluated for pod readiness.' }),
  ],
  defaults: defaultPod,
  validate: (o, errs, prev) => {
    validatePodSpec(o.spec, 'spec', errs, prev?.spec);
    // The scheduler's nomination names a node (Kubernetes checks it on status updates).
    const nominated = o.status?.nominatedNodeName;
    if (typeof nominated === 'string' && nominated !== '') errs.format('status.nominatedNodeName', nominated, dns1123Subdomain(nominated));
  },
  validateUpdate: validatePodUpdate,
  validateEphemeralUpdate,
  strategy: podStrategy,
  selectableFields: (o) => ({
    'spec.nodeName': fieldText(o.spec?.nodeName),
    'spec.restartPolicy': fieldText(o.spec?.restartPolicy),
    'spec.schedulerName': fieldText(o.spec?.schedulerName),
    'spec.serviceAccountName': fieldText(o.spec?.serviceAccountName),
    'spec.hostNetwork': String(Boolean(o.spec?.hostNetwork)),
    'status.phase': fieldText(o.status?.phase),
    'status.podIP': fieldText(o.status?.podIP),
    'status.nominatedNodeName': fieldText(o.status?.nominatedNodeName),
  }),
};

// Per-kind validation: the object on create, and what may change on update.
import { fromLabelSelector, matches, type LabelSelector } from '../labels.js';
import { clone, deepEqual } from '../codec/values.js';
import type { KubeObject } from '../types/meta.js';
import { FieldErrors } from './field-errors.js';
import { configMapKey, ianaSvcName, labelValue, qualifiedName } from './names.js';
import { validateLabels, validateObjectMeta, type NameRule } from './object-meta.js';
import { validatePodSpec } from './pod-spec.js';

type AnyObj = Record<string, any>;
type Validator = (o: KubeObject, errs: FieldErrors) => void;
type UpdateValidator = (next: KubeObject, prev: KubeObject, errs: FieldErrors) => void;

const nameRules: Record<string, NameRule> = {
  'v1/Namespace': 'label',
  'v1/Service': 'dns1035',
  'rbac.authorization.k8s.io/v1/Role': 'path-segment',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'path-segment',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'path-segment',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'path-segment',
  'batch/v1/CronJob': 'subdomain',
};

function nonNegative(value: unknown, field: string, errs: FieldErrors): void {
  if (value !== undefined && (typeof value !== 'number' || value < 0)) errs.invalid(field, value, 'must be greater than or equal to 0');
}

function validateTemplate(template: AnyObj | undefined, field: string, errs: FieldErrors, restartPolicies?: string[]): void {
  if (!template) {
    errs.required(field);
    return;
  }
  validateLabels(template.metadata?.labels, `${field}.metadata.labels`, errs);
  validatePodSpec(template.spec, `${field}.spec`, errs);
  const rp = template.spec?.restartPolicy;
  if (restartPolicies && rp && !restartPolicies.includes(rp)) errs.notSupported(`${field}.spec.restartPolicy`, rp, restartPolicies);
  if (template.spec?.activeDeadlineSeconds !== undefined && restartPolicies?.includes('Always')) {
    errs.forbidden(`${field}.spec.activeDeadlineSeconds`, 'activeDeadlineSeconds in ReplicaSet is not Supported');
  }
}

function showMap(m: Record<string, string> | undefined): string {
  return `map[${Object.entries(m ?? {}).sort().map(([k, v]) => `${k}:${v}`).join(' ')}]`;
}

/** A workload's selector: required, non-empty, and matching its template's labels. */
function validateSelectorAndTemplate(spec: AnyObj, errs: FieldErrors, what: string): void {
  const selector = spec.selector as LabelSelector | undefined;
  if (!selector) {
    errs.required('spec.selector');
  } else {
    let compiled: ReturnType<typeof fromLabelSelector> | undefined;
    try {
      compiled = fromLabelSelector(selector);
    } catch {
      compiled = undefined; // an unknown operator, reported below
    }
    if (compiled && compiled.length === 0) errs.invalid('spec.selector', selector, `empty selector is invalid for ${what}`);
    validateLabels(selector.matchLabels, 'spec.selector.matchLabels', errs);
    for (const [i, e] of (selector.matchExpressions ?? []).entries()) {
      const f = `spec.selector.matchExpressions[${i}]`;
      const values = e.values ?? [];
      switch (e.operator) {
        case 'In':
        case 'NotIn':
          if (values.length === 0) errs.required(`${f}.values`, "must be specified when `operator` is 'In' or 'NotIn'");
          break;
        case 'Exists':
        case 'DoesNotExist':
          if (values.length > 0) errs.forbidden(`${f}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
          break;
        default:
          errs.invalid(`${f}.operator`, e.operator, 'not a valid selector operator');
      }
      errs.format(`${f}.key`, e.key, qualifiedName(e.key ?? ''));
      for (const [j, v] of values.entries()) errs.format(`${f}.values[${j}]`, v, labelValue(String(v)));
    }
    const labels = spec.template?.metadata?.labels;
    if (compiled && compiled.length > 0 && spec.template && !matches(compiled, labels)) {
      errs.invalid('spec.template.metadata.labels', showMap(labels), '`selector` does not match template `labels`');
    }
  }
}

function validateIntOrPercent(value: unknown, field: string, errs: FieldErrors): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') {
    nonNegative(value, field, errs);
    return value;
  }
  const m = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
  if (!m) {
    errs.invalid(field, value, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')");
    return undefined;
  }
  const pct = Number(m[1]);
  if (pct > 100) errs.invalid(field, value, 'must not be greater than 100%');
  return pct;
}

const validateDeployment: Validator = (o, errs) => {
  const spec = o.spec ?? {};
  nonNegative(spec.replicas, 'spec.replicas', errs);
  validateSelectorAndTemplate(spec, errs, 'deployment');
  validateTemplate(spec.template, 'spec.template', errs, ['Always']);
  const strategy = spec.strategy ?? {};
  if (strategy.type && !['RollingUpdate', 'Recreate'].includes(strategy.type)) errs.notSupported('spec.strategy.type', strategy.type, ['Recreate', 'RollingUpdate']);
  if (strategy.type === 'Recreate' && strategy.rollingUpdate) errs.forbidden('spec.strategy.rollingUpdate', 'may not be specified when strategy `type` is \'Recreate\'');
  if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate) {
    const surge = validateIntOrPercent(strategy.rollingUpdate.maxSurge, 'spec.strategy.rollingUpdate.maxSurge', errs);
    const unavailable = validateIntOrPercent(strategy.rollingUpdate.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable', errs);
    if (surge === 0 && unavailable === 0) {
      errs.invalid('spec.strategy.rollingUpdate.maxUnavailable', strategy.rollingUpdate.maxUnavailable, 'may not be 0 when `maxSurge` is 0');
    }
  }
  nonNegative(spec.minReadySeconds, 'spec.minReadySeconds', errs);
  nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit', errs);
  if (spec.progressDeadlineSeconds !== undefined && spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
    errs.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds');
  }
};

const validateReplicaSet: Validator = (o, errs) => {
  const spec = o.spec ?? {};
  nonNegative(spec.replicas, 'spec.replicas', errs);
  nonNegative(spec.minReadySeconds, 'spec.minReadySeconds', errs);
  validateSelectorAndTemplate(spec, errs, 'deployment');
  validateTemplate(spec.template, 'spec.template', errs, ['Always']);
};

const validateStatefulSet: Validator = (o, errs) => {
  const spec = o.spec ?? {};
  nonNegative(spec.replicas, 'spec.replicas', errs);
  validateSelectorAndTemplate(spec, errs, 'statefulset');
  validateTemplate(spec.template, 'spec.template', errs, ['Always']);
  if (spec.podManagementPolicy && !['OrderedReady', 'Parallel'].includes(spec.podManagementPolicy)) {
    errs.notSupported('spec.podManagementPolicy', spec.podManagementPolicy, ['OrderedReady', 'Parallel']);
  }
};

const validateDaemonSet: Validator = (o, errs) => {
  const spec = o.spec ?? {};
  validateSelectorAndTemplate(spec, errs, 'daemonset');
  validateTemplate(spec.template, 'spec.template', errs, ['Always']);
};

const validateReplicationController: Validator = (o, errs) => {
  const spec = o.spec ?? {};
  nonNegative(spec.replicas, 'spec.replicas', errs);
  const selector = spec.selector as Record<string, string> | undefined;
  if (!selector || Object.keys(selector).length === 0) errs.required('spec.selector');
  validateLabels(selector, 'spec.selector', errs);
  validateTemplate(spec.template, 'spec.template', errs, ['Always']);
  if (selector && spec.template && !matches(fromLabelSelector({ matchLabels: selector }), spec.template.metadata?.labels)) {
    errs.invalid('spec.template.metadata.labels', showMap(spec.template.metadata?.labels), '`selector` does not match template `labels`');
  }
};

const validateJobSpec = (spec: AnyObj, prefix: string, errs: FieldErrors): void => {
  for (const k of ['parallelism', 'completions', 'backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished']) {
    nonNegative(spec[k], `${prefix}.${k}`, errs);
  }
  const rp = spec.template?.spec?.restartPolicy;
  if (spec.template && rp !== 'OnFailure' && rp !== 'Never') {
    errs.required(`${prefix}.template.spec.restartPolicy`, 'valid values: "OnFailure", "Never"');
  }
  validateTemplate(spec.template, `${prefix}.template`, errs);
};

const validateService: Validator = (o, errs) => {
  const spec = o.spec ?? {};
  const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
  const type = spec.type ?? 'ClusterIP';
  if (!TYPES.includes(type)) errs.notSupported('spec.type', type, TYPES);
  if (spec.sessionAffinity && !['None', 'ClientIP'].includes(spec.sessionAffinity)) errs.notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']);
  const ports: AnyObj[] = spec.ports ?? [];
  const headless = spec.clusterIP === 'None';
  if (type === 'ExternalName') {
    if (!spec.externalName) errs.required('spec.externalName');
  } else if (ports.length === 0 && !headless) {
    errs.required('spec.ports');
  }
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const f = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) errs.required(`${f}.name`);
    if (p.name) {
      if (names.has(p.name)) errs.duplicate(`${f}.name`, p.name);
      names.add(p.name);
    }
    if (typeof p.port !== 'number' || p.port < 1 || p.port > 65535) errs.invalid(`${f}.port`, p.port, 'must be between 1 and 65535, inclusive');
    if (p.protocol && !['SCTP', 'TCP', 'UDP'].includes(p.protocol)) errs.notSupported(`${f}.protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']);
    const key = `${p.port}/${p.protocol ?? 'TCP'}`;
    if (seen.has(key)) errs.duplicate(f, { port: p.port, protocol: p.protocol ?? 'TCP' });
    seen.add(key);
    if (typeof p.targetPort === 'number' && (p.targetPort < 1 || p.targetPort > 65535)) {
      errs.invalid(`${f}.targetPort`, p.targetPort, 'must be between 1 and 65535, inclusive');
    } else if (typeof p.targetPort === 'string') {
      errs.format(`${f}.targetPort`, p.targetPort, ianaSvcName(p.targetPort));
    }
    if (p.nodePort !== undefined && type === 'ClusterIP') errs.forbidden(`${f}.nodePort`, 'may not be used when `type` is \'ClusterIP\'');
  });
  validateLabels(spec.selector, 'spec.selector', errs);
};

function validateDataKeys(o: KubeObject, fields: string[], errs: FieldErrors): void {
  let total = 0;
  const seen = new Set<string>();
  for (const field of fields) {
    for (const [k, v] of Object.entries((o[field] as AnyObj) ?? {})) {
      errs.format(`${field}[${k}]`, k, configMapKey(k));
      if (seen.has(k)) errs.invalid(`${field}[${k}]`, k, 'duplicate of key present in another data field');
      seen.add(k);
      total += typeof v === 'string' ? v.length : 0;
    }
  }
  if (total > 1024 * 1024) errs.tooLong(fields[0]!, 1024 * 1024);
}

const validators: Record<string, Validator> = {
  'v1/Pod': (o, errs) => validatePodSpec(o.spec, 'spec', errs),
  'v1/PodTemplate': (o, errs) => validateTemplate(o.template as AnyObj, 'template', errs),
  'v1/ReplicationController': validateReplicationController,
  'v1/Service': validateService,
  'v1/ConfigMap': (o, errs) => validateDataKeys(o, ['data', 'binaryData'], errs),
  'v1/Secret': (o, errs) => validateDataKeys(o, ['data', 'stringData'], errs),
  'v1/Binding': (o, errs) => {
    if (!(o.target as AnyObj)?.name) errs.required('target.name');
  },
  'apps/v1/Deployment': validateDeployment,
  'apps/v1/ReplicaSet': validateReplicaSet,
  'apps/v1/StatefulSet': validateStatefulSet,
  'apps/v1/DaemonSet': validateDaemonSet,
  'batch/v1/Job': (o, errs) => validateJobSpec(o.spec ?? {}, 'spec', errs),
  'batch/v1/CronJob': (o, errs) => {
    const spec = o.spec ?? {};
    if (!spec.schedule) errs.required('spec.schedule');
    if (spec.concurrencyPolicy && !['Allow', 'Forbid', 'Replace'].includes(spec.concurrencyPolicy)) {
      errs.notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, ['Allow', 'Forbid', 'Replace']);
    }
    validateJobSpec(spec.jobTemplate?.spec ?? {}, 'spec.jobTemplate.spec', errs);
  },
  'coordination.k8s.io/v1/Lease': (o, errs) => {
    nonNegative(o.spec?.leaseDurationSeconds, 'spec.leaseDurationSeconds', errs);
    nonNegative(o.spec?.leaseTransitions, 'spec.leaseTransitions', errs);
  },
};

function immutable(next: unknown, prev: unknown, field: string, errs: FieldErrors): void {
  if (!deepEqual(next, prev)) errs.invalid(field, next ?? null, 'field is immutable');
}

/** Pods may change only images, deadlines, tolerations (additions) and the grace period once set. */
const podUpdate: UpdateValidator = (next, prev, errs) => {
  const strip = (spec: AnyObj | undefined) => {
    const copy = clone(spec ?? {});
    for (const c of [...(copy.containers ?? []), ...(copy.initContainers ?? [])]) delete c.image;
    delete copy.activeDeadlineSeconds;
    delete copy.tolerations;
    delete copy.terminationGracePeriodSeconds;
    return copy;
  };
  if (!deepEqual(strip(next.spec), strip(prev.spec))) {
    errs.forbidden(
      'spec',
      'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    );
  }
  const prevTolerations: AnyObj[] = prev.spec?.tolerations ?? [];
  const nextTolerations: AnyObj[] = next.spec?.tolerations ?? [];
  if (!prevTolerations.every((t) => nextTolerations.some((n) => deepEqual(n, t)))) {
    errs.forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds');
  }
};

const selectorImmutable: UpdateValidator = (next, prev, errs) => immutable(next.spec?.selector, prev.spec?.selector, 'spec.selector', errs);

const updateValidators: Record<string, UpdateValidator> = {
  'v1/Pod': podUpdate,
  'apps/v1/Deployment': selectorImmutable,
  'apps/v1/ReplicaSet': selectorImmutable,
  'apps/v1/StatefulSet': selectorImmutable,
  'apps/v1/DaemonSet': selectorImmutable,
  'batch/v1/Job': (next, prev, errs) => {
    selectorImmutable(next, prev, errs);
    immutable(next.spec?.template, prev.spec?.template, 'spec.template', errs);
  },
  'v1/ConfigMap': (next, prev, errs) => {
    if (prev.immutable) {
      immutable(next.data, prev.data, 'data', errs);
      immutable(next.binaryData, prev.binaryData, 'binaryData', errs);
      immutable(next.immutable, prev.immutable, 'immutable', errs);
    }
  },
  'v1/Secret': (next, prev, errs) => {
    immutable(next.type, prev.type, 'type', errs);
    if (prev.immutable) {
      immutable(next.data, prev.data, 'data', errs);
      immutable(next.immutable, prev.immutable, 'immutable', errs);
    }
  },
};

export interface ValidationTarget {
  apiVersion: string;
  kind: string;
  group: string;
  namespaced: boolean;
}

/** Validates an object about to be created; throws a 422 Status listing every problem. */
export function validateCreate(t: ValidationTarget, obj: KubeObject): void {
  const errs = new FieldErrors();
  const key = `${t.apiVersion}/${t.kind}`;
  validateObjectMeta(obj.metadata, nameRules[key] ?? 'subdomain', t.namespaced, errs);
  validators[key]?.(obj, errs);
  errs.throwIfAny(t.kind, t.group, obj.metadata.name ?? obj.metadata.generateName ?? '');
}

/** Validates an update: the new object on its own, then what it may not change. */
export function validateUpdate(t: ValidationTarget, next: KubeObject, prev: KubeObject): void {
  const errs = new FieldErrors();
  const key = `${t.apiVersion}/${t.kind}`;
  validateObjectMeta(next.metadata, nameRules[key] ?? 'subdomain', t.namespaced, errs);
  validators[key]?.(next, errs);
  updateValidators[key]?.(next, prev, errs);
  errs.throwIfAny(t.kind, t.group, next.metadata.name ?? '');
}

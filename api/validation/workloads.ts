// Validation helpers the kind modules share: non-negative numbers, pod templates, workload
// selectors, int-or-percent values, job specs, immutable fields and data keys.
import { deepEqual } from '../codec/values.js';
import { fromLabelSelector, matches, type LabelSelector } from '../labels.js';
import type { KubeObject, Unstructured } from '../types/meta.js';
import type { FieldErrors } from './field-errors.js';
import { configMapKey } from './names.js';
import { validateLabels } from './object-meta.js';
import { validateLabelSelector } from './label-selector.js';
import { validatePodSpec } from './pod-spec.js';
import { validateJobPolicies } from './job-policies.js';

export function nonNegative(value: unknown, field: string, errs: FieldErrors): void {
  if (value !== undefined && (typeof value !== 'number' || value < 0)) errs.invalid(field, value, 'must be greater than or equal to 0');
}

/** `prev`: the stored template on an update. */
export function validateTemplate(template: Unstructured | undefined, field: string, errs: FieldErrors, restartPolicies?: string[], prev?: Unstructured): void {
  if (!template) {
    errs.required(field);
    return;
  }
  validateLabels(template.metadata?.labels, `${field}.metadata.labels`, errs);
  validatePodSpec(template.spec, `${field}.spec`, errs, prev?.spec);
  const rp = template.spec?.restartPolicy;
  if (restartPolicies && rp && !restartPolicies.includes(rp)) errs.notSupported(`${field}.spec.restartPolicy`, rp, restartPolicies);
  if (template.spec?.activeDeadlineSeconds !== undefined && restartPolicies?.includes('Always')) {
    errs.forbidden(`${field}.spec.activeDeadlineSeconds`, 'activeDeadlineSeconds in ReplicaSet is not Supported');
  }
}

/** Labels as Go's %#v prints a map[string]string, which is how Kubernetes shows them in an Invalid value. */
export function showMap(m: Record<string, string> | undefined): string {
  if (m === undefined || m === null) return 'map[string]string(nil)';
  const entries = Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`;
}

/** A workload's selector: required, non-empty, and matching its template's labels. */
export function validateSelectorAndTemplate(spec: Unstructured, errs: FieldErrors, what: string): void {
  const selector = spec.selector as LabelSelector | undefined;
  if (!selector) {
    errs.required('spec.selector');
    return;
  }
  let compiled: ReturnType<typeof fromLabelSelector> | undefined;
  try {
    compiled = fromLabelSelector(selector);
  } catch {
    compiled = undefined; // an unknown operator, reported below
  }
  if (compiled && compiled.length === 0) errs.invalid('spec.selector', selector, `empty selector is invalid for ${what}`);
  validateLabelSelector(selector, 'spec.selector', errs);
  const labels = spec.template?.metadata?.labels;
  if (compiled && compiled.length > 0 && spec.template && !matches(compiled, labels)) {
    errs.invalidShown('spec.template.metadata.labels', showMap(labels), '`selector` does not match template `labels`');
  }
}

export function validateIntOrPercent(value: unknown, field: string, errs: FieldErrors): number | undefined {
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

/** A DaemonSet's update strategy: OnDelete, or RollingUpdate with a surge or unavailability above zero. */
export function validateDaemonSetUpdateStrategy(strategy: Unstructured | undefined, errs: FieldErrors): void {
  const f = 'spec.updateStrategy';
  if (!strategy || typeof strategy !== 'object') return;
  if (strategy.type === 'OnDelete') return;
  if (strategy.type !== 'RollingUpdate') return errs.notSupported(f, strategy.type ?? '', ['RollingUpdate', 'OnDelete']);
  const rolling = strategy.rollingUpdate as Unstructured | undefined;
  if (!rolling) return errs.required(`${f}.rollingUpdate`);
  const unavailable = validateIntOrPercent(rolling.maxUnavailable, `${f}.rollingUpdate.maxUnavailable`, errs);
  const surge = validateIntOrPercent(rolling.maxSurge, `${f}.rollingUpdate.maxSurge`, errs);
  if (unavailable === 0 && surge === 0) errs.invalid(`${f}.rollingUpdate.maxUnavailable`, rolling.maxUnavailable, 'may not be 0 when `maxSurge` is 0');
}

/** A StatefulSet's update strategy: RollingUpdate (a partition, at most 100% unavailable) or OnDelete (nothing else). */
export function validateStatefulSetUpdateStrategy(strategy: Unstructured | undefined, errs: FieldErrors): void {
  const f = 'spec.updateStrategy';
  if (!strategy || typeof strategy !== 'object') return;
  const rolling = strategy.rollingUpdate as Unstructured | undefined;
  if (!strategy.type) errs.required(f);
  else if (strategy.type === 'OnDelete') {
    if (rolling) errs.invalid(`${f}.rollingUpdate`, rolling, "only allowed for updateStrategy 'RollingUpdate'");
  } else if (strategy.type === 'RollingUpdate') {
    if (!rolling) return;
    nonNegative(rolling.partition, `${f}.rollingUpdate.partition`, errs);
    const unavailable = validateIntOrPercent(rolling.maxUnavailable, `${f}.rollingUpdate.maxUnavailable`, errs);
    if (unavailable === 0) errs.invalid(`${f}.rollingUpdate.maxUnavailable`, rolling.maxUnavailable, 'must be greater than 0');
  } else {
    errs.invalid(f, strategy.type, "must be 'RollingUpdate' or 'OnDelete'");
  }
}

/** Kubernetes' bound on an Indexed Job's parallelism (each running index is tracked). */
const MAX_INDEXED_PARALLELISM = 100_000;

export function validateJobSpec(spec: Unstructured, prefix: string, errs: FieldErrors, prev?: Unstructured): void {
  for (const k of ['parallelism', 'completions', 'backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished']) {
    nonNegative(spec[k], `${prefix}.${k}`, errs);
  }
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== null && mode !== 'NonIndexed' && mode !== 'Indexed') errs.notSupported(`${prefix}.completionMode`, mode, ['NonIndexed', 'Indexed']);
  if (mode === 'Indexed') {
    if (spec.completions === undefined || spec.completions === null) errs.required(`${prefix}.completions`, 'when completion mode is Indexed');
    if (typeof spec.parallelism === 'number' && spec.parallelism > MAX_INDEXED_PARALLELISM) {
      errs.invalid(`${prefix}.parallelism`, spec.parallelism, `must be less than or equal to ${MAX_INDEXED_PARALLELISM} when completion mode is Indexed`);
    }
  }
  validateJobPolicies(spec, prefix, errs);
  const rp = spec.template?.spec?.restartPolicy;
  if (spec.template && rp !== 'OnFailure' && rp !== 'Never') {
    errs.required(`${prefix}.template.spec.restartPolicy`, 'valid values: "OnFailure", "Never"');
  }
  validateTemplate(spec.template, `${prefix}.template`, errs, undefined, prev?.template);
}

export function immutable(next: unknown, prev: unknown, field: string, errs: FieldErrors): void {
  if (!deepEqual(next, prev)) errs.invalid(field, next ?? null, 'field is immutable');
}

export function selectorImmutable(next: KubeObject, prev: KubeObject, errs: FieldErrors): void {
  immutable(next.spec?.selector, prev.spec?.selector, 'spec.selector', errs);
}

/**
 * ConfigMap and Secret keys: valid file names, unique across the data fields, and 1 MiB in all
 * as Kubernetes counts it: the bytes themselves (text as UTF-8, base64 fields decoded).
 */
export function validateDataKeys(o: KubeObject, fields: Record<string, 'utf8' | 'base64'>, errs: FieldErrors): void {
  let total = 0;
  const seen = new Set<string>();
  for (const [field, encoding] of Object.entries(fields)) {
    for (const [k, v] of Object.entries((o[field] as Unstructured) ?? {})) {
      errs.format(`${field}[${k}]`, k, configMapKey(k));
      if (seen.has(k)) errs.invalid(`${field}[${k}]`, k, 'duplicate of key present in another data field');
      seen.add(k);
      total += typeof v === 'string' ? Buffer.byteLength(v, encoding) : 0;
    }
  }
  if (total > 1024 * 1024) errs.tooLong(Object.keys(fields)[0]!, 1024 * 1024);
}


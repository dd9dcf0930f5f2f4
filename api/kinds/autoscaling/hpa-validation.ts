// What Kubernetes accepts in a HorizontalPodAutoscaler's spec: a target to scale, sensible
// bounds, each metric with exactly its own source and a target of a type it supports, and
// behavior policies within their limits.
import { parseQuantity } from '../../quantity.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { dns1123Label } from '../../validation/names.js';
import { checkName } from '../../validation/object-meta.js';

const METRIC_SOURCES: Record<string, string> = {
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
  External: 'external',
  ContainerResource: 'containerResource',
};
const TARGET_TYPES = ['Utilization', 'Value', 'AverageValue'];
const MAX_STABILIZATION_SECONDS = 3600;
const MAX_PERIOD_SECONDS = 1800;

function positiveQuantity(v: unknown, field: string, errs: FieldErrors): void {
  const q = parseQuantity(v as string);
  if (q === undefined) errs.invalid(field, v, 'must be a quantity');
  else if (q <= 0) errs.invalid(field, v, 'must be positive');
}

function validateTarget(t: any, field: string, errs: FieldErrors): void {
  if (!t || typeof t !== 'object') return errs.required(field);
  if (!t.type) errs.required(`${field}.type`, 'must specify a metric target type');
  else if (!TARGET_TYPES.includes(t.type)) errs.notSupported(`${field}.type`, t.type, TARGET_TYPES);
  if (t.value !== undefined) positiveQuantity(t.value, `${field}.value`, errs);
  if (t.averageValue !== undefined) positiveQuantity(t.averageValue, `${field}.averageValue`, errs);
  if (t.averageUtilization !== undefined && !(t.averageUtilization > 0)) errs.invalid(`${field}.averageUtilization`, t.averageUtilization, 'must be greater than 0');
  if (t.type === 'Value' && t.value === undefined) errs.required(`${field}.value`, 'must set value for target type Value');
  if (t.type === 'AverageValue' && t.averageValue === undefined) errs.required(`${field}.averageValue`, 'must set averageValue for target type AverageValue');
  if (t.type === 'Utilization' && t.averageUtilization === undefined) errs.required(`${field}.averageUtilization`, 'must set averageUtilization for target type Utilization');
}

function validateMetricIdentifier(m: any, field: string, errs: FieldErrors): void {
  if (!m?.name) errs.required(`${field}.name`, 'must specify a metric name');
  else errs.format(`${field}.name`, String(m.name), checkName('path-segment', String(m.name)));
}

function validateMetric(m: any, field: string, errs: FieldErrors): void {
  if (!m?.type) return errs.required(`${field}.type`, 'must specify a metric source type');
  // Own keys only: a type named "constructor" or "__proto__" is no source.
  const own = typeof m.type === 'string' && Object.hasOwn(METRIC_SOURCES, m.type) ? METRIC_SOURCES[m.type] : undefined;
  if (!own) return errs.notSupported(`${field}.type`, m.type, Object.keys(METRIC_SOURCES));
  for (const [type, key] of Object.entries(METRIC_SOURCES)) {
    if (type !== m.type && m[key] !== undefined) errs.forbidden(`${field}.${key}`, 'must populate the given metric source only');
  }
  const src = m[own];
  if (!src || typeof src !== 'object') return errs.required(`${field}.${own}`, 'must populate information for the given metric source');
  const f = `${field}.${own}`;
  switch (m.type) {
    case 'Resource':
    case 'ContainerResource':
      if (!src.name) errs.required(`${f}.name`, 'must specify a resource name');
      if (m.type === 'ContainerResource' && !src.container) errs.required(`${f}.container`, 'must specify a container');
      else if (m.type === 'ContainerResource') errs.format(`${f}.container`, String(src.container), dns1123Label(String(src.container)));
      validateTarget(src.target, `${f}.target`, errs);
      if (src.target && src.target.averageUtilization === undefined && src.target.averageValue === undefined) {
        errs.required(`${f}.target.averageUtilization`, 'must set either a target raw value or a target utilization');
      }
      if (src.target?.averageUtilization !== undefined && src.target?.averageValue !== undefined) {
        errs.forbidden(`${f}.target.averageValue`, 'may not set both a target raw value and a target utilization');
      }
      break;
    case 'Pods':
      validateMetricIdentifier(src.metric, `${f}.metric`, errs);
      validateTarget(src.target, `${f}.target`, errs);
      if (src.target && src.target.averageValue === undefined) errs.required(`${f}.target.averageValue`, 'must specify a positive target averageValue');
      break;
    case 'Object':
      if (!src.describedObject?.kind) errs.required(`${f}.describedObject.kind`);
      if (!src.describedObject?.name) errs.required(`${f}.describedObject.name`);
      validateMetricIdentifier(src.metric, `${f}.metric`, errs);
      validateTarget(src.target, `${f}.target`, errs);
      if (src.target && src.target.value === undefined && src.target.averageValue === undefined) errs.required(`${f}.target`, 'must set either a target value or averageValue');
      break;
    case 'External':
      validateMetricIdentifier(src.metric, `${f}.metric`, errs);
      validateTarget(src.target, `${f}.target`, errs);
      if (src.target && src.target.value === undefined && src.target.averageValue === undefined) errs.required(`${f}.target`, 'must set either a target value for metric or a per-pod target');
      if (src.target?.value !== undefined && src.target?.averageValue !== undefined) errs.forbidden(`${f}.target.value`, 'may not set both a target value for metric and a per-pod target');
      break;
  }
}

function validateRules(r: any, field: string, errs: FieldErrors): void {
  if (r === undefined || r === null) return;
  const w = r.stabilizationWindowSeconds;
  if (w !== undefined && (w < 0 || w > MAX_STABILIZATION_SECONDS)) errs.invalid(`${field}.stabilizationWindowSeconds`, w, `must be less than or equal to ${MAX_STABILIZATION_SECONDS}`);
  if (r.selectPolicy !== undefined && !['Max', 'Min', 'Disabled'].includes(r.selectPolicy)) errs.notSupported(`${field}.selectPolicy`, r.selectPolicy, ['Disabled', 'Max', 'Min']);
  const policies = r.policies ?? [];
  if (Array.isArray(policies) && policies.length === 0 && r.policies !== undefined) errs.required(`${field}.policies`, 'must specify at least one Policy');
  for (const [i, p] of (Array.isArray(policies) ? policies : []).entries()) {
    const pf = `${field}.policies[${i}]`;
    if (!['Pods', 'Percent'].includes(p?.type)) errs.notSupported(`${pf}.type`, p?.type, ['Percent', 'Pods']);
    if (!(p?.value > 0)) errs.invalid(`${pf}.value`, p?.value, 'must be greater than zero');
    if (!(p?.periodSeconds > 0)) errs.invalid(`${pf}.periodSeconds`, p?.periodSeconds, 'must be greater than zero');
    else if (p.periodSeconds > MAX_PERIOD_SECONDS) errs.invalid(`${pf}.periodSeconds`, p.periodSeconds, `must be less than or equal to ${MAX_PERIOD_SECONDS}`);
  }
}

export function validateHPASpec(spec: any, errs: FieldErrors): void {
  if (!spec || typeof spec !== 'object') return errs.required('spec');
  const ref = spec.scaleTargetRef;
  if (!ref?.kind) errs.required('spec.scaleTargetRef.kind');
  else if (/[/%]/.test(ref.kind) || ref.kind === '.' || ref.kind === '..') errs.invalid('spec.scaleTargetRef.kind', ref.kind, 'may not contain \'/\' or \'%\'');
  if (!ref?.name) errs.required('spec.scaleTargetRef.name');
  else if (/[/%]/.test(ref.name) || ref.name === '.' || ref.name === '..') errs.invalid('spec.scaleTargetRef.name', ref.name, 'may not contain \'/\' or \'%\'');
  const min = spec.minReplicas;
  if (min !== undefined && min < 1) errs.invalid('spec.minReplicas', min, 'must be greater than or equal to 1');
  if (!(spec.maxReplicas >= 1)) errs.invalid('spec.maxReplicas', spec.maxReplicas ?? 0, 'must be greater than 0');
  else if (min !== undefined && spec.maxReplicas < min) errs.invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`');
  for (const [i, m] of (Array.isArray(spec.metrics) ? spec.metrics : []).entries()) validateMetric(m, `spec.metrics[${i}]`, errs);
  validateRules(spec.behavior?.scaleUp, 'spec.behavior.scaleUp', errs);
  validateRules(spec.behavior?.scaleDown, 'spec.behavior.scaleDown', errs);
}

// ResourceQuota rules, as Kubernetes checks them: resource names quota knows (or qualified ones:
// count/<resource>.<group>, extended resources), non-negative figures (whole numbers where
// counted), scopes and scope selectors that exist, fit the resources and do not contradict.
import { parseQuantity } from '../quantity.js';
import type { KubeObject, Unstructured } from '../types/meta.js';
import type { FieldErrors } from './field-errors.js';
import { qualifiedName } from './names.js';

const COMPUTE = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];
const STANDARD = new Set([
  ...COMPUTE, 'ephemeral-storage', 'requests.storage', 'requests.ephemeral-storage', 'limits.ephemeral-storage',
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers',
]);
/** Counted things: their figures must be whole. */
const INTEGER = new Set(['pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers']);
const SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity'];
const EXISTS_ONLY = new Set(['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'CrossNamespacePodAffinity']);
const CONFLICTS = [['BestEffort', 'NotBestEffort'], ['Terminating', 'NotTerminating']];

const isStandard = (name: string) => STANDARD.has(name) || /^requests\.hugepages-/.test(name);

/** Whether a scope may limit a resource: pod scopes limit pods and their compute, BestEffort only pods. */
function scopeFits(scope: string, resource: string): boolean {
  if (scope === 'BestEffort') return resource === 'pods';
  if (SCOPES.includes(scope)) return resource === 'pods' || COMPUTE.includes(resource);
  return true;
}

function validateResources(list: unknown, field: string, errs: FieldErrors): void {
  if (!list || typeof list !== 'object') return;
  for (const [name, q] of Object.entries(list as Record<string, unknown>)) {
    const f = `${field}[${name}]`;
    errs.format(f, name, qualifiedName(name));
    if (!name.includes('/') && !isStandard(name)) errs.invalid(f, name, 'must be a standard resource for quota');
    const v = parseQuantity(q as string);
    if (v === undefined) continue; // the schema reports what is not a quantity
    if (v < 0) errs.invalid(f, String(q), 'must be greater than or equal to 0');
    else if (INTEGER.has(name) && !Number.isInteger(v)) errs.invalid(f, String(q), 'must be an integer');
  }
}

function validateScopes(spec: Unstructured, hard: string[], errs: FieldErrors): void {
  const scopes: unknown[] = Array.isArray(spec.scopes) ? spec.scopes : [];
  for (const scope of scopes) {
    if (!SCOPES.includes(scope as string)) errs.invalid('spec.scopes', scopes, 'unsupported scope');
    for (const k of hard) if (isStandard(k) && !scopeFits(String(scope), k)) errs.invalid('spec.scopes', scopes, 'unsupported scope applied to resource');
  }
  for (const pair of CONFLICTS) if (pair.every((s) => scopes.includes(s))) errs.invalid('spec.scopes', scopes, 'conflicting scopes');
  const selector = spec.scopeSelector as Unstructured | undefined;
  if (!selector || typeof selector !== 'object') return;
  const f = 'spec.scopeSelector.matchExpressions';
  const named: string[] = [];
  for (const raw of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    const req = (raw ?? {}) as Unstructured;
    const scope = String(req.scopeName ?? '');
    if (!SCOPES.includes(scope)) errs.invalid(`${f}.scopeName`, scope, 'unsupported scope');
    for (const k of hard) if (isStandard(k) && !scopeFits(scope, k)) errs.invalid(f, selector, 'unsupported scope applied to resource');
    if (EXISTS_ONLY.has(scope) && req.operator !== 'Exists') {
      errs.invalid(`${f}.operator`, req.operator ?? '', "must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity");
    }
    const values: unknown[] = Array.isArray(req.values) ? req.values : [];
    if (req.operator === 'In' || req.operator === 'NotIn') {
      if (!values.length) errs.required(`${f}.values`, "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector");
    } else if (req.operator === 'Exists' || req.operator === 'DoesNotExist') {
      if (values.length) errs.invalid(`${f}.values`, values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector");
    } else {
      errs.invalid(`${f}.operator`, req.operator ?? '', 'not a valid selector operator');
    }
    named.push(scope);
  }
  for (const pair of CONFLICTS) if (pair.every((s) => named.includes(s))) errs.invalid(f, selector, 'conflicting scopes');
}

export function validateResourceQuota(o: KubeObject, errs: FieldErrors): void {
  const spec = (o.spec ?? {}) as Unstructured;
  validateResources(spec.hard, 'spec.hard', errs);
  validateScopes(spec, Object.keys(spec.hard && typeof spec.hard === 'object' ? spec.hard : {}), errs);
  validateResources(o.status?.hard, 'status.hard', errs);
  validateResources(o.status?.used, 'status.used', errs);
}

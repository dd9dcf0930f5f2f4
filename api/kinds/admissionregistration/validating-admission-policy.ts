// admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy and
// ValidatingAdmissionPolicyBinding: CEL checks of requests, run in the apiserver
// (apiserver/admission/policy/). A policy says what it matches and what it checks; a binding
// puts it in effect, for some resources and with a parameter object, with actions (Deny, Warn,
// Audit). Expressions are compiled when written: one that does not parse is refused.
import { isObject } from '../../codec/values.js';
import { loadExtras, requireExtras } from '../../on-demand/loader.js';
import { ageCol, col, nameCol } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import type { KubeObject, Unstructured } from '../../types/meta.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { validateLabelSelector } from '../../validation/label-selector.js';
import { qualifiedName } from '../../validation/names.js';
import { withStatus } from '../strategy.js';
import { statusOf, type KindModule } from '../kind.js';

const GROUP = 'admissionregistration.k8s.io';
const OPERATIONS = ['*', 'CREATE', 'UPDATE', 'DELETE', 'CONNECT'];
const SCOPES = ['Cluster', 'Namespaced', '*'];
const REASONS = ['Unauthorized', 'Forbidden', 'Invalid', 'RequestEntityTooLarge'];
const ACTIONS = ['Deny', 'Warn', 'Audit'];

type Obj = Record<string, any>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/** Kubernetes' defaults for match resources (a policy's constraints, a binding's narrowing). */
function defaultMatchResources(m: unknown): void {
  if (!isObject(m)) return;
  m.matchPolicy ??= 'Equivalent';
  m.namespaceSelector ??= {};
  m.objectSelector ??= {};
  for (const r of [...list(m.resourceRules), ...list(m.excludeResourceRules)]) if (isObject(r)) r.scope ??= '*';
}

function validateRules(rules: Obj[], at: string, errs: FieldErrors): void {
  rules.forEach((r, j) => {
    const rf = `${at}[${j}]`;
    for (const key of ['operations', 'apiGroups', 'apiVersions', 'resources']) {
      if (!Array.isArray(r?.[key]) || r[key].length === 0) errs.required(`${rf}.${key}`);
    }
    for (const op of list(r?.operations) as unknown[]) if (!OPERATIONS.includes(op as string)) errs.notSupported(`${rf}.operations`, op, OPERATIONS);
    if (r?.scope !== undefined && !SCOPES.includes(r.scope)) errs.notSupported(`${rf}.scope`, r.scope, SCOPES);
  });
}

function validateMatchResources(m: Obj | undefined, at: string, required: boolean, errs: FieldErrors): void {
  if (!isObject(m)) {
    if (required) errs.required(at);
    return;
  }
  if (required && list(m.resourceRules).length === 0) errs.required(`${at}.resourceRules`);
  validateRules(list(m.resourceRules), `${at}.resourceRules`, errs);
  validateRules(list(m.excludeResourceRules), `${at}.excludeResourceRules`, errs);
  if (m.matchPolicy !== undefined && !['Exact', 'Equivalent'].includes(m.matchPolicy as string)) errs.notSupported(`${at}.matchPolicy`, m.matchPolicy, ['Equivalent', 'Exact']);
  validateLabelSelector(m.namespaceSelector as Obj | undefined, `${at}.namespaceSelector`, errs);
  validateLabelSelector(m.objectSelector as Obj | undefined, `${at}.objectSelector`, errs);
}

/** An expression that must compile (Kubernetes refuses one that does not when it is written). */
function checkExpression(source: unknown, at: string, errs: FieldErrors, want?: 'bool' | 'string'): void {
  if (typeof source !== 'string' || !source.trim()) return errs.required(at);
  try {
    const compiled = requireExtras().compileAdmissionExpression(source);
    if (want && compiled.type !== want && compiled.type !== 'dyn') errs.invalid(at, source, `must evaluate to ${want}`);
  } catch (err) {
    errs.invalid(at, source, `compilation failed: ${(err as Error).message}`);
  }
}

/** Match conditions (a policy's or a webhook's): qualified, unique names and boolean CEL expressions, at most 64. */
export function validateMatchConditions(conditions: Obj[], at: string, errs: FieldErrors): void {
  const names = new Set<string>();
  conditions.forEach((c, i) => {
    const name = c?.name;
    if (!name) errs.required(`${at}[${i}].name`);
    else if (qualifiedName(String(name)).length) errs.invalid(`${at}[${i}].name`, name, 'must be a qualified name');
    else if (names.has(name)) errs.duplicate(`${at}[${i}].name`, name);
    names.add(name);
    checkExpression(c?.expression, `${at}[${i}].expression`, errs, 'bool');
  });
  if (conditions.length > 64) errs.tooMany(at, conditions.length, 64);
}

function validatePolicy(o: KubeObject, errs: FieldErrors): void {
  const spec = (o.spec ?? {}) as Obj;
  if (spec.failurePolicy !== undefined && !['Fail', 'Ignore'].includes(spec.failurePolicy)) errs.notSupported('spec.failurePolicy', spec.failurePolicy, ['Fail', 'Ignore']);
  if (spec.paramKind !== undefined) {
    if (!spec.paramKind?.apiVersion) errs.required('spec.paramKind.apiVersion');
    if (!spec.paramKind?.kind) errs.required('spec.paramKind.kind');
  }
  validateMatchResources(spec.matchConstraints, 'spec.matchConstraints', true, errs);
  const validations = list(spec.validations);
  const audits = list(spec.auditAnnotations);
  if (validations.length === 0 && audits.length === 0) errs.required('spec.validations', 'validations or auditAnnotations must contain at least one item');
  validations.forEach((v, i) => {
    const at = `spec.validations[${i}]`;
    checkExpression(v?.expression, `${at}.expression`, errs, 'bool');
    if (typeof v?.message === 'string' && /\n/.test(v.message.trim())) errs.invalid(`${at}.message`, v.message, 'message must not contain line breaks');
    if (v?.messageExpression !== undefined && String(v.messageExpression).trim()) checkExpression(v.messageExpression, `${at}.messageExpression`, errs, 'string');
    if (v?.reason !== undefined && !REASONS.includes(v.reason)) errs.notSupported(`${at}.reason`, v.reason, REASONS);
  });
  const keys = new Set<string>();
  audits.forEach((a, i) => {
    const at = `spec.auditAnnotations[${i}]`;
    const key = a?.key;
    if (!key) errs.required(`${at}.key`);
    else if (qualifiedName(`${o.metadata.name}/${key}`).length) errs.invalid(`${at}.key`, key, 'must be a valid annotation key when prefixed with the policy name');
    else if (keys.has(key)) errs.duplicate(`${at}.key`, key);
    keys.add(key);
    checkExpression(a?.valueExpression, `${at}.valueExpression`, errs);
  });
  validateMatchConditions(list(spec.matchConditions), 'spec.matchConditions', errs);
  const variableNames = new Set<string>();
  list(spec.variables).forEach((v, i) => {
    const at = `spec.variables[${i}]`;
    const name = v?.name;
    if (!name) errs.required(`${at}.name`);
    else if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) errs.invalid(`${at}.name`, name, 'name is not a valid CEL identifier');
    else if (variableNames.has(name)) errs.duplicate(`${at}.name`, name);
    variableNames.add(name);
    checkExpression(v?.expression, `${at}.expression`, errs);
  });
}

function validateBinding(o: KubeObject, errs: FieldErrors): void {
  const spec = (o.spec ?? {}) as Obj;
  if (!spec.policyName) errs.required('spec.policyName');
  const actions = list(spec.validationActions) as unknown[];
  if (actions.length === 0) errs.required('spec.validationActions', 'at least one validation action is required');
  const seen = new Set<unknown>();
  actions.forEach((a, i) => {
    if (!ACTIONS.includes(a as string)) errs.notSupported(`spec.validationActions[${i}]`, a, ACTIONS);
    if (seen.has(a)) errs.duplicate(`spec.validationActions[${i}]`, a);
    seen.add(a);
  });
  if (seen.has('Deny') && seen.has('Warn')) errs.invalid('spec.validationActions', actions, 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)');
  const ref = spec.paramRef;
  if (ref !== undefined) {
    if (!isObject(ref)) errs.invalid('spec.paramRef', ref, 'must be an object');
    else {
      if (ref.name && ref.selector) errs.forbidden('spec.paramRef.name', 'name and selector are mutually exclusive');
      if (!ref.name && !ref.selector) errs.required('spec.paramRef', 'one of name or selector must be set');
      validateLabelSelector(ref.selector as Obj | undefined, 'spec.paramRef.selector', errs);
      if (ref.parameterNotFoundAction === undefined) errs.required('spec.paramRef.parameterNotFoundAction');
      else if (!['Allow', 'Deny'].includes(ref.parameterNotFoundAction as string)) errs.notSupported('spec.paramRef.parameterNotFoundAction', ref.parameterNotFoundAction, ['Allow', 'Deny']);
    }
  }
  if (spec.matchResources !== undefined) validateMatchResources(spec.matchResources, 'spec.matchResources', false, errs);
}

function paramKindText(o: KubeObject): string {
  const k = (o.spec as Unstructured | undefined)?.paramKind as Obj | undefined;
  return k ? `${k.apiVersion ?? ''}/${k.kind ?? ''}` : '<unset>';
}

function paramRefText(o: KubeObject): string {
  const r = (o.spec as Unstructured | undefined)?.paramRef as Obj | undefined;
  if (!r) return '<unset>';
  if (r.name) return r.namespace ? `${r.namespace}/${r.name}` : String(r.name);
  return r.selector ? 'selector' : '<unset>';
}

export const validatingAdmissionPolicy: KindModule = {
  group: GROUP,
  version: 'v1',
  kind: 'ValidatingAdmissionPolicy',
  plural: 'validatingadmissionpolicies',
  namespaced: false,
  generation: true,
  categories: ['api-extensions'],
  subresources: [statusOf('ValidatingAdmissionPolicy')],
  schema: schemaFromProtobuf(`${GROUP}/v1`, 'ValidatingAdmissionPolicy'),
  columns: [
    nameCol,
    col('Validations', (o) => list((o.spec as Unstructured | undefined)?.validations).length, { type: 'integer', description: 'Validations' }),
    col('ParamKind', paramKindText, { description: 'ParamKind' }),
    ageCol,
  ],
  defaults(o) {
    const spec = o.spec as Obj | undefined;
    if (!isObject(spec)) return;
    spec.failurePolicy ??= 'Fail';
    defaultMatchResources(spec.matchConstraints);
  },
  validate: validatePolicy,
  loadFor: () => loadExtras(),
  strategy: withStatus(),
};

export const validatingAdmissionPolicyBinding: KindModule = {
  group: GROUP,
  version: 'v1',
  kind: 'ValidatingAdmissionPolicyBinding',
  plural: 'validatingadmissionpolicybindings',
  namespaced: false,
  generation: true,
  categories: ['api-extensions'],
  schema: schemaFromProtobuf(`${GROUP}/v1`, 'ValidatingAdmissionPolicyBinding'),
  columns: [nameCol, col('PolicyName', (o) => String((o.spec as Unstructured | undefined)?.policyName ?? ''), { description: 'PolicyName' }), col('ParamRef', paramRefText, { description: 'ParamRef' }), ageCol],
  defaults(o) {
    const spec = o.spec as Obj | undefined;
    if (isObject(spec)) defaultMatchResources(spec.matchResources);
  },
  validate: validateBinding,
};

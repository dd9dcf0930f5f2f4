// Validation of an object about to be stored: ObjectMeta rules for every kind, then what the
// kind's module checks (api/kinds/), and on update what the kind says may not change.
import type { KindModule } from '../kinds/kind.js';
import { kindOf } from '../kinds/registry.js';
import type { KubeObject, StatusCause } from '../types/meta.js';
import { FieldErrors } from './field-errors.js';
import { validateObjectMeta } from './object-meta.js';

export interface ValidationTarget {
  apiVersion: string;
  kind: string;
  group: string;
  namespaced: boolean;
  /** The kind's module, when the caller has it (custom resources are not in the static registry). */
  module?: KindModule;
}

/**
 * Whether finalizers without a domain are limited to the standard ones: so for Kubernetes' own
 * kinds, except those of the extension API servers (custom resource definitions, API services),
 * which, like custom resources, only need qualified names.
 */
function kubeFinalizers(t: ValidationTarget): boolean {
  return kindOf(t.apiVersion, t.kind) !== undefined && t.group !== 'apiextensions.k8s.io' && t.group !== 'apiregistration.k8s.io';
}

/**
 * Validates an object about to be created; throws a 422 Status listing every problem.
 * `requestVersion`: the group/version the write came through, when a client's request.
 */
export function validateCreate(t: ValidationTarget, obj: KubeObject, requestVersion?: string): void {
  const errs = new FieldErrors();
  const k = t.module ?? kindOf(t.apiVersion, t.kind);
  validateObjectMeta(obj.metadata, k?.nameRule ?? 'subdomain', t.namespaced, errs, kubeFinalizers(t));
  k?.validate?.(obj, errs, undefined, requestVersion);
  if (k?.validateRules) runRules(k, obj, undefined, errs);
  errs.throwIfAny(t.kind, t.group, obj.metadata.name ?? obj.metadata.generateName ?? '');
}

/** Validates a write through pods/ephemeralcontainers: the pod on its own, then that existing ephemeral containers stayed. */
export function validateEphemeralContainersUpdate(t: ValidationTarget, next: KubeObject, prev: KubeObject): void {
  const errs = new FieldErrors();
  const k = t.module ?? kindOf(t.apiVersion, t.kind);
  k?.validate?.(next, errs);
  k?.validateEphemeralUpdate?.(next, prev, errs);
  errs.throwIfAny(t.kind, t.group, next.metadata.name ?? '');
}

/** Validates an update: the new object on its own, then what it may not change. */
export function validateUpdate(t: ValidationTarget, next: KubeObject, prev: KubeObject, requestVersion?: string): void {
  const errs = new FieldErrors();
  const k = t.module ?? kindOf(t.apiVersion, t.kind);
  validateObjectMeta(next.metadata, k?.nameRule ?? 'subdomain', t.namespaced, errs, kubeFinalizers(t));
  k?.validate?.(next, errs, prev, requestVersion);
  k?.validateUpdate?.(next, prev, errs, requestVersion);
  if (k?.validateRules) runRules(k, next, prev, errs);
  errs.throwIfAny(t.kind, t.group, next.metadata.name ?? '');
}

const BLOCKING = new Set(['FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueTypeInvalid']);

/** Whether validation found what keeps rules from running (Kubernetes' "blocking" errors: types, required, enums, sizes). */
function blocksRules(causes: StatusCause[]): boolean {
  return causes.some((c) => BLOCKING.has(c.reason ?? '') || / in body must be of type /.test(c.message ?? ''));
}

/** A kind's rules, unless the object already has errors that keep them from running (as Kubernetes does). */
function runRules(k: KindModule, obj: KubeObject, prev: KubeObject | undefined, errs: FieldErrors): void {
  if (blocksRules(errs.causes)) errs.invalid('<nil>', 'null', 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation');
  else k.validateRules!(obj, prev, errs);
}

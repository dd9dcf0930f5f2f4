// Validation of an object about to be stored: ObjectMeta rules for every kind, then what the
// kind's module checks (api/kinds/), and on update what the kind says may not change.
import type { KindModule } from '../kinds/kind.js';
import { kindOf } from '../kinds/registry.js';
import type { KubeObject } from '../types/meta.js';
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

/** Validates an object about to be created; throws a 422 Status listing every problem. */
export function validateCreate(t: ValidationTarget, obj: KubeObject): void {
  const errs = new FieldErrors();
  const k = t.module ?? kindOf(t.apiVersion, t.kind);
  validateObjectMeta(obj.metadata, k?.nameRule ?? 'subdomain', t.namespaced, errs);
  k?.validate?.(obj, errs);
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
export function validateUpdate(t: ValidationTarget, next: KubeObject, prev: KubeObject): void {
  const errs = new FieldErrors();
  const k = t.module ?? kindOf(t.apiVersion, t.kind);
  validateObjectMeta(next.metadata, k?.nameRule ?? 'subdomain', t.namespaced, errs);
  k?.validate?.(next, errs);
  k?.validateUpdate?.(next, prev, errs);
  errs.throwIfAny(t.kind, t.group, next.metadata.name ?? '');
}

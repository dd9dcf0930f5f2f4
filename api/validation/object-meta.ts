// ObjectMeta rules shared by every kind: names, labels, annotations, owner references.
import type { ObjectMeta } from '../types/meta.js';
import type { FieldErrors } from './field-errors.js';
import { dns1035Label, dns1123Label, dns1123Subdomain, labelValue, qualifiedName } from './names.js';

export type NameRule = 'subdomain' | 'label' | 'dns1035' | 'path-segment';

const TOTAL_ANNOTATION_SIZE = 256 * 1024;

export function checkName(rule: NameRule, name: string): string[] {
  switch (rule) {
    case 'subdomain':
      return dns1123Subdomain(name);
    case 'label':
      return dns1123Label(name);
    case 'dns1035':
      return dns1035Label(name);
    case 'path-segment':
      if (name === '.' || name === '..') return [`may not be '${name}'`];
      if (name.includes('/')) return ["may not contain '/'"];
      if (name.includes('%')) return ["may not contain '%'"];
      return [];
  }
}

export function validateLabels(labels: unknown, field: string, errs: FieldErrors): void {
  if (labels === undefined || labels === null) return;
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    errs.format(field, k, qualifiedName(k));
    if (typeof v !== 'string') errs.invalid(field, v, 'label values must be strings');
    else errs.format(field, v, labelValue(v));
  }
}

export function validateAnnotations(annotations: unknown, field: string, errs: FieldErrors): void {
  if (annotations === undefined || annotations === null) return;
  let size = 0;
  for (const [k, v] of Object.entries(annotations as Record<string, unknown>)) {
    errs.format(field, k, qualifiedName(k.toLowerCase()));
    size += k.length + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  }
  if (size > TOTAL_ANNOTATION_SIZE) errs.tooLong(field, TOTAL_ANNOTATION_SIZE);
}

/** Finalizers Kubernetes itself defines, the only ones a built-in object may carry without a domain. */
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/**
 * Finalizer names: qualified names, not both orphan and foregroundDeletion; and with
 * `kubeNames` (kinds of Kubernetes' own API groups), only the standard ones without a domain.
 */
export function validateFinalizers(finalizers: unknown, kubeNames: boolean, errs: FieldErrors, field = 'metadata.finalizers'): void {
  if (!Array.isArray(finalizers)) return;
  finalizers.forEach((raw, i) => {
    const name = String(raw);
    errs.format(field, name, qualifiedName(name));
    if (kubeNames && !name.includes('/') && !STANDARD_FINALIZERS.has(name)) {
      errs.invalid(`${field}[${i}]`, name, 'name is neither a standard finalizer name nor is it fully qualified');
    }
  });
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errs.invalid(field, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set');
  }
}

/** `kubeFinalizers`: the object is of Kubernetes' own API groups (see validateFinalizers). */
export function validateObjectMeta(meta: ObjectMeta, rule: NameRule, namespaced: boolean, errs: FieldErrors, kubeFinalizers = false): void {
  if (!meta.name) {
    errs.required('metadata.name', 'name or generateName is required');
  } else {
    errs.format('metadata.name', meta.name, checkName(rule, meta.name));
  }
  if (namespaced && !meta.namespace) errs.required('metadata.namespace');
  if (!namespaced && meta.namespace) errs.forbidden('metadata.namespace', 'not allowed on this type');
  validateLabels(meta.labels, 'metadata.labels', errs);
  validateAnnotations(meta.annotations, 'metadata.annotations', errs);
  validateFinalizers(meta.finalizers, kubeFinalizers, errs);
  (meta.ownerReferences ?? []).forEach((ref, i) => {
    const f = `metadata.ownerReferences[${i}]`;
    if (!ref.apiVersion) errs.invalid(`${f}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty');
    if (!ref.kind) errs.invalid(`${f}.kind`, ref.kind ?? '', 'kind must not be empty');
    if (!ref.name) errs.invalid(`${f}.name`, ref.name ?? '', 'name must not be empty');
    if (!ref.uid) errs.invalid(`${f}.uid`, ref.uid ?? '', 'uid must not be empty');
  });
  if ((meta.ownerReferences ?? []).filter((r) => r.controller).length > 1) {
    errs.invalid('metadata.ownerReferences', meta.ownerReferences, 'Only one reference can have Controller set to true');
  }
  if (meta.generateName && !meta.name) {
    errs.format('metadata.generateName', meta.generateName, checkName(rule, `${meta.generateName}x`));
  }
}

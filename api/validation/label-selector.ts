// metav1.LabelSelector rules, as Kubernetes checks every selector it stores (workloads, budgets,
// network policies, aggregated roles, webhooks, policies): label keys and values, operators and
// their values. A selector that passes here compiles in api/labels.ts.
import type { Unstructured } from '../types/meta.js';
import type { FieldErrors } from './field-errors.js';
import { labelValue, qualifiedName } from './names.js';
import { validateLabels } from './object-meta.js';

export interface LabelSelectorOptions {
  /** Skip the label-value check of expressions' values (an update of an object stored before it was checked). */
  allowInvalidValues?: boolean;
}

export function validateLabelSelector(selector: Unstructured | undefined | null, field: string, errs: FieldErrors, opts: LabelSelectorOptions = {}): void {
  if (!selector || typeof selector !== 'object') return;
  validateLabels(selector.matchLabels, `${field}.matchLabels`, errs);
  const expressions: unknown[] = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  expressions.forEach((raw, i) => {
    const e = (raw && typeof raw === 'object' ? raw : {}) as Unstructured;
    const ef = `${field}.matchExpressions[${i}]`;
    const values: unknown[] = Array.isArray(e.values) ? e.values : [];
    if (e.operator === 'In' || e.operator === 'NotIn') {
      if (!values.length) errs.required(`${ef}.values`, "must be specified when `operator` is 'In' or 'NotIn'");
    } else if (e.operator === 'Exists' || e.operator === 'DoesNotExist') {
      if (values.length) errs.forbidden(`${ef}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
    } else {
      errs.invalid(`${ef}.operator`, e.operator ?? '', 'not a valid selector operator');
    }
    errs.format(`${ef}.key`, String(e.key ?? ''), qualifiedName(String(e.key ?? '')));
    if (!opts.allowInvalidValues) values.forEach((v, j) => errs.format(`${ef}.values[${j}]`, String(v), labelValue(String(v))));
  });
}

/** Whether any expression of these selectors has a value that is not a valid label value (an array, not spread: there may be a million). */
export function hasInvalidSelectorValue(selectors: unknown[]): boolean {
  return selectors.some((s) => {
    const expressions = (s as Unstructured | undefined)?.matchExpressions;
    return Array.isArray(expressions) && expressions.some((e) => Array.isArray(e?.values) && e.values.some((v: unknown) => labelValue(String(v)).length > 0));
  });
}

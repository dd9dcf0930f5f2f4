// Resource lists (name -> quantity) as Kubernetes checks them wherever they appear: a pod's or
// RuntimeClass's overhead, a node's capacity, a LimitRange's bounds, a claim's limits.
import { parseQuantity, QUANTITY_FORMAT_ERROR } from '../quantity.js';
import type { Unstructured } from '../types/meta.js';
import type { FieldErrors } from './field-errors.js';

/** Each entry a valid, non-negative quantity. */
export function validateResourceList(list: unknown, field: string, errs: FieldErrors): void {
  if (!list || typeof list !== 'object') return;
  for (const [name, q] of Object.entries(list as Unstructured)) {
    const v = typeof q === 'string' || typeof q === 'number' ? parseQuantity(String(q)) : undefined;
    if (v === undefined) errs.invalid(`${field}[${name}]`, q, QUANTITY_FORMAT_ERROR);
    else if (v < 0) errs.invalid(`${field}[${name}]`, q, 'must be greater than or equal to 0');
  }
}

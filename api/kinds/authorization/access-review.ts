// The shape all access reviews share: what is asked about (a resource or a non-resource URL),
// and for SubjectAccessReview whom.
import { bool, map, obj, str, strings } from '../../schema/dsl.js';
import type { Schema } from '../../schema/dsl.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import type { KubeObject } from '../../types/meta.js';

export const resourceAttributes = obj({ namespace: str, verb: str, group: str, version: str, resource: str, subresource: str, name: str });
export const nonResourceAttributes = obj({ path: str, verb: str });

/** What the server answers a review with. */
export const accessReviewStatus: Schema = obj({ allowed: bool, denied: bool, reason: str, evaluationError: str });

export function accessReviewSpec(withSubject: boolean): Schema {
  return obj({
    resourceAttributes,
    nonResourceAttributes,
    ...(withSubject ? { user: str, groups: strings, uid: str, extra: map(strings) } : {}),
  });
}

/** Exactly one of resourceAttributes and nonResourceAttributes, as Kubernetes requires. */
export function validateAccessReview(o: KubeObject, errs: FieldErrors, withSubject: boolean): void {
  const spec = (o.spec ?? {}) as { resourceAttributes?: unknown; nonResourceAttributes?: unknown; user?: string; groups?: string[] };
  const both = spec.resourceAttributes !== undefined && spec.nonResourceAttributes !== undefined;
  const neither = spec.resourceAttributes === undefined && spec.nonResourceAttributes === undefined;
  if (both) errs.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes');
  if (neither) errs.invalid('spec.resourceAttributes', undefined, 'exactly one of nonResourceAttributes or resourceAttributes must be specified');
  if (withSubject && !spec.user && !(spec.groups ?? []).length) errs.invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified');
}

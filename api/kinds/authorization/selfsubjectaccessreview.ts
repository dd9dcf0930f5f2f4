// authorization.k8s.io/v1 SelfSubjectAccessReview: may I? (`kubectl auth can-i`).
import { kind } from '../../schema/meta.js';
import type { KindModule } from '../kind.js';
import { accessReviewSpec, accessReviewStatus, validateAccessReview } from './access-review.js';

export const selfSubjectAccessReview: KindModule = {
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectAccessReview',
  plural: 'selfsubjectaccessreviews',
  namespaced: false,
  verbs: ['create'],
  review: true,
  schema: kind({ spec: accessReviewSpec(false), status: accessReviewStatus }),
  validate: (o, errs) => validateAccessReview(o, errs, false),
};

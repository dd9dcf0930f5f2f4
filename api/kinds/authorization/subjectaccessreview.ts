// authorization.k8s.io/v1 SubjectAccessReview: may this user? (`kubectl auth can-i --as`,
// webhook authorization of the kubelet's API).
import { kind } from '../../schema/meta.js';
import type { KindModule } from '../kind.js';
import { accessReviewSpec, accessReviewStatus, validateAccessReview } from './access-review.js';

export const subjectAccessReview: KindModule = {
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SubjectAccessReview',
  plural: 'subjectaccessreviews',
  namespaced: false,
  verbs: ['create'],
  review: true,
  schema: kind({ spec: accessReviewSpec(true), status: accessReviewStatus }),
  validate: (o, errs) => validateAccessReview(o, errs, true),
};

/** The namespaced form: the same question, limited to the namespace of the URL. */
export const localSubjectAccessReview: KindModule = {
  ...subjectAccessReview,
  kind: 'LocalSubjectAccessReview',
  plural: 'localsubjectaccessreviews',
  namespaced: true,
};

// authentication.k8s.io/v1 SelfSubjectReview: "who am I" (kubectl auth whoami); the answer is
// the requester's own user info.
import { kind } from '../../schema/meta.js';
import type { KindModule } from '../kind.js';

export const selfSubjectReview: KindModule = {
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectReview',
  plural: 'selfsubjectreviews',
  namespaced: false,
  verbs: ['create'],
  review: true,
  schema: kind({}),
};

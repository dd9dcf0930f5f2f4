// authentication.k8s.io/v1 SelfSubjectReview: "who am I" (kubectl auth whoami); the answer is
// the requester's own user info.
import { map, obj, str, strings } from '../../schema/dsl.js';
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
  schema: kind({ status: obj({ userInfo: obj({ username: str, uid: str, groups: strings, extra: map(strings) }) }) }),
};

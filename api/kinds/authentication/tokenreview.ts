// authentication.k8s.io/v1 TokenReview: does this token authenticate, and as whom (webhook
// token authentication, the kubelet's check of bearer tokens).
import { bool, map, obj, str, strings } from '../../schema/dsl.js';
import { kind } from '../../schema/meta.js';
import type { KindModule } from '../kind.js';

export const tokenReview: KindModule = {
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'TokenReview',
  plural: 'tokenreviews',
  namespaced: false,
  verbs: ['create'],
  review: true,
  schema: kind({
    spec: obj({ token: str, audiences: strings }),
    status: obj({ authenticated: bool, user: obj({ username: str, uid: str, groups: strings, extra: map(strings) }), audiences: strings, error: str }),
  }),
  validate(o, errs) {
    if (typeof (o.spec as { token?: unknown } | undefined)?.token !== 'string' || !(o.spec as { token: string }).token) errs.required('spec.token');
  },
};

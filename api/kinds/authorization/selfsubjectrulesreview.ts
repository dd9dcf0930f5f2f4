// authorization.k8s.io/v1 SelfSubjectRulesReview: everything I may do in a namespace
// (`kubectl auth can-i --list`).
import { bool, list, obj, str, strings } from '../../schema/dsl.js';
import { kind } from '../../schema/meta.js';
import type { KindModule } from '../kind.js';

export const selfSubjectRulesReview: KindModule = {
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectRulesReview',
  plural: 'selfsubjectrulesreviews',
  namespaced: false,
  verbs: ['create'],
  review: true,
  schema: kind({
    spec: obj({ namespace: str }),
    status: obj({
      resourceRules: list(obj({ verbs: strings, apiGroups: strings, resources: strings, resourceNames: strings })),
      nonResourceRules: list(obj({ verbs: strings, nonResourceURLs: strings })),
      incomplete: bool,
      evaluationError: str,
    }),
  }),
};

// rbac.authorization.k8s.io/v1 Role: what may be done in a namespace; the authorizer (apiserver/authz/) reads it.
// Names are path segments (system:aggregate-to-admin is valid).
import { createdAtColumns } from '../../printers.js';
import { list } from '../../schema/dsl.js';
import { kind } from '../../schema/meta.js';
import { policyRule, validatePolicyRules } from './rules.js';
import type { KindModule } from '../kind.js';

export const role: KindModule = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'Role',
  plural: 'roles',
  schema: kind({ rules: list(policyRule) }),
  columns: createdAtColumns,
  nameRule: 'path-segment',
  validate: (o, errs) => validatePolicyRules(o.rules, true, errs),
};

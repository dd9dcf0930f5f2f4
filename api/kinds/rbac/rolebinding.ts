// rbac.authorization.k8s.io/v1 RoleBinding: who is given a role in a namespace; the authorizer (apiserver/authz/) reads them.
// Names are path segments (system:aggregate-to-admin is valid).
import { list } from '../../schema/dsl.js';
import { kind } from '../../schema/meta.js';
import { bindingColumns, defaultBinding, roleRef, subject, validateBinding, validateBindingUpdate } from './rules.js';
import type { KindModule } from '../kind.js';

export const roleBinding: KindModule = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'RoleBinding',
  plural: 'rolebindings',
  schema: kind({ subjects: list(subject), roleRef }),
  columns: bindingColumns,
  nameRule: 'path-segment',
  defaults: defaultBinding,
  validate: (o, errs) => validateBinding(o, true, errs),
  validateUpdate: validateBindingUpdate,
};

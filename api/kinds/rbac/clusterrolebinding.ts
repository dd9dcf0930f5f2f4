// rbac.authorization.k8s.io/v1 ClusterRoleBinding: who is given a role across the cluster; the authorizer (apiserver/authz/) reads them.
// Names are path segments (system:aggregate-to-admin is valid).
import { list } from '../../schema/dsl.js';
import { kind } from '../../schema/meta.js';
import { bindingColumns, defaultBinding, roleRef, subject, validateBinding, validateBindingUpdate } from './rules.js';
import type { KindModule } from '../kind.js';

export const clusterRoleBinding: KindModule = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'ClusterRoleBinding',
  plural: 'clusterrolebindings',
  namespaced: false,
  schema: kind({ subjects: list(subject), roleRef }),
  columns: bindingColumns,
  nameRule: 'path-segment',
  defaults: defaultBinding,
  validate: (o, errs) => validateBinding(o, false, errs),
  validateUpdate: validateBindingUpdate,
};

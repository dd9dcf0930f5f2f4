// rbac.authorization.k8s.io/v1 ClusterRoleBinding: stored and served; enforcement comes with issue 12.
// Names are path segments (system:aggregate-to-admin is valid).
import { list } from '../../schema/dsl.js';
import { kind } from '../../schema/meta.js';
import { bindingColumns, roleRef, subject } from './rules.js';
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
};

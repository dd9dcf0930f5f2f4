// rbac.authorization.k8s.io/v1 Role: stored and served; enforcement comes with issue 12.
// Names are path segments (system:aggregate-to-admin is valid).
import { createdAtColumns } from '../../printers.js';
import { list } from '../../schema/dsl.js';
import { kind } from '../../schema/meta.js';
import { policyRule } from './rules.js';
import type { KindModule } from '../kind.js';

export const role: KindModule = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'Role',
  plural: 'roles',
  schema: kind({ rules: list(policyRule) }),
  columns: createdAtColumns,
  nameRule: 'path-segment',
};

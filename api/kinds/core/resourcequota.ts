// v1 ResourceQuota: the apiserver's ResourceQuota admission enforces it and the
// controller-manager's resourcequota controller keeps its status (counting: api/quota.ts).
import { ageCol, col, nameCol } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import type { KubeObject } from '../../types/meta.js';
import { validateResourceQuota } from '../../validation/resource-quota.js';
import { withStatus } from '../strategy.js';
import { statusOf, type KindModule } from '../kind.js';

/** `name: used/hard, ...` of the requests (or limits, the `limits.*` names), sorted by name. */
function usedOfHard(o: KubeObject, limits: boolean): string {
  const hard = (o.spec?.hard ?? {}) as Record<string, string>;
  const used = (o.status?.used ?? {}) as Record<string, string>;
  return Object.keys(hard)
    .sort()
    .filter((name) => name.startsWith('limits.') === limits)
    .map((name) => `${name}: ${used[name] ?? '0'}/${hard[name]}`)
    .join(', ');
}

export const resourceQuota: KindModule = {
  group: '',
  version: 'v1',
  kind: 'ResourceQuota',
  plural: 'resourcequotas',
  shortNames: ['quota'],
  subresources: [statusOf('ResourceQuota')],
  schema: schemaFromProtobuf('v1', 'ResourceQuota'),
  columns: [nameCol, ageCol, col('Request', (o) => usedOfHard(o, false)), col('Limit', (o) => usedOfHard(o, true))],
  validate: validateResourceQuota,
  strategy: withStatus(),
};

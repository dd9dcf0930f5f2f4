// v1 ResourceQuota: the apiserver's ResourceQuota admission enforces it and the
// controller-manager's resourcequota controller keeps its status (counting: api/quota.ts).
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import { withStatus } from '../strategy.js';
import { statusOf, type KindModule } from '../kind.js';

export const resourceQuota: KindModule = {
  group: '',
  version: 'v1',
  kind: 'ResourceQuota',
  plural: 'resourcequotas',
  shortNames: ['quota'],
  subresources: [statusOf('ResourceQuota')],
  schema: schemaFromProtobuf('v1', 'ResourceQuota'),
  strategy: withStatus(),
};

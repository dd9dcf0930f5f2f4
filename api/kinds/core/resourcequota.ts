// v1 ResourceQuota: stored and served; not enforced yet.
import { specStatus } from '../../schema/workloads.js';
import { withStatus } from '../strategy.js';
import { statusOf, type KindModule } from '../kind.js';

export const resourceQuota: KindModule = {
  group: '',
  version: 'v1',
  kind: 'ResourceQuota',
  plural: 'resourcequotas',
  shortNames: ['quota'],
  subresources: [statusOf('ResourceQuota')],
  schema: specStatus,
  strategy: withStatus(),
};

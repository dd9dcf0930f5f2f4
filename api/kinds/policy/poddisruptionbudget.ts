// policy/v1 PodDisruptionBudget: stored and served; evictions do not consult it yet.
import { specStatus } from '../../schema/workloads.js';
import { withStatus } from '../strategy.js';
import { statusOf, type KindModule } from '../kind.js';

export const podDisruptionBudget: KindModule = {
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  plural: 'poddisruptionbudgets',
  shortNames: ['pdb'],
  subresources: [statusOf('PodDisruptionBudget')],
  schema: specStatus,
  strategy: withStatus(),
};

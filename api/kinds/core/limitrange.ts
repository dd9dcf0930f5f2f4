// v1 LimitRange: stored and served; nothing acts on it yet.
import { specStatus } from '../../schema/workloads.js';
import type { KindModule } from '../kind.js';

export const limitRange: KindModule = {
  group: '',
  version: 'v1',
  kind: 'LimitRange',
  plural: 'limitranges',
  shortNames: ['limits'],
  schema: specStatus,
};

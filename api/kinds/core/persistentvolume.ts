// v1 PersistentVolume: stored and served; provisioning and binding come with issue 13.
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import { withStatus } from '../strategy.js';
import { statusOf, type KindModule } from '../kind.js';

export const persistentVolume: KindModule = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolume',
  plural: 'persistentvolumes',
  namespaced: false,
  shortNames: ['pv'],
  subresources: [statusOf('PersistentVolume')],
  schema: schemaFromProtobuf('v1', 'PersistentVolume'),
  strategy: withStatus(),
};

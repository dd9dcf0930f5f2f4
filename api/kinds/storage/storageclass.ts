// storage.k8s.io/v1 StorageClass: stored and served; content not described yet.
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import type { KindModule } from '../kind.js';

export const storageClass: KindModule = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'StorageClass',
  plural: 'storageclasses',
  namespaced: false,
  shortNames: ['sc'],
  schema: schemaFromProtobuf('storage.k8s.io/v1', 'StorageClass'),
};

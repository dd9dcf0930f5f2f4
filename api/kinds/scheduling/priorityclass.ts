// scheduling.k8s.io/v1 PriorityClass: stored and served; content not described yet.
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import type { KindModule } from '../kind.js';

export const priorityClass: KindModule = {
  group: 'scheduling.k8s.io',
  version: 'v1',
  kind: 'PriorityClass',
  plural: 'priorityclasses',
  namespaced: false,
  shortNames: ['pc'],
  schema: schemaFromProtobuf('scheduling.k8s.io/v1', 'PriorityClass'),
};

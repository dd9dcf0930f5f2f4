// networking.k8s.io/v1 IngressClass: stored and served.
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import type { KindModule } from '../kind.js';

export const ingressClass: KindModule = {
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'IngressClass',
  plural: 'ingressclasses',
  generation: true,
  namespaced: false,
  schema: schemaFromProtobuf('networking.k8s.io/v1', 'IngressClass'),
};

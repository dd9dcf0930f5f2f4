// networking.k8s.io/v1 IngressClass: stored, validated and served.
import { ageCol, col, nameCol } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import { validateIngressClass, validateIngressClassUpdate } from '../../validation/ingress.js';
import type { KindModule } from '../kind.js';

export const ingressClass: KindModule = {
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'IngressClass',
  plural: 'ingressclasses',
  generation: true,
  namespaced: false,
  schema: schemaFromProtobuf('networking.k8s.io/v1', 'IngressClass'),
  columns: [
    nameCol,
    col('Controller', (o) => String(o.spec?.controller ?? '')),
    col('Parameters', (o) => {
      const p = o.spec?.parameters;
      return p ? `${p.kind ?? ''}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name ?? ''}` : '<none>';
    }),
    ageCol,
  ],
  validate: validateIngressClass,
  validateUpdate: validateIngressClassUpdate,
};

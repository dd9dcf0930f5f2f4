// networking.k8s.io/v1 Ingress: stored, validated and served; no ingress controller yet.
import type { Unstructured } from '../../types/meta.js';
import { ageCol, col, nameCol, none } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import { withStatus } from '../strategy.js';
import { setIfMissing } from '../../defaulting.js';
import { validateIngress } from '../../validation/ingress.js';
import { statusOf, type KindModule } from '../kind.js';

export const ingress: KindModule = {
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'Ingress',
  plural: 'ingresses',
  generation: true,
  shortNames: ['ing'],
  subresources: [statusOf('Ingress')],
  schema: schemaFromProtobuf('networking.k8s.io/v1', 'Ingress'),
  columns: [
    nameCol,
    col('Class', (o) => none(o.spec?.ingressClassName)),
    col('Hosts', (o) => ((o.spec?.rules ?? []) as Unstructured[]).map((r) => r.host).filter(Boolean).join(',') || '*'),
    col('Address', (o) => ((o.status?.loadBalancer?.ingress ?? []) as Unstructured[]).map((i) => i.ip || i.hostname).join(',')),
    col('Ports', (o) => ((o.spec?.tls ?? []).length ? '80, 443' : '80')),
    ageCol,
  ],
  validate: validateIngress,
  defaults(o) {
    if (o.status && typeof o.status === 'object') setIfMissing(o.status, 'loadBalancer', {});
  },
  strategy: withStatus({
    prepareForCreate(o) {
      o.metadata.generation = 1;
      // Kubernetes' IngressStatus always carries its (possibly empty) loadBalancer, as a Service's does.
      o.status = { loadBalancer: {} };
    },
  }),
};

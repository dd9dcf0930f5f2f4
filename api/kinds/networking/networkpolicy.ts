// networking.k8s.io/v1 NetworkPolicy: stored and served; not enforced.
import { labelSelectorToString } from '../../labels.js';
import { ageCol, col, nameCol } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import type { KindModule } from '../kind.js';

export const networkPolicy: KindModule = {
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'NetworkPolicy',
  plural: 'networkpolicies',
  generation: true,
  shortNames: ['netpol'],
  schema: schemaFromProtobuf('networking.k8s.io/v1', 'NetworkPolicy'),
  columns: [nameCol, col('Pod-Selector', (o) => labelSelectorToString(o.spec?.podSelector) || '<none>'), ageCol],
};

// v1 ServiceAccount: an identity for pods (tokens come with issue 12).
import type { Unstructured } from '../../types/meta.js';
import { ageCol, col, nameCol } from '../../printers.js';
import { bool, list } from '../../schema/dsl.js';
import { kind, localObjectReference, objectReference } from '../../schema/meta.js';
import type { KindModule } from '../kind.js';

export const serviceAccount: KindModule = {
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  shortNames: ['sa'],
  schema: kind({
    secrets: list(objectReference, 'name'),
    imagePullSecrets: list(localObjectReference),
    automountServiceAccountToken: bool,
  }),
  columns: [nameCol, col('Secrets', (o) => ((o.secrets as Unstructured[]) ?? []).length, { type: 'integer' }), ageCol],
};

// v1 ServiceAccount: an identity for pods; serviceaccounts/token issues its bound tokens
// (TokenRequest, `kubectl create token`).
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
  subresources: [{ name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] }],
  schema: kind({
    secrets: list(objectReference, 'name'),
    imagePullSecrets: list(localObjectReference),
    automountServiceAccountToken: bool,
  }),
  columns: [nameCol, col('Secrets', (o) => ((o.secrets as Unstructured[]) ?? []).length, { type: 'integer' }), ageCol],
};

// v1 Namespace: Active until deleted, then Terminating until the namespace controller has
// emptied it and cleared spec.finalizers (through the finalize subresource).
import { clone } from '../../codec/values.js';
import { setIfMissing } from '../../defaulting.js';
import { ageCol, col, nameCol } from '../../printers.js';
import { obj, open, strings } from '../../schema/dsl.js';
import { conditions, kind } from '../../schema/meta.js';
import type { KubeObject } from '../../types/meta.js';
import { validateFinalizers } from '../../validation/object-meta.js';
import { bumpGenerationOnSpecChange, withStatus } from '../strategy.js';
import { fieldText, NO_COLLECTION_DELETE, statusOf, type KindModule } from '../kind.js';

export const namespace: KindModule = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  namespaced: false,
  shortNames: ['ns'],
  verbs: NO_COLLECTION_DELETE,
  subresources: [statusOf('Namespace'), { name: 'finalize', kind: 'Namespace', verbs: ['update'] }],
  schema: kind({ spec: obj({ finalizers: strings }), status: open({ conditions }) }),
  columns: [nameCol, col('Status', (o) => o.status?.phase ?? 'Active', { description: 'The status of the namespace' }), ageCol],
  nameRule: 'label',
  defaults(o) {
    const status = o.status ?? (o.status = {});
    setIfMissing(status, 'phase', 'Active');
    // Every namespace carries its own name as a label, so selectors can pick namespaces.
    o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name ?? '' };
  },
  validate: (o, errs) => validateFinalizers(o.spec?.finalizers, true, errs, 'spec.finalizers'),
  strategy: withStatus({
    prepareForCreate(ns: KubeObject) {
      ns.metadata.generation = 1;
      ns.status = { phase: 'Active' };
      // Every namespace starts with the namespace controller's finalizer, added here rather than
      // as a default (as in Kubernetes): it is nobody's field, and it may be removed later.
      const spec = (ns.spec ?? (ns.spec = {})) as { finalizers?: unknown };
      const finalizers = Array.isArray(spec.finalizers) ? spec.finalizers : [];
      spec.finalizers = finalizers.includes('kubernetes') ? finalizers : [...finalizers, 'kubernetes'];
    },
    prepareForUpdate(next, prev) {
      next.status = clone(prev.status);
      // spec.finalizers change only through the finalize subresource.
      next.spec = { ...(next.spec ?? {}), finalizers: prev.spec?.finalizers };
      bumpGenerationOnSpecChange(next, prev);
    },
    beginDelete(ns) {
      ns.status = { ...(ns.status ?? {}), phase: 'Terminating' };
      return (ns.spec?.finalizers ?? []).length > 0;
    },
    // A namespace goes only once the namespace controller has emptied it and cleared spec.finalizers.
    readyToRemove: (ns) => (ns.spec?.finalizers ?? []).length === 0,
    returnDeletedObject: true,
  }),
  selectableFields: (o) => ({ 'status.phase': fieldText(o.status?.phase) }),
};

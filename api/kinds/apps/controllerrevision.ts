// apps/v1 ControllerRevision: an immutable snapshot of a workload's template.
import { deepEqual } from '../../codec/values.js';
import { ageCol, col, nameCol } from '../../printers.js';
import { any, int } from '../../schema/dsl.js';
import { kind } from '../../schema/meta.js';
import type { KindModule } from '../kind.js';

export const controllerRevision: KindModule = {
  group: 'apps',
  version: 'v1',
  kind: 'ControllerRevision',
  plural: 'controllerrevisions',
  schema: kind({ data: any, revision: int }),
  // As Kubernetes validates it: data is mandatory and never changes; only the revision
  // number moves (a controller renumbering a revision it rolls back to).
  validate(obj, errs) {
    if (obj.data === undefined || obj.data === null) errs.required('data', 'data is mandatory');
    const revision = obj.revision as number | undefined;
    if (typeof revision === 'number' && revision < 0) errs.invalid('revision', revision, 'must be greater than or equal to 0');
  },
  validateUpdate(next, prev, errs) {
    if (!deepEqual(next.data, prev.data)) errs.invalid('data', next.data, 'field is immutable');
  },
  columns: [
    nameCol,
    col('Controller', (o) => {
      const owner = (o.metadata.ownerReferences ?? []).find((r) => r.controller);
      return owner ? `${owner.kind.toLowerCase()}.${owner.apiVersion.split('/')[0]}/${owner.name}` : '<none>';
    }),
    col('Revision', (o) => Number(o.revision ?? 0), { type: 'integer' }),
    ageCol,
  ],
};

// apps/v1 ControllerRevision: an immutable snapshot of a workload's template.
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

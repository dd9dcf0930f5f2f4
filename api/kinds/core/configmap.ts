// v1 ConfigMap: data and binaryData under keys that become file names in volumes.
import { ageCol, col, dataCount, nameCol } from '../../printers.js';
import { bool, bytes, map, stringMap } from '../../schema/dsl.js';
import { kind } from '../../schema/meta.js';
import { immutable, validateDataKeys } from '../../validation/workloads.js';
import type { KindModule } from '../kind.js';

export const configMap: KindModule = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  shortNames: ['cm'],
  schema: kind({ data: stringMap, binaryData: map(bytes), immutable: bool }),
  columns: [nameCol, col('Data', dataCount, { type: 'integer' }), ageCol],
  validate: (o, errs) => validateDataKeys(o, { data: 'utf8', binaryData: 'base64' }, errs),
  validateUpdate(next, prev, errs) {
    if (!prev.immutable) return;
    immutable(next.data, prev.data, 'data', errs);
    immutable(next.binaryData, prev.binaryData, 'binaryData', errs);
    immutable(next.immutable, prev.immutable, 'immutable', errs);
  },
};

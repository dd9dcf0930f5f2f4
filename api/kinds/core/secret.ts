// v1 Secret: base64 data (stringData is folded into it on write and never stored).
import type { Unstructured } from '../../types/meta.js';
import { asText, setOwn } from '../../codec/values.js';
import { setIfMissing } from '../../defaulting.js';
import { ageCol, col, dataCount, nameCol } from '../../printers.js';
import { bool, bytes, map, str, stringMap } from '../../schema/dsl.js';
import { kind } from '../../schema/meta.js';
import { immutable, validateDataKeys } from '../../validation/workloads.js';
import { fieldText, type KindModule } from '../kind.js';

export const secret: KindModule = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  schema: kind({ data: map(bytes), stringData: stringMap, type: str, immutable: bool }),
  columns: [nameCol, col('Type', (o) => asText(o.type ?? 'Opaque')), col('Data', dataCount, { type: 'integer' }), ageCol],
  defaults(o) {
    setIfMissing(o as Unstructured, 'type', 'Opaque');
    // stringData is write-only: it is merged into data (winning over it) and never stored.
    const stringData = o.stringData as Record<string, string> | undefined;
    if (stringData) {
      const data = ((o as Unstructured).data ??= {});
      for (const [k, v] of Object.entries(stringData)) setOwn(data, k, Buffer.from(String(v), 'utf8').toString('base64'));
      delete o.stringData;
    }
  },
  validate: (o, errs) => validateDataKeys(o, ['data', 'stringData'], errs),
  validateUpdate(next, prev, errs) {
    immutable(next.type, prev.type, 'type', errs);
    if (prev.immutable) {
      immutable(next.data, prev.data, 'data', errs);
      immutable(next.immutable, prev.immutable, 'immutable', errs);
    }
  },
  selectableFields: (o) => ({ type: fieldText(o.type) }),
};

// v1 Binding: a pod's assignment to a node, written once by the scheduler (pods/binding does
// the same); never stored as an object of its own.
import { kind } from '../../schema/meta.js';
import { objectReference } from '../../schema/meta.js';
import type { KindModule } from '../kind.js';

export const binding: KindModule = {
  group: '',
  version: 'v1',
  kind: 'Binding',
  plural: 'bindings',
  verbs: ['create'],
  schema: kind({ target: objectReference }),
  validate(o, errs) {
    if (!(o.target as Record<string, unknown> | undefined)?.name) errs.required('target.name');
  },
};

// v1 LimitRange: stored and served; nothing acts on it yet.
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import type { KindModule } from '../kind.js';

export const limitRange: KindModule = {
  group: '',
  version: 'v1',
  kind: 'LimitRange',
  plural: 'limitranges',
  shortNames: ['limits'],
  schema: schemaFromProtobuf('v1', 'LimitRange'),
};

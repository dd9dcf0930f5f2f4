// v1 LimitRange: per-namespace bounds and defaults of containers', pods' and claims' resources,
// which the apiserver's LimitRanger admission plugin applies (apiserver/admission/limit-ranger.ts).
import { parseQuantity } from '../../quantity.js';
import { validateResourceList } from '../../validation/resource-list.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import type { KindModule } from '../kind.js';

const TYPES = ['Container', 'Pod', 'PersistentVolumeClaim'];
type Resources = Record<string, string>;

export const limitRange: KindModule = {
  group: '',
  version: 'v1',
  kind: 'LimitRange',
  plural: 'limitranges',
  shortNames: ['limits'],
  schema: schemaFromProtobuf('v1', 'LimitRange'),
  // Kubernetes' defaults for a Container item: the default limit is the max, the default
  // request the default limit, else the min.
  defaults(o) {
    for (const item of Array.isArray(o.spec?.limits) ? (o.spec.limits as Record<string, any>[]) : []) {
      if (!item || item.type !== 'Container') continue;
      const def: Resources = (item.default ??= {});
      const req: Resources = (item.defaultRequest ??= {});
      for (const [k, v] of Object.entries((item.max ?? {}) as Resources)) def[k] ??= v;
      for (const [k, v] of Object.entries(def)) req[k] ??= v;
      for (const [k, v] of Object.entries((item.min ?? {}) as Resources)) req[k] ??= v;
    }
  },
  validate(o, errs) {
    const seen = new Set<unknown>();
    for (const [i, item] of (Array.isArray(o.spec?.limits) ? (o.spec.limits as Record<string, any>[]) : []).entries()) {
      const f = `spec.limits[${i}]`;
      if (!TYPES.includes(item?.type)) errs.notSupported(`${f}.type`, item?.type, TYPES);
      if (item?.type !== 'Container' && (item?.default || item?.defaultRequest) && (Object.keys(item.default ?? {}).length || Object.keys(item.defaultRequest ?? {}).length)) {
        errs.forbidden(`${f}.default`, 'may not be specified when `type` is not \'Container\'');
      }
      if (seen.has(item?.type)) errs.duplicate(`${f}.type`, item.type);
      seen.add(item?.type);
      for (const bound of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) validateResourceList(item?.[bound], `${f}.${bound}`, errs);
      const q = (m: Resources | undefined, k: string) => parseQuantity(m?.[k]);
      const names = new Set([...Object.keys(item?.min ?? {}), ...Object.keys(item?.max ?? {}), ...Object.keys(item?.default ?? {}), ...Object.keys(item?.defaultRequest ?? {})]);
      for (const k of names) {
        const min = q(item.min, k);
        const max = q(item.max, k);
        const def = q(item.default, k);
        const req = q(item.defaultRequest, k);
        if (min !== undefined && max !== undefined && min > max) errs.invalid(`${f}.min[${k}]`, item.min[k], `min value ${item.min[k]} is greater than max value ${item.max[k]}`);
        if (req !== undefined && max !== undefined && req > max) errs.invalid(`${f}.defaultRequest[${k}]`, item.defaultRequest[k], `default request value ${item.defaultRequest[k]} is greater than max value ${item.max[k]}`);
        if (req !== undefined && min !== undefined && req < min) errs.invalid(`${f}.defaultRequest[${k}]`, item.defaultRequest[k], `min value ${item.min[k]} is greater than default request value ${item.defaultRequest[k]}`);
        if (def !== undefined && max !== undefined && def > max) errs.invalid(`${f}.default[${k}]`, item.default[k], `default value ${item.default[k]} is greater than max value ${item.max[k]}`);
        if (def !== undefined && min !== undefined && def < min) errs.invalid(`${f}.default[${k}]`, item.default[k], `min value ${item.min[k]} is greater than default value ${item.default[k]}`);
        if (req !== undefined && def !== undefined && req > def) errs.invalid(`${f}.defaultRequest[${k}]`, item.defaultRequest[k], `default request value ${item.defaultRequest[k]} is greater than default limit value ${item.default[k]}`);
      }
      for (const [k, v] of Object.entries((item?.maxLimitRequestRatio ?? {}) as Resources)) {
        const ratio = parseQuantity(v);
        if (ratio !== undefined && ratio < 1) errs.invalid(`${f}.maxLimitRequestRatio[${k}]`, v, `ratio ${v} is less than 1`);
      }
    }
  },
};

// policy/v1 PodDisruptionBudget: how many of a set of pods must stay up through voluntary
// disruptions. The disruption controller keeps its status; evictions consult it.
import { ageCol, col, nameCol } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import { hasInvalidSelectorValue, validateLabelSelector } from '../../validation/label-selector.js';
import { withStatus } from '../strategy.js';
import { statusOf, type KindModule } from '../kind.js';

const intOrPercent = (v: unknown) => (v === undefined || v === null ? 'N/A' : String(v));

function checkIntOrPercent(value: unknown, path: string, errs: Parameters<NonNullable<KindModule['validate']>>[1]): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) errs.invalid(path, value, 'must be greater than or equal to 0');
    return;
  }
  const m = /^(\d+)%$/.exec(String(value));
  if (!m) errs.invalid(path, value, 'a valid percent string must be a numeric string followed by an ending \'%\' (e.g. \'1%\',  or \'93%\', regex used for validation is \'[0-9]+%\')');
  else if (Number(m[1]) > 100) errs.invalid(path, value, 'must not be greater than 100%');
}

export const podDisruptionBudget: KindModule = {
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  plural: 'poddisruptionbudgets',
  generation: true,
  shortNames: ['pdb'],
  subresources: [statusOf('PodDisruptionBudget')],
  schema: schemaFromProtobuf('policy/v1', 'PodDisruptionBudget'),
  columns: [
    nameCol,
    col('Min Available', (o) => intOrPercent(o.spec?.minAvailable), { description: 'The minimum number of pods that must be available' }),
    col('Max Unavailable', (o) => intOrPercent(o.spec?.maxUnavailable), { description: 'The maximum number of pods that may be unavailable' }),
    col('Allowed Disruptions', (o) => Number(o.status?.disruptionsAllowed ?? 0), { type: 'integer', description: 'Calculated number of pods that may be disrupted at this time' }),
    ageCol,
  ],
  validate(o, errs, prev) {
    const spec = o.spec ?? {};
    validateLabelSelector(spec.selector, 'spec.selector', errs, { allowInvalidValues: prev !== undefined && hasInvalidSelectorValue([prev.spec?.selector]) });
    if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined && spec.minAvailable !== null && spec.maxUnavailable !== null) {
      errs.invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set');
    }
    checkIntOrPercent(spec.minAvailable, 'spec.minAvailable', errs);
    checkIntOrPercent(spec.maxUnavailable, 'spec.maxUnavailable', errs);
    if (spec.unhealthyPodEvictionPolicy !== undefined && !['IfHealthyBudget', 'AlwaysAllow'].includes(spec.unhealthyPodEvictionPolicy)) {
      errs.notSupported('spec.unhealthyPodEvictionPolicy', spec.unhealthyPodEvictionPolicy, ['IfHealthyBudget', 'AlwaysAllow']);
    }
  },
  strategy: withStatus(),
};

// coordination.k8s.io/v1 Lease: node heartbeats and leader election.
import { ageCol, col, nameCol } from '../../printers.js';
import { int32, microTime, obj, str } from '../../schema/dsl.js';
import { kind } from '../../schema/meta.js';
import { nonNegative } from '../../validation/workloads.js';
import { defaultStrategy } from '../strategy.js';
import type { KindModule } from '../kind.js';

export const lease: KindModule = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  schema: kind({
    spec: obj({
      holderIdentity: str,
      leaseDurationSeconds: int32,
      acquireTime: microTime,
      renewTime: microTime,
      leaseTransitions: int32,
      strategy: str,
      preferredHolder: str,
    }),
  }),
  columns: [nameCol, col('Holder', (o) => o.spec?.holderIdentity ?? ''), ageCol],
  validate(o, errs) {
    const duration = o.spec?.leaseDurationSeconds;
    if (duration !== undefined && duration !== null && !(typeof duration === 'number' && duration > 0)) errs.invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0');
    nonNegative(o.spec?.leaseTransitions, 'spec.leaseTransitions', errs);
  },
  strategy: { ...defaultStrategy, allowCreateOnUpdate: true },
};

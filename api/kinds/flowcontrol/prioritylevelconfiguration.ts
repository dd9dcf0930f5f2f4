// flowcontrol.apiserver.k8s.io/v1 PriorityLevelConfiguration: one priority level of API Priority
// and Fairness, exempt or limited (its share of the server's concurrency, and whether excess
// requests queue or are rejected). Served and checked as Kubernetes 1.32 does, with the two
// mandatory levels (the suggested ones are in suggested-configuration.ts).
import { ageCol, col, nameCol } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import type { KubeObject } from '../../types/meta.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { withStatus } from '../strategy.js';
import { statusOf, type KindModule } from '../kind.js';

const TYPES = ['Exempt', 'Limited'];
const RESPONSES = ['Queue', 'Reject'];
const AUTOUPDATE = { 'apf.kubernetes.io/autoupdate-spec': 'true' };

/** The levels every cluster has, as Kubernetes' apiserver keeps them. */
export const MANDATORY_PRIORITY_LEVELS: KubeObject[] = [
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'PriorityLevelConfiguration',
    metadata: { name: 'exempt', annotations: AUTOUPDATE },
    spec: { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } },
  },
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'PriorityLevelConfiguration',
    metadata: { name: 'catch-all', annotations: AUTOUPDATE },
    spec: { type: 'Limited', limited: { nominalConcurrencyShares: 5, lendablePercent: 0, limitResponse: { type: 'Reject' } } },
  },
];

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const MAX_QUEUES = 10_000_000;

/** What a Queue level's queuing defaults to, as in Kubernetes. */
export const QUEUING_DEFAULTS = { queues: 64, handSize: 8, queueLengthLimit: 50 } as const;
const MAX_HASH_BITS = 60;

function validatePercent(v: unknown, path: string, errs: FieldErrors): void {
  if (v === undefined || v === null) return;
  if (isInt(v) && (v < 0 || v > 100)) errs.invalid(path, v, 'must be between 0 and 100, inclusive');
}

function validateLimited(limited: Record<string, any>, errs: FieldErrors): void {
  const ncs = limited.nominalConcurrencyShares;
  if (isInt(ncs) && ncs < 0) errs.invalid('spec.limited.nominalConcurrencyShares', ncs, 'must be a non-negative integer');
  validatePercent(limited.lendablePercent, 'spec.limited.lendablePercent', errs);
  const borrowing = limited.borrowingLimitPercent;
  if (isInt(borrowing) && borrowing < 0) errs.invalid('spec.limited.borrowingLimitPercent', borrowing, 'if specified, must be a non-negative integer');
  const response = limited.limitResponse ?? {};
  if (!RESPONSES.includes(response.type)) return errs.notSupported('spec.limited.limitResponse.type', response.type ?? '', RESPONSES);
  const q = response.queuing;
  if (response.type === 'Reject') {
    if (q !== undefined && q !== null) errs.forbidden('spec.limited.limitResponse.queuing', 'must be nil if limited.limitResponse.type is not Limited');
    return;
  }
  if (!q) return errs.required('spec.limited.limitResponse.queuing', 'must not be empty if limited.limitResponse.type is Limited');
  const path = 'spec.limited.limitResponse.queuing';
  if (isInt(q.queueLengthLimit) && q.queueLengthLimit <= 0) errs.invalid(`${path}.queueLengthLimit`, q.queueLengthLimit, 'must be positive');
  if (isInt(q.queues) && q.queues <= 0) errs.invalid(`${path}.queues`, q.queues, 'must be positive');
  else if (isInt(q.queues) && q.queues > MAX_QUEUES) errs.invalid(`${path}.queues`, q.queues, `must not be greater than ${MAX_QUEUES}`);
  if (isInt(q.handSize) && q.handSize <= 0) errs.invalid(`${path}.handSize`, q.handSize, 'must be positive');
  else if (isInt(q.handSize) && isInt(q.queues) && q.handSize > q.queues) errs.invalid(`${path}.handSize`, q.handSize, `should not be greater than queues (${q.queues})`);
  // Shuffle sharding draws the hand from a 60-bit hash: log2(queues) bits per card.
  else if (isInt(q.handSize) && isInt(q.queues) && q.queues > 0 && Math.ceil(Math.log2(q.queues) * q.handSize) > MAX_HASH_BITS) {
    errs.invalid(`${path}.handSize`, q.handSize, `required entropy bits of deckSize ${q.queues} and handSize ${q.handSize} should not be greater than ${MAX_HASH_BITS}`);
  }
}

export const priorityLevelConfiguration: KindModule = {
  group: 'flowcontrol.apiserver.k8s.io',
  version: 'v1',
  kind: 'PriorityLevelConfiguration',
  plural: 'prioritylevelconfigurations',
  namespaced: false,
  generation: true,
  subresources: [statusOf('PriorityLevelConfiguration')],
  schema: schemaFromProtobuf('flowcontrol.apiserver.k8s.io/v1', 'PriorityLevelConfiguration'),
  columns: [
    nameCol,
    col('Type', (o) => String(o.spec?.type ?? ''), { description: '`type` indicates whether this priority level is subject to limitation on request execution.' }),
    col('NominalConcurrencyShares', (o) => (o.spec?.limited ? Number(o.spec.limited.nominalConcurrencyShares ?? 0) : '<none>'), { description: 'The nominal concurrency shares of a limited level.' }),
    col('Queues', (o) => (o.spec?.limited?.limitResponse?.queuing ? Number(o.spec.limited.limitResponse.queuing.queues ?? 0) : '<none>'), { description: 'The number of queues of a queuing level.' }),
    col('HandSize', (o) => (o.spec?.limited?.limitResponse?.queuing ? Number(o.spec.limited.limitResponse.queuing.handSize ?? 0) : '<none>'), { description: 'The hand size of shuffle sharding.' }),
    col('QueueLengthLimit', (o) => (o.spec?.limited?.limitResponse?.queuing ? Number(o.spec.limited.limitResponse.queuing.queueLengthLimit ?? 0) : '<none>'), { description: 'The most requests a queue holds.' }),
    ageCol,
  ],
  defaults(o) {
    const spec = o.spec ?? (o.spec = {});
    if (spec.type === 'Limited' && spec.limited && typeof spec.limited === 'object') {
      spec.limited.nominalConcurrencyShares ??= 30;
      spec.limited.lendablePercent ??= 0;
      const response = spec.limited.limitResponse;
      if (response?.type === 'Queue') {
        const q = (response.queuing ??= {});
        q.queues ??= QUEUING_DEFAULTS.queues;
        q.handSize ??= QUEUING_DEFAULTS.handSize;
        q.queueLengthLimit ??= QUEUING_DEFAULTS.queueLengthLimit;
      }
    }
    if (spec.type === 'Exempt' && spec.exempt && typeof spec.exempt === 'object') {
      spec.exempt.nominalConcurrencyShares ??= 0;
      spec.exempt.lendablePercent ??= 0;
    }
  },
  validate(o, errs) {
    const spec = o.spec ?? {};
    const name = o.metadata.name ?? '';
    if (!TYPES.includes(spec.type)) return errs.notSupported('spec.type', spec.type ?? '', TYPES);
    if ((name === 'exempt') !== (spec.type === 'Exempt')) errs.invalid('spec.type', spec.type, "type must be 'Exempt' if and only if name is 'exempt'");
    if (spec.type === 'Exempt') {
      if (spec.limited !== undefined && spec.limited !== null) errs.forbidden('spec.limited', 'must be nil if the type is not Limited');
      if (spec.exempt) {
        const ncs = spec.exempt.nominalConcurrencyShares;
        if (isInt(ncs) && ncs < 0) errs.invalid('spec.exempt.nominalConcurrencyShares', ncs, 'must be a non-negative integer');
        validatePercent(spec.exempt.lendablePercent, 'spec.exempt.lendablePercent', errs);
      }
      return;
    }
    if (spec.exempt !== undefined && spec.exempt !== null) errs.forbidden('spec.exempt', 'must be nil if the type is Limited');
    if (!spec.limited) return errs.required('spec.limited', 'must not be empty when type is Limited');
    validateLimited(spec.limited, errs);
  },
  strategy: withStatus(),
};

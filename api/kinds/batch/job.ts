// batch/v1 Job: pods run to completion. A Job gets a selector on its own uid unless the user
// manages it (spec.manualSelector).
import { ageSince } from '../../duration.js';
import { defaultJobSpec } from '../../defaulting.js';
import { ageCol, col, containersCol, imagesCol, nameCol, selectorCol } from '../../printers.js';
import { open } from '../../schema/dsl.js';
import { conditions, kind } from '../../schema/meta.js';
import { jobSpec } from '../../schema/workloads.js';
import type { KubeObject } from '../../types/meta.js';
import { immutable, selectorImmutable, validateJobSpec, validateSelectorAndTemplate } from '../../validation/workloads.js';
import { resetStatus, withStatus } from '../strategy.js';
import { ALL, fieldText, statusOf, type KindModule } from '../kind.js';

function jobStatus(o: KubeObject): string {
  const conds: any[] = o.status?.conditions ?? [];
  const has = (t: string) => conds.some((c) => c.type === t && c.status === 'True');
  if (has('Failed')) return 'Failed';
  if (has('Complete')) return 'Complete';
  if (has('FailureTarget')) return 'FailureTarget';
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (has('Suspended')) return 'Suspended';
  if (o.metadata.deletionTimestamp) return 'Terminating';
  return 'Running';
}

export const job: KindModule = {
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  plural: 'jobs',
  generation: true,
  categories: ALL,
  subresources: [statusOf('Job')],
  schema: kind({ spec: jobSpec, status: open({ conditions }) }),
  columns: [
    nameCol,
    col('Status', jobStatus, { description: 'Status of the job.' }),
    col('Completions', (o) => `${o.status?.succeeded ?? 0}/${o.spec?.completions ?? 1}`, { description: 'The desired number of successfully finished pods the job should be run with.' }),
    col('Duration', (o, now) => {
      const start = o.status?.startTime;
      if (!start) return '';
      const end = o.status?.completionTime ? Date.parse(o.status.completionTime) : now;
      return ageSince(start, end);
    }, { description: 'Time required to complete the job.', reads: (o) => ({ metadata: {}, status: { startTime: o.status?.startTime, completionTime: o.status?.completionTime } }) }),
    ageCol,
    containersCol,
    imagesCol,
    selectorCol,
  ],
  defaults: (o) => defaultJobSpec(o.spec ?? (o.spec = {})),
  validate(o, errs, prev) {
    validateJobSpec(o.spec ?? {}, 'spec', errs, prev?.spec);
    // A selector (generated, or the user's with manualSelector) must select the template.
    if (o.spec?.selector) validateSelectorAndTemplate(o.spec, errs, 'job');
  },
  validateUpdate(next, prev, errs) {
    selectorImmutable(next, prev, errs);
    immutable(next.spec?.template, prev.spec?.template, 'spec.template', errs);
  },
  strategy: withStatus({
    prepareForCreate(j) {
      j.metadata.generation = 1;
      resetStatus(j);
      const spec = (j.spec ??= {});
      if (spec.manualSelector) return;
      const uid = j.metadata.uid!;
      const name = j.metadata.name!;
      spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
      const template = (spec.template ??= {});
      const meta = (template.metadata ??= {});
      meta.labels = {
        ...(meta.labels ?? {}),
        'batch.kubernetes.io/controller-uid': uid,
        'batch.kubernetes.io/job-name': name,
        'controller-uid': uid,
        'job-name': name,
      };
    },
  }),
  selectableFields: (o) => ({ 'status.successful': fieldText(o.status?.succeeded ?? 0) }),
};

// batch/v1 CronJob: Jobs on a schedule (the controller-manager's cronjob controller makes them).
import { defaultJobSpec, setIfMissing } from '../../defaulting.js';
import { ageSince } from '../../duration.js';
import { labelSelectorToString } from '../../labels.js';
import { ageCol, col, nameCol, none, wide } from '../../printers.js';
import { obj, open } from '../../schema/dsl.js';
import { kind, objectMeta } from '../../schema/meta.js';
import { jobSpec } from '../../schema/workloads.js';
import { nonNegative, validateJobSpec } from '../../validation/workloads.js';
import { knownTimeZone, parseCronSchedule } from '../../cron.js';
import { withStatus } from '../strategy.js';
import { ALL, statusOf, type KindModule } from '../kind.js';

export const cronJob: KindModule = {
  group: 'batch',
  version: 'v1',
  kind: 'CronJob',
  plural: 'cronjobs',
  generation: true,
  shortNames: ['cj'],
  categories: ALL,
  subresources: [statusOf('CronJob')],
  schema: kind({ spec: open({ jobTemplate: obj({ metadata: objectMeta, spec: jobSpec }) }), status: open() }),
  columns: [
    nameCol,
    col('Schedule', (o) => o.spec?.schedule ?? ''),
    col('Timezone', (o) => none(o.spec?.timeZone)),
    col('Suspend', (o) => String(Boolean(o.spec?.suspend)), { type: 'boolean' }),
    col('Active', (o) => (o.status?.active ?? []).length, { type: 'integer' }),
    col('Last Schedule', (o, now) => (o.status?.lastScheduleTime ? ageSince(o.status.lastScheduleTime, now) : '<none>'), { reads: (o) => ({ metadata: {}, status: { lastScheduleTime: o.status?.lastScheduleTime } }) }),
    ageCol,
    col('Containers', (o) => (o.spec?.jobTemplate?.spec?.template?.spec?.containers ?? []).map((c: any) => c.name).join(','), wide),
    col('Images', (o) => (o.spec?.jobTemplate?.spec?.template?.spec?.containers ?? []).map((c: any) => c.image).join(','), wide),
    col('Selector', (o) => labelSelectorToString(o.spec?.jobTemplate?.spec?.selector) || '<none>', wide),
  ],
  defaults(o) {
    const spec = o.spec ?? (o.spec = {});
    setIfMissing(spec, 'concurrencyPolicy', 'Allow');
    setIfMissing(spec, 'suspend', false);
    setIfMissing(spec, 'successfulJobsHistoryLimit', 3);
    setIfMissing(spec, 'failedJobsHistoryLimit', 1);
    setIfMissing(spec, 'jobTemplate', {});
    setIfMissing(spec.jobTemplate, 'spec', {});
    defaultJobSpec(spec.jobTemplate.spec);
  },
  validate(o, errs, prev) {
    const spec = o.spec ?? {};
    if (!spec.schedule) errs.required('spec.schedule');
    else if (/TZ/.test(String(spec.schedule))) errs.invalid('spec.schedule', spec.schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead');
    else {
      try {
        parseCronSchedule(String(spec.schedule));
      } catch (err) {
        errs.invalid('spec.schedule', spec.schedule, (err as Error).message);
      }
    }
    if (spec.timeZone !== undefined && spec.timeZone !== null && !knownTimeZone(String(spec.timeZone))) {
      errs.invalid('spec.timeZone', spec.timeZone, `unknown time zone ${spec.timeZone}`);
    }
    if (spec.concurrencyPolicy && !['Allow', 'Forbid', 'Replace'].includes(spec.concurrencyPolicy)) {
      errs.notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, ['Allow', 'Forbid', 'Replace']);
    }
    for (const k of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) {
      if (spec[k] !== null) nonNegative(spec[k], `spec.${k}`, errs);
    }
    validateJobSpec(spec.jobTemplate?.spec ?? {}, 'spec.jobTemplate.spec', errs, prev?.spec?.jobTemplate?.spec);
  },
  strategy: withStatus(),
};

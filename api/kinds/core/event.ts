// v1 Event (core), the stored form of events; events.k8s.io/v1 is served from it.
import { asText } from '../../codec/values.js';
import { ageSince } from '../../duration.js';
import { col, wide } from '../../printers.js';
import { int32, microTime, obj, str, time } from '../../schema/dsl.js';
import { kind, objectReference } from '../../schema/meta.js';
import type { KubeObject, Unstructured } from '../../types/meta.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { qualifiedName } from '../../validation/names.js';
import { fieldText, type KindModule } from '../kind.js';

export const eventSource = obj({ component: str, host: str });
export const eventSeries = obj({ count: int32, lastObservedTime: microTime });

function eventObject(o: KubeObject): string {
  const io = (o.involvedObject ?? {}) as Unstructured;
  return `${asText(io.kind).toLowerCase()}/${asText(io.name)}`;
}

function eventLastSeen(o: KubeObject, now: number): string {
  const last = (o.lastTimestamp as string) || (o.eventTime as string) || o.metadata.creationTimestamp;
  const first = (o.firstTimestamp as string) || (o.eventTime as string) || o.metadata.creationTimestamp;
  const count = Number(o.count ?? 1);
  const seen = ageSince(last, now);
  return count > 1 ? `${seen} (x${count} over ${ageSince(first, now)})` : seen;
}

/** What the time-taking event columns read. */
const eventTimes = (o: KubeObject): KubeObject => ({
  metadata: { creationTimestamp: o.metadata.creationTimestamp },
  lastTimestamp: o.lastTimestamp,
  firstTimestamp: o.firstTimestamp,
  eventTime: o.eventTime,
  count: o.count,
});

export const eventColumns = [
  col('Last Seen', eventLastSeen, { reads: eventTimes }),
  col('Type', (o) => asText(o.type)),
  col('Reason', (o) => asText(o.reason)),
  col('Object', eventObject),
  col('Subobject', (o) => asText((o.involvedObject as Unstructured)?.fieldPath), wide),
  col('Source', (o) => {
    const s = (o.source ?? {}) as Unstructured;
    const comp = s.component || (o.reportingComponent as string) || '';
    return s.host ? `${comp}, ${s.host}` : comp;
  }, wide),
  col('Message', (o) => asText(o.message)),
  col('First Seen', (o, now) => ageSince((o.firstTimestamp as string) || (o.eventTime as string) || o.metadata.creationTimestamp, now), { ...wide, reads: eventTimes }),
  col('Count', (o) => Number(o.count ?? 1), { ...wide, type: 'integer' }),
  col('Name', (o) => o.metadata.name ?? '', { ...wide, format: 'name' }),
];

const LIMITS = { reportingInstance: 128, action: 128, reason: 128 };
const NOTE_LIMIT = 1024;

/**
 * Kubernetes' checks of every event, whichever version wrote it: an old-style event (no
 * eventTime) is in its object's namespace (or default, for cluster objects); a new-style one
 * names its reporter, action and reason, within their lengths, and lives in its object's
 * namespace or default or kube-system.
 */
function validateEvent(o: KubeObject, errs: FieldErrors): void {
  const namespace = o.metadata.namespace ?? '';
  const involved = ((o.involvedObject ?? {}) as Unstructured).namespace ?? '';
  const mismatch = () => errs.invalid('involvedObject.namespace', involved, 'does not match event.namespace');
  if (!o.eventTime) {
    if (involved ? involved !== namespace : namespace !== '' && namespace !== 'default') mismatch();
    return;
  }
  if (!involved && namespace !== 'default' && namespace !== 'kube-system') mismatch();
  const reporter = typeof o.reportingComponent === 'string' ? o.reportingComponent : '';
  if (!reporter) errs.required('reportingComponent');
  errs.format('reportingComponent', reporter, qualifiedName(reporter));
  for (const [field, limit] of Object.entries(LIMITS)) {
    const value = typeof o[field] === 'string' ? (o[field] as string) : '';
    if (!value) errs.required(field);
    if (value.length > limit) errs.invalid(field, '', `can have at most ${limit} characters`);
  }
  if (typeof o.message === 'string' && o.message.length > NOTE_LIMIT) errs.invalid('message', '', `can have at most ${NOTE_LIMIT} characters`);
}

export const event: KindModule = {
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  shortNames: ['ev'],
  schema: kind({
    involvedObject: objectReference,
    reason: str,
    message: str,
    source: eventSource,
    firstTimestamp: time,
    lastTimestamp: time,
    count: int32,
    type: str,
    eventTime: microTime,
    series: eventSeries,
    action: str,
    related: objectReference,
    reportingComponent: str,
    reportingInstance: str,
  }),
  columns: eventColumns,
  validate: validateEvent,
  selectableFields(o) {
    const io = (o.involvedObject ?? {}) as Record<string, unknown>;
    const source = (o.source ?? {}) as Record<string, unknown>;
    return {
      'involvedObject.kind': fieldText(io.kind),
      'involvedObject.namespace': fieldText(io.namespace),
      'involvedObject.name': fieldText(io.name),
      'involvedObject.uid': fieldText(io.uid),
      'involvedObject.apiVersion': fieldText(io.apiVersion),
      'involvedObject.resourceVersion': fieldText(io.resourceVersion),
      'involvedObject.fieldPath': fieldText(io.fieldPath),
      reason: fieldText(o.reason),
      reportingComponent: fieldText(o.reportingComponent),
      source: fieldText(source.component),
      type: fieldText(o.type),
    };
  },
};

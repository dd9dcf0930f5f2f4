// v1 Event (core), the stored form of events; events.k8s.io/v1 is served from it.
import { asText, deepEqual } from '../../codec/values.js';
import { ageSince } from '../../duration.js';
import { col, wide } from '../../printers.js';
import { int32, microTime, obj, str, time } from '../../schema/dsl.js';
import { kind, objectReference } from '../../schema/meta.js';
import type { KubeObject, Unstructured } from '../../types/meta.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { dns1123Subdomain, qualifiedName } from '../../validation/names.js';
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
/** The version whose writes Kubernetes holds to the strict rules below (and any newer one). */
const STRICT_VERSION = 'events.k8s.io/v1';

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * Kubernetes' checks of every event, whichever version wrote it: an old-style event (no
 * eventTime) is in its object's namespace (or default, for cluster objects); a new-style one
 * names its reporter, action and reason, within their lengths, and lives in its object's
 * namespace or default or kube-system. Field paths are Kubernetes' internal names
 * (reportingController), as its messages give them.
 */
function validateEvent(o: KubeObject, errs: FieldErrors, old?: KubeObject, requestVersion?: string): void {
  const namespace = o.metadata.namespace ?? '';
  const involved = ((o.involvedObject ?? {}) as Unstructured).namespace ?? '';
  const mismatch = () => errs.invalid('involvedObject.namespace', involved, 'does not match event.namespace');
  if (!o.eventTime) {
    if (involved ? involved !== namespace : namespace !== '' && namespace !== 'default') mismatch();
  } else {
    if (!involved && namespace !== 'default' && namespace !== 'kube-system') mismatch();
    const reporter = text(o.reportingComponent);
    if (!reporter) errs.required('reportingController');
    errs.format('reportingController', reporter, qualifiedName(reporter));
    for (const [field, limit] of Object.entries(LIMITS)) {
      const value = text(o[field]);
      if (!value) errs.required(field);
      if (value.length > limit) errs.invalid(field, '', `can have at most ${limit} characters`);
    }
    if (text(o.message).length > NOTE_LIMIT) errs.invalid('message', '', `can have at most ${NOTE_LIMIT} characters`);
  }
  if (requestVersion !== STRICT_VERSION) return;
  // Writes through events.k8s.io/v1 are held to the new shape (legacy versions are not, for
  // compatibility): a DNS subdomain name, a time, a known type, no deprecated fields.
  if (!old) {
    errs.format('metadata.name', o.metadata.name ?? '', o.metadata.name ? dns1123Subdomain(o.metadata.name) : []);
    validateSeries(o, errs);
    if (!o.eventTime) errs.required('eventTime');
    if (o.type !== 'Normal' && o.type !== 'Warning') errs.invalid('type', '', `has invalid value: ${text(o.type)}`);
    for (const field of ['firstTimestamp', 'lastTimestamp', 'count'] as const) if (o[field]) errs.invalid(field, '', 'needs to be unset');
    const source = (o.source ?? {}) as Unstructured;
    if (source.component || source.host) errs.invalid('source', '', 'needs to be unset');
  } else if (!deepEqual(o.series, old.series)) {
    validateSeries(o, errs);
  }
}

function validateSeries(o: KubeObject, errs: FieldErrors): void {
  const series = o.series as Unstructured | undefined;
  if (!series || typeof series !== 'object') return;
  if (!(Number(series.count) >= 2)) errs.invalid('series.count', '', 'should be at least 2');
  if (!series.lastObservedTime) errs.required('series.lastObservedTime');
}

/** What an update through events.k8s.io/v1 may not change: everything but the series (and metadata). */
const IMMUTABLE: [field: string, stored: string][] = [
  ['involvedObject', 'involvedObject'],
  ['reason', 'reason'],
  ['message', 'message'],
  ['source', 'source'],
  ['firstTimestamp', 'firstTimestamp'],
  ['lastTimestamp', 'lastTimestamp'],
  ['count', 'count'],
  ['type', 'type'],
  ['eventTime', 'eventTime'],
  ['action', 'action'],
  ['related', 'related'],
  ['reportingController', 'reportingComponent'],
  ['reportingInstance', 'reportingInstance'],
];

function validateEventUpdate(next: KubeObject, prev: KubeObject, errs: FieldErrors, requestVersion?: string): void {
  if (requestVersion !== STRICT_VERSION) return;
  for (const [field, stored] of IMMUTABLE) {
    if (!deepEqual(next[stored] ?? null, prev[stored] ?? null)) errs.invalid(field, next[stored] ?? null, 'field is immutable');
  }
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
  // Kubernetes checks an event's name only as a path segment, unless it came through events.k8s.io/v1.
  nameRule: 'path-segment',
  validate: validateEvent,
  validateUpdate: validateEventUpdate,
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

// events.k8s.io/v1 Event: served from the core v1 events, converted both ways (the fields the
// two shapes share survive a round trip).
import { int32, microTime, str, time } from '../../schema/dsl.js';
import { kind, objectReference } from '../../schema/meta.js';
import type { KubeObject, Unstructured } from '../../types/meta.js';
import { eventColumns, eventSeries, eventSource } from '../core/event.js';
import type { KindModule } from '../kind.js';

function definedOnly<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

export const eventV1: KindModule = {
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  shortNames: ['ev'],
  schema: kind({
    eventTime: microTime,
    series: eventSeries,
    reportingController: str,
    reportingInstance: str,
    action: str,
    reason: str,
    regarding: objectReference,
    related: objectReference,
    note: str,
    type: str,
    deprecatedSource: eventSource,
    deprecatedFirstTimestamp: time,
    deprecatedLastTimestamp: time,
    deprecatedCount: int32,
  }),
  columns: eventColumns,
  conversion: {
    toStorage(e) {
      const src = e.deprecatedSource as Unstructured;
      return definedOnly({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: e.metadata,
        involvedObject: e.regarding ?? {},
        reason: e.reason,
        message: e.note,
        source: src,
        firstTimestamp: e.deprecatedFirstTimestamp,
        lastTimestamp: e.deprecatedLastTimestamp,
        count: e.deprecatedCount,
        type: e.type,
        eventTime: e.eventTime,
        series: e.series,
        action: e.action,
        related: e.related,
        reportingComponent: e.reportingController ?? '',
        reportingInstance: e.reportingInstance ?? '',
      }) as KubeObject;
    },
    fromStorage(e) {
      return definedOnly({
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: e.metadata,
        eventTime: e.eventTime ?? null,
        series: e.series,
        reportingController: e.reportingComponent || undefined,
        reportingInstance: e.reportingInstance || undefined,
        action: e.action,
        reason: e.reason,
        regarding: e.involvedObject,
        related: e.related,
        note: e.message,
        type: e.type,
        deprecatedSource: e.source,
        deprecatedFirstTimestamp: e.firstTimestamp,
        deprecatedLastTimestamp: e.lastTimestamp,
        deprecatedCount: e.count,
      }) as KubeObject;
    },
  },
};

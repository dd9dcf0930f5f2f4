// How many seats of its priority level a request takes while it runs, as Kubernetes 1.32's
// work estimator decides: one, but a LIST one per hundred objects it has to go through (at
// most ten, and at most what its level allows a single request), so a few LISTs of thousands
// of objects cannot take every seat a level has as if they were GETs.
import type { ResourceAttributes } from '../authz/request-info.js';

const OBJECTS_PER_SEAT = 100;
/** A write's watchers: one seat per ten of them, ... */
const WATCHES_PER_SEAT = 10;
/** ... held this long after the write is answered, while its event goes out. */
const EVENT_MS = 5;
const MAXIMUM_SEATS = 10;
/** The share of a level's seats one request may take (Kubernetes' priorityLevelMaxSeatsPercent). */
const LEVEL_MAX_SEATS_SHARE = 0.15;

/** The LIST options that decide how much a LIST has to read. */
export interface ListOptions {
  limit?: string;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** The LIST options of a parsed query string (the first of a repeated parameter). */
export function listOptionsOf(query: Record<string, string | string[] | undefined>): ListOptions {
  const first = (name: keyof ListOptions) => {
    const v = query[name];
    return Array.isArray(v) ? v[0] : v;
  };
  return { limit: first('limit'), continue: first('continue'), resourceVersion: first('resourceVersion'), resourceVersionMatch: first('resourceVersionMatch'), labelSelector: first('labelSelector'), fieldSelector: first('fieldSelector') };
}

/**
 * The most seats one request of a level may take: 15% of its seats, and no more than the seats
 * each queue of a hand would have (seats / handSize), at least 1; at most 10 in any case.
 */
export function levelMaxSeats(seats: number, handSize?: number): number {
  const share = Math.ceil(seats * LEVEL_MAX_SEATS_SHARE);
  const perHand = handSize ? Math.floor(seats / handSize) : share;
  return Math.min(MAXIMUM_SEATS, Math.max(1, Math.min(share, perHand)));
}

/** Whether Kubernetes 1.32 would answer this LIST from its watch cache (else etcd reads, and the server filters, the objects). */
function listsFromCache(q: ListOptions): boolean {
  const limited = Number(q.limit) > 0 && q.resourceVersion !== '0';
  const unsupportedMatch = !!q.resourceVersionMatch && q.resourceVersionMatch !== 'NotOlderThan';
  return !q.continue && !limited && !unsupportedMatch;
}

/**
 * The seats a request takes. `stored` is how many objects of the resource the server holds
 * (all namespaces; undefined when it does not know, e.g. an aggregated API's: one seat, as
 * Kubernetes gives when its count is missing).
 */
export function requestSeats(attrs: ResourceAttributes, query: ListOptions, stored: number | undefined, maxSeats: number): number {
  if (attrs.verb !== 'list' || stored === undefined) return 1;
  const limitValue = Number(query.limit);
  const limit = limitValue > 0 && limitValue < stored ? limitValue : stored;
  // A LIST by name (a field selector requiring metadata.name=...) reads one object.
  const single = attrs.name !== '' || (query.fieldSelector ?? '').split(',').some((term) => /^\s*metadata\.name\s*==?[^=]/.test(term));
  const objects = single ? 1 : listsFromCache(query) ? stored : query.fieldSelector || query.labelSelector ? stored + limit : 2 * limit;
  return Math.min(Math.max(1, Math.ceil(objects / OBJECTS_PER_SEAT)), Math.max(1, maxSeats));
}

/**
 * What a write costs beyond its own seat, as Kubernetes' mutating work estimator says: with ten
 * or more watchers that may hear of it, a seat per ten of them (at most `maxSeats`, the time
 * stretched to keep the work the same) held 5 ms after it is answered, while its event is sent.
 * Creating a service account token sends no event.
 */
export function writeWork(attrs: ResourceAttributes, watchers: number, maxSeats: number): { finalSeats: number; lingerMs: number } {
  if (watchers < WATCHES_PER_SEAT || (attrs.resource === 'serviceaccounts' && attrs.subresource === 'token')) return { finalSeats: 0, lingerMs: 0 };
  const wanted = Math.ceil(watchers / WATCHES_PER_SEAT);
  const finalSeats = Math.min(wanted, Math.max(1, maxSeats));
  return { finalSeats, lingerMs: (wanted * EVENT_MS) / finalSeats };
}

// Limits that keep one client (or a crowd) from taking the server down, as Kubernetes sets
// them: a handler deadline of --request-timeout for everything that is not a long-running
// request (504), and a heap guard that turns writes away with 429 while the heap is nearly
// full, instead of letting the process die of it. How many requests run at once is API
// Priority and Fairness' business (flowcontrol/): --max-requests-inflight plus
// --max-mutating-requests-inflight are its seats, as in Kubernetes with APF on, not separate
// caps on reads and writes. The time a client may take to send its request is bounded by
// Node's requestTimeout (see app.ts).
import { getHeapStatistics } from 'node:v8';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseGoDuration } from '../../api/go-duration.js';
import { StatusError } from '../../api/status.js';
import { sendStatus } from './errors.js';

export interface RequestLimits {
  /** With the next, API Priority and Fairness' seats for the whole server. */
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
  requestTimeoutMs: number;
  /** Writes are refused while the V8 heap is fuller than this share of its limit. */
  heapGuardRatio: number;
}

export const defaultLimits: RequestLimits = {
  maxRequestsInflight: 400,
  maxMutatingRequestsInflight: 200,
  requestTimeoutMs: 60_000,
  heapGuardRatio: 0.8,
};

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Watches, followed logs and connection upgrades run as long as the client wants. */
export function isLongRunning(req: FastifyRequest): boolean {
  const url = req.raw.url ?? '';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  if (/(^|&)watch=(1|t|true)(&|$)/i.test(query)) return true;
  if (/\/watch\//.test(path)) return true;
  if (/\/(exec|attach|portforward|proxy)$/.test(path)) return true;
  if (/\/log$/.test(path) && /(^|&)follow=(1|t|true)(&|$)/i.test(query)) return true;
  return false;
}

function tooMany(message: string): StatusError {
  return new StatusError(429, 'TooManyRequests', message, { retryAfterSeconds: 1 });
}

/** The handler deadline: --request-timeout, or less if the client's `timeout` parameter says so. */
function deadlineFor(req: FastifyRequest, limits: RequestLimits): number {
  const raw = (req.query as Record<string, unknown> | undefined)?.timeout;
  if (typeof raw === 'string' && raw !== '') {
    try {
      const ms = parseGoDuration(raw);
      if (ms > 0) return Math.min(ms, limits.requestTimeoutMs);
    } catch {
      // Kubernetes ignores an unparsable timeout and keeps the server's own.
    }
  }
  return limits.requestTimeoutMs;
}

const deadlines = new WeakMap<FastifyRequest, NodeJS.Timeout>();

/** How stale the heap guard's reading of the heap may be. */
const HEAP_CHECK_MS = 20;

export function installRequestLimits(app: FastifyInstance, limits: RequestLimits): void {
  const heapLimit = getHeapStatistics().heap_size_limit;
  // The heap is looked at once per HEAP_CHECK_MS, not on every write: a burst of writes
  // would otherwise pay for the statistics call each time to learn the same thing.
  let heapCheckedAt = -Infinity;
  let heapShort = false;
  const shortOfHeap = () => {
    const now = performance.now();
    if (now - heapCheckedAt >= HEAP_CHECK_MS) {
      heapCheckedAt = now;
      heapShort = getHeapStatistics().used_heap_size > heapLimit * limits.heapGuardRatio;
    }
    return heapShort;
  };

  const release = (req: FastifyRequest) => {
    clearTimeout(deadlines.get(req));
    deadlines.delete(req);
  };

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.url.startsWith('/api')) return; // health, metrics, discovery roots stay open
    if (isLongRunning(req)) return;
    if (MUTATING.has(req.method) && shortOfHeap()) return sendStatus(reply, tooMany('the server is short of memory, please try again later.'));
    const timer = setTimeout(() => {
      if (reply.sent || reply.raw.headersSent) return;
      // A body still arriving is abandoned with the connection: it cannot carry another request.
      const midUpload = !req.raw.complete;
      if (midUpload) reply.header('Connection', 'close');
      void sendStatus(reply, new StatusError(504, 'Timeout', 'Timeout: request did not complete within requested timeout - context deadline exceeded', { retryAfterSeconds: 1 }));
      if (midUpload) reply.raw.once('finish', () => req.raw.socket?.destroy());
    }, deadlineFor(req, limits));
    deadlines.set(req, timer);
    return undefined;
  });
  app.addHook('onResponse', async (req) => release(req));
  app.addHook('onRequestAbort', async (req) => release(req));
}

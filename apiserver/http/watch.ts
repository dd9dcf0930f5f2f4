// Serves one watch: replays the requested starting state, then streams each change that
// passes the watcher's namespace and selectors as newline-terminated JSON events (or
// length-prefixed protobuf WatchEvents), with transitions into and out of the selection
// reported as ADDED and DELETED.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fieldsMatch } from '../../api/fields.js';
import { matches } from '../../api/labels.js';
import { groupVersion, type ResourceInfo } from '../../api/resources.js';
import { StatusError } from '../../api/status.js';
import { parseResourceVersion, type ResourceStore } from '../registry/store.js';
import type { CacheEvent, CachedObject } from '../storage/cached-object.js';
import { CompactedError } from '../storage/etcd-store.js';
import { TooOldError, type Subscription } from '../storage/watch-cache.js';
import { encodeKubernetesProtobuf, hasProtobuf, PROTOBUF_WATCH_MEDIA_TYPE, watchEventFrame } from '../../api/protobuf/envelope.js';
import { protobufFor, type Output } from './negotiation.js';
import type { Selectors } from './params.js';
import { statusFor } from './errors.js';
import { objectJSON, partialMetadataJSON, tableJSON, type IncludeObject } from './render.js';
import { servedObjects } from './served-version.js';
import { convertsRemotely, inServedVersion } from '../../api/conversion.js';
import { watchStarted } from '../flowcontrol/watch-initialization.js';

export interface WatchOptions {
  namespace?: string;
  selectors: Selectors;
  resourceVersion: string;
  timeoutSeconds?: number;
  allowBookmarks: boolean;
  sendInitialEvents?: boolean;
  output: Output;
  includeObject: IncludeObject;
  bookmarkIntervalMs: number;
  /** Closes the stream when the server shuts down. */
  shutdown: AbortSignal;
}

/** A watcher that falls this far behind is disconnected rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

/** Node's timers overflow past 2^31-1 ms (~24.8 days) and then fire at once: chain shorter ones. */
const MAX_TIMER_MS = 2 ** 31 - 1;
function setLongTimeout(fn: () => void, ms: number, timers: NodeJS.Timeout[]): void {
  if (ms <= MAX_TIMER_MS) {
    timers.push(setTimeout(fn, ms));
    return;
  }
  timers.push(setTimeout(() => setLongTimeout(fn, ms - MAX_TIMER_MS, timers), MAX_TIMER_MS));
}

const FRAME_HEADS = new Map<string, Buffer>();
const frameHead = (type: string): Buffer => {
  let head = FRAME_HEADS.get(type);
  if (!head) FRAME_HEADS.set(type, (head = Buffer.from(`{"type":"${type}","object":`)));
  return head;
};
const FRAME_TAIL = Buffer.from('}\n');

export async function serveWatch(req: FastifyRequest, reply: FastifyReply, r: ResourceInfo, store: ResourceStore, opts: WatchOptions): Promise<void> {
  try {
    await startWatch(req, reply, r, store, opts);
  } finally {
    // Its initial events written and its subscription made (or it failed): its flow-control seat goes back.
    watchStarted(req.raw);
  }
}

async function startWatch(req: FastifyRequest, reply: FastifyReply, r: ResourceInfo, store: ResourceStore, opts: WatchOptions): Promise<void> {
  await store.cache.ready;
  const keyPrefix = store.keyPrefix(opts.namespace);

  const selected = (o: CachedObject | undefined): boolean => {
    if (!o || !o.key.startsWith(keyPrefix)) return false;
    if (opts.selectors.labels.length && !matches(opts.selectors.labels, o.labels())) return false;
    if (opts.selectors.fields.length && !fieldsMatch(opts.selectors.fields, store.fieldsOf(o))) return false;
    return true;
  };

  const variant = `${opts.output.kind}:${opts.output.metaVersion}:${opts.includeObject}:${groupVersion(r)}:${opts.output.protobuf}`;
  const encodeObject = (o: CachedObject): string => {
    if (opts.output.kind === 'table') {
      return tableJSON(r, [o], { resourceVersion: o.obj.metadata.resourceVersion ?? '' }, { output: opts.output, includeObject: opts.includeObject, now: Date.now() });
    }
    if (opts.output.kind === 'metadata') {
      return partialMetadataJSON(o, opts.output.metaVersion);
    }
    return objectJSON(r, o);
  };
  // Protobuf when the client prefers it and the kind has it (not custom resources).
  const protobuf = opts.output.kind === 'object' && protobufFor(opts.output, hasProtobuf(groupVersion(r), r.kind));
  const eventOf = (type: string, obj: object): string | Buffer =>
    protobuf ? watchEventFrame(type, encodeKubernetesProtobuf(obj)) : `{"type":"${type}","object":${JSON.stringify(obj)}}\n`;
  const frame = (type: string, o: CachedObject): string | Buffer =>
    protobuf ? watchEventFrame(type, encodeKubernetesProtobuf(JSON.parse(encodeObject(o)) as object)) : `{"type":"${type}","object":${encodeObject(o)}}\n`;
  // JSON of the stored version: the object's own bytes between two constant pieces, no copy.
  const plain = opts.output.kind === 'object' && !protobuf && !opts.output.yaml;
  const plainFrame = (type: string, o: CachedObject): Buffer[] | undefined => (inServedVersion(r, () => o.apiVersion()) ? [frameHead(type), o.bytes(), FRAME_TAIL] : undefined);

  /** What one cache event is to this watcher (its selectors decide, on the stored object), if anything. */
  const eventFor = (ev: CacheEvent): { type: string; obj: CachedObject } | undefined => {
    const now = selected(ev.object) && ev.type !== 'DELETED';
    const before = selected(ev.prev);
    if (ev.type === 'DELETED') return before ? { type: 'DELETED', obj: ev.object } : undefined;
    if (now && before) return { type: 'MODIFIED', obj: ev.object };
    if (now) return { type: 'ADDED', obj: ev.object };
    if (before) return { type: 'DELETED', obj: ev.prev!.atRevision(ev.rev) };
    return undefined;
  };

  /** The frame for one cache event as this watcher sees it, shared with watchers of the same variant. */
  const frameFor = (ev: CacheEvent): string | Buffer | Buffer[] | undefined => {
    const picked = eventFor(ev);
    if (!picked) return undefined;
    const { type, obj } = picked;
    const bytes = plain ? plainFrame(type, obj) : undefined;
    if (bytes) return bytes;
    if (opts.output.kind === 'table') return frame(type, obj); // cells carry ages: never shared
    const memo = (ev.frames ??= new Map());
    const k = `${type}|${variant}`;
    let text = memo.get(k);
    if (text === undefined) memo.set(k, (text = frame(type, obj)));
    return text;
  };

  // Parameters are checked before the stream starts, so a bad one is a plain 400.
  const rv = opts.resourceVersion;
  const initialEvents = opts.sendInitialEvents ?? (rv === '' || rv === '0');
  const startRevision = initialEvents ? undefined : rv === '' ? store.cache.revision : parseResourceVersion(rv);

  const res = reply.raw;
  reply.hijack();
  res.writeHead(200, {
    'Content-Type': protobuf ? PROTOBUF_WATCH_MEDIA_TYPE : opts.output.yaml ? 'application/yaml' : 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
    'X-Content-Type-Options': 'nosniff',
  });
  res.flushHeaders();

  let closed = false;
  let sub: Subscription | undefined;
  let lastRev = 0;
  let fromEtcd = false;
  const timers: NodeJS.Timeout[] = [];
  const finish = () => {
    if (closed) return;
    closed = true;
    for (const t of timers) {
      clearTimeout(t);
      clearInterval(t);
    }
    sub?.cancel();
    opts.shutdown.removeEventListener('abort', finish);
    res.end();
  };
  const write = (text: string | Buffer | Buffer[]) => {
    if (closed) return;
    if (Array.isArray(text)) {
      res.cork();
      for (const piece of text) res.write(piece);
      res.uncork();
    } else res.write(text);
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      req.log.warn({ resource: r.plural }, 'closing a watch that fell too far behind');
      finish();
    }
  };
  const writeError = (err: StatusError) => {
    write(eventOf('ERROR', err.toStatus()));
    finish();
  };
  const bookmark = (rev: number, annotations?: Record<string, string>) => {
    const meta: Record<string, unknown> = { resourceVersion: String(rev) };
    if (annotations) meta.annotations = annotations;
    const obj = opts.output.kind === 'object' ? { kind: r.kind, apiVersion: groupVersion(r), metadata: meta } : { kind: opts.output.kind === 'table' ? 'Table' : 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${opts.output.metaVersion}`, metadata: meta };
    write(eventOf('BOOKMARK', obj));
  };

  // The response's close is the client going away; the request's fires once its (empty) body is read.
  res.on('close', finish);
  res.on('error', finish);
  opts.shutdown.addEventListener('abort', finish);
  const timeout = (opts.timeoutSeconds ?? 1800 + Math.floor(Math.random() * 1800)) * 1000;
  setLongTimeout(finish, timeout, timers);

  // Objects converted elsewhere (a conversion webhook) are converted before their frames are
  // written, in order: everything this watch writes goes through one chain.
  const remote = convertsRemotely(r) && opts.output.kind !== 'metadata';
  let chain: Promise<void> = Promise.resolve();
  const inOrder = (step: () => Promise<void> | void) => {
    chain = chain.then(async () => {
      if (!closed) await step();
    }).catch((err: unknown) => {
      const status = statusFor(err);
      if (status.code >= 500) req.log.error({ err }, 'watch failed to convert an object');
      writeError(status);
    });
  };
  const writeConverted = (events: Array<{ type: string; obj: CachedObject }>) =>
    inOrder(async () => {
      const served = await servedObjects(r, events.map((e) => e.obj));
      events.forEach((e, i) => write(frame(e.type, served[i]!)));
    });

  const listener = (ev: CacheEvent) => {
    lastRev = Math.max(lastRev, ev.rev);
    if (remote) {
      const picked = eventFor(ev);
      if (picked) writeConverted([picked]);
      return;
    }
    const text = frameFor(ev);
    if (text) write(text);
  };


  /** Events after `from`, from the cache's history, or etcd's when that reaches further back. */
  const subscribeAfter = async (from: number): Promise<Subscription> => {
    try {
      return store.cache.subscribe(from, listener);
    } catch (err) {
      if (!(err instanceof TooOldError)) throw err;
      fromEtcd = true;
      return store.cache.subscribeFromEtcd(from, listener);
    }
  };

  try {
    if (initialEvents) {
      // From the cache, the snapshot and the subscription happen in one tick, so no change
      // falls between them. A cache without objects (Events): read them from etcd, then
      // replay what changed since.
      const { revision, items } = store.cache.holdsObjects ? { revision: store.cache.revision, items: store.cache.list(keyPrefix) } : await store.readAll(keyPrefix);
      if (closed) return;
      if (remote) writeConverted(items.filter(selected).map((o) => ({ type: 'ADDED', obj: o })));
      else for (const o of items) if (selected(o)) write((plain && plainFrame('ADDED', o)) || frame('ADDED', o));
      lastRev = revision;
      if (opts.sendInitialEvents && opts.allowBookmarks) inOrder(() => bookmark(revision, { 'k8s.io/initial-events-end': 'true' }));
      sub = await subscribeAfter(revision);
    } else {
      lastRev = startRevision!;
      sub = await subscribeAfter(startRevision!);
    }
  } catch (err) {
    if (err instanceof CompactedError) return writeError(new StatusError(410, 'Expired', `too old resource version: ${rv} (${store.cache.oldestServable})`));
    const status = statusFor(err);
    if (status.code >= 500) req.log.error({ err }, 'watch failed to start');
    return writeError(status);
  }
  if (closed) {
    sub.cancel();
    return;
  }
  sub.onClose((reason, message) => {
    if (reason === 'expired') writeError(new StatusError(410, 'Expired', message ?? 'too old resource version'));
    else finish();
  });
  if (opts.allowBookmarks) {
    // A watch served from etcd only vouches for what it has delivered; a cached one for all the cache saw.
    timers.push(setInterval(() => inOrder(() => bookmark(fromEtcd ? lastRev : Math.max(lastRev, store.cache.revision))), opts.bookmarkIntervalMs));
  }
}

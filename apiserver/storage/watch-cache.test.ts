// The watch cache against the in-memory store: a watcher starting from a resourceVersion the
// cache has not caught up with yet gets only what came after it, never the writes it knows.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CachedObject, storedJSON, type CacheEvent } from './cached-object.js';
import type { WatchHandlers } from './kv.js';
import { MemoryKV } from './memory-kv.js';
import { WatchCache } from './watch-cache.js';

const object = (name: string, n: number) => Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { n: String(n) } }));
const settle = () => new Promise((r) => setTimeout(r, 20));

/** A store whose watch events wait until released: a cache lagging behind etcd. */
class LaggingKV extends MemoryKV {
  private held: Array<() => void> = [];
  lagging = false;

  override watchPrefix(prefix: string, startRevision: number, handlers: WatchHandlers) {
    return super.watchPrefix(prefix, startRevision, {
      ...handlers,
      onEvents: (events) => (this.lagging ? this.held.push(() => handlers.onEvents(events)) : handlers.onEvents(events)),
      onProgress: (rev) => (this.lagging ? this.held.push(() => handlers.onProgress?.(rev)) : handlers.onProgress?.(rev)),
    });
  }

  release(): void {
    this.lagging = false;
    for (const deliver of this.held.splice(0)) deliver();
  }
}

describe('watch cache', () => {
  it('delivers only events after the starting revision, even while it trails that revision', async () => {
    const kv = new LaggingKV();
    const cache = new WatchCache(kv, '/c/', 100, pino({ level: 'silent' }));
    await cache.ready;
    kv.lagging = true;
    const created = await kv.create('/c/a', object('a', 1));
    if (!created.ok) throw new Error('create failed');
    const updated = await kv.update('/c/a', object('a', 2), created.revision);
    if (!updated.ok) throw new Error('update failed');
    // The client has seen the update (its write's answer) before the cache applied either write.
    expect(cache.revision).toBeLessThan(updated.revision);
    const seen: CacheEvent[] = [];
    cache.subscribe(updated.revision, (ev) => seen.push(ev));
    kv.release();
    await settle();
    expect(seen).toEqual([]);
    const again = await kv.update('/c/a', object('a', 3), updated.revision);
    if (!again.ok) throw new Error('update failed');
    await settle();
    expect(seen.map((e) => [e.type, e.rev])).toEqual([['MODIFIED', again.revision]]);
    await cache.stop();
  });

  it('reflects what etcd holds only once it has every write to its prefix, a deletion included', async () => {
    const kv = new LaggingKV();
    const cache = new WatchCache(kv, '/c/', 100, pino({ level: 'silent' }));
    await cache.ready;
    const a = await kv.create('/c/a', object('a', 1));
    const b = await kv.create('/c/b', object('b', 1));
    if (!a.ok || !b.ok) throw new Error('create failed');
    await settle();
    kv.lagging = true;
    const gone = await kv.delete('/c/a', a.revision);
    if (!gone.ok) throw new Error('delete failed');
    await kv.create('/other/x', object('x', 1)); // the newest write is elsewhere
    // etcd now: one key under /c/, the newest written at b's revision.
    const at = await kv.summary('/c/');
    expect(at).toMatchObject({ count: 1, maxModRevision: b.revision });
    expect(await cache.reflects(at, 50)).toBe(false); // it still holds a
    expect(cache.snapshot().items.map((o) => o.key)).toEqual(['/c/a', '/c/b']);
    const waiting = cache.reflects(at, 5000);
    kv.release();
    expect(await waiting).toBe(true);
    const snapshot = cache.snapshot(at.revision);
    expect(snapshot.revision).toBe(at.revision);
    expect(snapshot.items.map((o) => o.key)).toEqual(['/c/b']);
    await cache.stop();
  });

  it('holding history only: keeps no objects, and each event carries the state before it from etcd', async () => {
    const kv = new MemoryKV();
    await kv.create('/c/before', object('before', 0));
    const cache = new WatchCache(kv, '/c/', 100, pino({ level: 'silent' }), 'history');
    await cache.ready;
    expect(cache.state).toBe('synced');
    expect(cache.revision).toBe(await kv.currentRevision());
    const seen: CacheEvent[] = [];
    cache.subscribe(cache.revision, (ev) => seen.push(ev));
    const a = await kv.create('/c/a', object('a', 1));
    if (!a.ok) throw new Error('create failed');
    const a2 = await kv.update('/c/a', object('a', 2), a.revision);
    if (!a2.ok) throw new Error('update failed');
    // An object written before the cache started: its update and deletion still carry its prior state.
    const before = await kv.get('/c/before');
    const gone = await kv.delete('/c/before', before!.modRevision);
    if (!gone.ok) throw new Error('delete failed');
    await settle();
    const n = (o: CachedObject | undefined) => (o?.obj.data as Record<string, string> | undefined)?.n;
    expect(seen.map((e) => [e.type, e.object.key, n(e.prev)])).toEqual([
      ['ADDED', '/c/a', undefined],
      ['MODIFIED', '/c/a', '1'],
      ['DELETED', '/c/before', '0'],
    ]);
    expect(n(seen[1]!.object)).toBe('2');
    expect(seen[2]!.object.rev).toBe(gone.revision);
    expect(cache.objects.size).toBe(0);
    expect(() => cache.snapshot()).toThrow(/holds no objects/);
    await cache.stop();
  });

  it("takes a write's object from the writer when etcd's event comes before the answer, and only for those very bytes", async () => {
    const kv = new LaggingKV();
    const cache = new WatchCache(kv, '/c/', 100, pino({ level: 'silent' }));
    await cache.ready;
    const made: number[] = [];
    const expect_ = (key: string, name: string, n: number) => {
      const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { n: String(n) } };
      const value = object(name, n);
      cache.expectWrite(key, value, (rev) => {
        made.push(rev);
        return CachedObject.written(key, rev, structuredClone(obj), storedJSON(obj));
      });
      return value;
    };
    kv.lagging = true;
    const value = expect_('/c/a', 'a', 1);
    const created = await kv.create('/c/a', value);
    if (!created.ok) throw new Error('create failed');
    kv.release(); // the event, while the write is still unanswered as far as the cache knows
    await settle();
    cache.writeAnswered('/c/a', value);
    expect(made).toEqual([created.revision]);
    expect(cache.objects.get('/c/a')!.obj).toMatchObject({ metadata: { name: 'a', resourceVersion: String(created.revision) }, data: { n: '1' } });

    // Another writer's different bytes at the same key are parsed from the event, not taken.
    expect_('/c/b', 'b', 1);
    kv.lagging = true;
    const other = await kv.create('/c/b', object('b', 2));
    if (!other.ok) throw new Error('create failed');
    kv.release();
    await settle();
    expect(made).toEqual([created.revision]);
    expect(cache.objects.get('/c/b')!.obj).toMatchObject({ data: { n: '2' } });

    // Once answered, an expectation is gone: the same bytes written later are parsed.
    const again = expect_('/c/c', 'c', 1);
    cache.writeAnswered('/c/c', again);
    await kv.create('/c/c', again);
    await settle();
    expect(made).toEqual([created.revision]);
    expect(cache.objects.get('/c/c')!.obj).toMatchObject({ data: { n: '1' } });
    await cache.stop();
  });
});

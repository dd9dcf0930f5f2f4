// The KVStore contract as tests: run against MemoryKV in the unit lane and against EtcdStore on
// a real etcd in the integration lane, so the in-memory store used by route tests cannot drift
// from etcd's semantics. Each run uses its own key prefix.
import { describe, expect, it } from 'vitest';
import type { WatchEvent } from './etcd/api.js';
import { CompactedError, FutureRevisionError } from './etcd/errors.js';
import type { KVStore } from './kv.js';

const b = (s: string) => Buffer.from(s);

/** A watch's events and end, collected for assertions. */
function collect(store: KVStore, prefix: string, from: number) {
  const events: Array<{ type: string; key: string; value: string; prev?: string; rev: number }> = [];
  let compacted: number | undefined;
  const watch = store.watchPrefix(prefix, from, {
    onEvents: (evs: WatchEvent[]) => {
      for (const e of evs) events.push({ type: e.type, key: e.kv.key.toString(), value: e.kv.value.toString(), prev: e.prev_kv?.value.toString(), rev: Number(e.kv.mod_revision) });
    },
    onCompacted: (rev) => (compacted = rev),
  });
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  };
  return { events, compacted: () => compacted, until, stop: () => watch.stop() };
}

export function kvContract(name: string, open: () => KVStore, prefixFor: () => string): void {
  describe(`${name} keeps the KVStore contract`, () => {
    it('creates only what is absent and updates and deletes only the revision read', async () => {
      const kv = open();
      const p = prefixFor();
      const created = await kv.create(`${p}a`, b('1'));
      expect(created.ok).toBe(true);
      const rev = created.ok ? created.revision : 0;
      const dup = await kv.create(`${p}a`, b('x'));
      expect(dup).toMatchObject({ ok: false, current: { key: `${p}a`, modRevision: rev, createRevision: rev } });
      const stale = await kv.update(`${p}a`, b('2'), rev - 1);
      expect(stale.ok).toBe(false);
      const updated = await kv.update(`${p}a`, b('2'), rev);
      expect(updated.ok && updated.revision).toBeGreaterThan(rev);
      expect((await kv.get(`${p}a`))?.value.toString()).toBe('2');
      expect((await kv.get(`${p}a`))?.createRevision).toBe(rev);
      expect((await kv.delete(`${p}a`, rev)).ok).toBe(false);
      expect((await kv.delete(`${p}a`, updated.ok ? updated.revision : 0)).ok).toBe(true);
      expect(await kv.get(`${p}a`)).toBeUndefined();
      expect((await kv.update(`${p}a`, b('3'), 1)).ok).toBe(false);
    });

    it('reads a prefix at past revisions, in key order, in pages', async () => {
      const kv = open();
      const p = prefixFor();
      for (const k of ['c', 'a', 'b']) await kv.create(`${p}${k}`, b(k));
      const before = await kv.currentRevision();
      const a = await kv.get(`${p}a`);
      await kv.update(`${p}a`, b('a2'), a!.modRevision);
      await kv.delete(`${p}b`, (await kv.get(`${p}b`))!.modRevision);
      await kv.create(`${p}other/x`, b('nested'));
      await kv.create(`${p.slice(0, -1)}x`, b('not under the prefix'));

      const now = await kv.range(p);
      expect(now.kvs.map((k) => [k.key.slice(p.length), k.value.toString()])).toEqual([
        ['a', 'a2'],
        ['c', 'c'],
        ['other/x', 'nested'],
      ]);
      expect(now.count).toBe(3);
      const then = await kv.range(p, { revision: before });
      expect(then.revision).toBe(await kv.currentRevision()); // the header's, as etcd answers
      expect(then.kvs.map((k) => [k.key.slice(p.length), k.value.toString()])).toEqual([
        ['a', 'a'],
        ['b', 'b'],
        ['c', 'c'],
      ]);
      const page = await kv.range(p, { limit: 2 });
      expect(page).toMatchObject({ more: true, count: 3 });
      expect(page.kvs.map((k) => k.key.slice(p.length))).toEqual(['a', 'c']);
      const rest = await kv.range(p, { startKey: `${p}c\0`, revision: page.revision });
      expect(rest.kvs.map((k) => k.key.slice(p.length))).toEqual(['other/x']);
      expect(await kv.summary(p, before)).toEqual({ count: 3, maxModRevision: before, revision: before });
      await expect(kv.range(p, { revision: (await kv.currentRevision()) + 100 })).rejects.toBeInstanceOf(FutureRevisionError);
    });

    it('watches a prefix from a revision: history first, then live changes, with previous values', async () => {
      const kv = open();
      const p = prefixFor();
      const start = (await kv.currentRevision()) + 1;
      await kv.create(`${p}a`, b('1'));
      const w = collect(kv, p, start);
      const a = await kv.get(`${p}a`);
      await kv.update(`${p}a`, b('2'), a!.modRevision);
      await kv.create(`${p.slice(0, -1)}-elsewhere`, b('unseen'));
      await kv.delete(`${p}a`, (await kv.get(`${p}a`))!.modRevision);
      await w.until(() => w.events.length >= 3);
      w.stop();
      expect(w.events.map((e) => [e.type, e.key.slice(p.length), e.value, e.prev])).toEqual([
        ['PUT', 'a', '1', undefined],
        ['PUT', 'a', '2', '1'],
        ['DELETE', 'a', '', '2'],
      ]);
      expect(w.events.map((e) => e.rev)).toEqual([...w.events.map((e) => e.rev)].sort((x, y) => x - y));
    });

    it('forgets history on compaction: old reads and watches from before it fail', async () => {
      const kv = open();
      const p = prefixFor();
      await kv.create(`${p}a`, b('1'));
      const old = await kv.currentRevision();
      await kv.update(`${p}a`, b('2'), (await kv.get(`${p}a`))!.modRevision);
      const at = await kv.currentRevision();
      await kv.compact(at);
      await kv.compact(at); // again: no error
      await expect(kv.range(p, { revision: old })).rejects.toBeInstanceOf(CompactedError);
      expect((await kv.range(p, { revision: at })).kvs.map((k) => k.value.toString())).toEqual(['2']);
      const w = collect(kv, p, old);
      await w.until(() => w.compacted() !== undefined);
      expect(w.compacted()).toBeGreaterThanOrEqual(at);
      w.stop();
    });

    it('deletes a key written with a TTL once it passes, as a DELETE event; a write without one keeps its key', async () => {
      const kv = open();
      const p = prefixFor();
      const w = collect(kv, p, (await kv.currentRevision()) + 1);
      await kv.create(`${p}brief`, b('1'), { ttlSeconds: 1 });
      await kv.create(`${p}kept`, b('1'), { ttlSeconds: 1 });
      await kv.update(`${p}kept`, b('2'), (await kv.get(`${p}kept`))!.modRevision);
      await kv.create(`${p}forever`, b('x'));
      // etcd raises a 1 s TTL to its minimum (about 2 s) and looks for expired leases twice a second.
      for (let i = 0; i < 150 && (await kv.get(`${p}brief`)); i++) await new Promise((r) => setTimeout(r, 100));
      expect(await kv.get(`${p}brief`)).toBeUndefined();
      await w.until(() => w.events.some((e) => e.type === 'DELETE'));
      w.stop();
      expect(w.events.filter((e) => e.type === 'DELETE').map((e) => [e.key.slice(p.length), e.prev])).toEqual([['brief', '1']]);
      expect((await kv.get(`${p}kept`))?.value.toString()).toBe('2');
      expect((await kv.get(`${p}forever`))?.value.toString()).toBe('x');
    });

    it('compares and swaps on a key version', async () => {
      const kv = open();
      const p = prefixFor();
      expect(await kv.casVersion(`${p}v`, 0, 'one')).toEqual({ ok: true, version: 1 });
      expect(await kv.casVersion(`${p}v`, 0, 'two')).toEqual({ ok: false, version: 1, value: 'one' });
      expect(await kv.casVersion(`${p}v`, 1, 'two')).toEqual({ ok: true, version: 2 });
    });
  });
}

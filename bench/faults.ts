// Fault-recovery benchmark: how the apiserver rides through etcd faults, next to a raw etcd
// client (etcd3, its default retries) living through the same fault in the same run.
//   1. etcd (one member) killed with -9 and restarted: writes failed, time from etcd's restart
//      to the first successful write, and to /readyz with fresh watch caches;
//   2. the leader of a three-member etcd killed with -9 under write load: failed writes, the
//      window they fell in, and the slowest write.
// Traffic stays on loopback; every loop is bounded. Usage: npm run bench:faults
import { Etcd3 } from 'etcd3';
import { startApiServer } from '../test/harness/apiserver.js';
import { EtcdCluster } from '../test/harness/etcd.js';
import { fmt } from './stats.js';

interface Tally {
  ok: number;
  failed: number;
  firstFail?: number;
  lastFail?: number;
  firstOkAfter?: number;
  maxMs: number;
}

/** Runs `write` from `concurrency` loops until stopped, tallying outcomes around a moment. */
function loop(concurrency: number, write: (i: number) => Promise<boolean>) {
  const t: Tally = { ok: 0, failed: 0, maxMs: 0 };
  let running = true;
  let mark = Infinity;
  let n = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    while (running) {
      const started = Date.now();
      let ok = false;
      try {
        ok = await write(n++);
      } catch {
        ok = false;
      }
      const now = Date.now();
      t.maxMs = Math.max(t.maxMs, now - started);
      if (ok) {
        t.ok++;
        if (started >= mark && t.firstOkAfter === undefined) t.firstOkAfter = now;
      } else {
        t.failed++;
        t.firstFail ??= started;
        t.lastFail = now;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  });
  return {
    tally: t,
    /** From now on, the first success is recorded. */
    markRecovery: () => (mark = Date.now()),
    async stop() {
      running = false;
      await Promise.all(workers);
      return t;
    },
  };
}

async function createVia(url: string, name: string): Promise<boolean> {
  const res = await fetch(`${url}/api/v1/namespaces/default/configmaps`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ metadata: { name }, data: { a: 'b' } }),
    signal: AbortSignal.timeout(30_000),
  });
  await res.arrayBuffer();
  return res.status === 201;
}

const rows: string[][] = [];
function row(...cells: string[]): void {
  rows.push(cells);
  console.log(cells.map((c, i) => (i === 0 ? c.padEnd(58) : c.padStart(16))).join(' '));
}

async function etcdRestart(): Promise<void> {
  const etcd = await EtcdCluster.start(1, 'bench-restart');
  const api = await startApiServer({ etcd: etcd.endpoints.join(','), args: ['--etcd-compaction-interval', '0'] });
  const raw = new Etcd3({ hosts: etcd.endpoints });
  try {
    const ours = loop(4, (i) => createVia(api.url, `restart-${i}`));
    const base = loop(4, async (i) => (await raw.put(`/bench/raw-${i}`).value('x'), true));
    await new Promise((r) => setTimeout(r, 1000));
    await etcd.kill(0);
    await new Promise((r) => setTimeout(r, 2000));
    const restartedAt = Date.now();
    await etcd.restart(0);
    const servingAt = Date.now();
    ours.markRecovery();
    base.markRecovery();
    let readyAt = 0;
    while (Date.now() - restartedAt < 60_000) {
      const status = await fetch(`${api.url}/readyz`).then((r) => r.status).catch(() => 0);
      if (status === 200) {
        readyAt = Date.now();
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 2000));
    const o = await ours.stop();
    const b = await base.stop();
    const since = (t?: number) => (t === undefined ? 'never' : `${t - servingAt} ms`);
    console.log(`etcd was serving again ${servingAt - restartedAt} ms after its restart began; times below are from then`);
    row('etcd killed (-9) for 2 s and restarted', 'apiserver', 'raw etcd3', '');
    row('  writes failed during the fault', String(o.failed), String(b.failed), '');
    row('  first successful write after etcd serves again', since(o.firstOkAfter), since(b.firstOkAfter), '');
    row('  /readyz 200 (watch caches caught up)', since(readyAt), '', '');
    row('  slowest write', `${o.maxMs} ms`, `${b.maxMs} ms`, '');
  } finally {
    raw.close();
    await api.stop();
    await etcd.stop();
  }
}

async function leaderKill(): Promise<void> {
  const etcd = await EtcdCluster.start(3, 'bench-leader');
  const api = await startApiServer({ etcd: etcd.endpoints.join(','), args: ['--etcd-compaction-interval', '0'] });
  const raw = new Etcd3({ hosts: etcd.endpoints });
  try {
    const ours = loop(4, (i) => createVia(api.url, `leader-${i}`));
    const base = loop(4, async (i) => (await raw.put(`/bench/leader-${i}`).value('x'), true));
    await new Promise((r) => setTimeout(r, 2000));
    const before = { ours: ours.tally.ok, base: base.tally.ok };
    const killedAt = Date.now();
    await etcd.kill(etcd.leader());
    ours.markRecovery();
    base.markRecovery();
    await new Promise((r) => setTimeout(r, 8000));
    const o = await ours.stop();
    const b = await base.stop();
    const window = (t: Tally) => (t.failed === 0 ? '0 ms' : `${(t.lastFail ?? 0) - (t.firstFail ?? 0)} ms`);
    row('three-member etcd, leader killed (-9), 8 s observed', 'apiserver', 'raw etcd3', '');
    row('  writes failed', `${o.failed} of ${o.ok + o.failed}`, `${b.failed} of ${b.ok + b.failed}`, '');
    row('  window of failures', window(o), window(b), '');
    row('  first write acknowledged after the kill', o.firstOkAfter ? `${o.firstOkAfter - killedAt} ms` : 'never', b.firstOkAfter ? `${b.firstOkAfter - killedAt} ms` : 'never', '');
    row('  slowest write', `${o.maxMs} ms`, `${b.maxMs} ms`, '');
    row('  writes/s after the kill', fmt((o.ok - before.ours) / 8, 0), fmt((b.ok - before.base) / 8, 0), fmt((o.ok - before.ours) / Math.max(1, b.ok - before.base), 2));
  } finally {
    raw.close();
    await api.stop();
    await etcd.stop();
  }
}

async function main(): Promise<void> {
  await etcdRestart();
  await leaderKill();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

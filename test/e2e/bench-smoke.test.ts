// The benchmarks, small, as smoke tests (issue 16): each runs to the end and prints its
// figures. No timing is asserted (these machines are noisy); what is asserted is that the
// benchmark measured what it says (every pod bound by the floor and by the scheduler, every
// listed pod and printed row counted, every watch event delivered, every stage reached).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('benchmarks, small', () => {
  it('bench:scheduler binds every pod with the floor and with the scheduler, round after round', async () => {
    const { stdout } = await run(process.execPath, [join(process.cwd(), 'dist', 'bench', 'scheduler.js')], {
      env: { ...process.env, BENCH_NODES: '30', BENCH_PODS: '200', BENCH_ROUNDS: '2', BENCH_TIMEOUT_MS: '60000' },
      timeout: 120_000,
    });
    console.log(stdout);
    expect(stdout).toMatch(/floor: trivial round-robin binder\s+\d+\s+400\n/);
    expect(stdout).toMatch(/kubette-scheduler\s+\d+\s+400\n/);
    expect(stdout).toMatch(/^ {2}round 2: floor \d+ pods\/s, scheduler \d+ pods\/s, ratio \d+\.\d\d$/m);
    expect(stdout).toMatch(/ratios by round: \d+\.\d\d, \d+\.\d\d\n/);
    expect(stdout).toMatch(/ratio \(scheduler \/ floor\): \d+\.\d\d\n/);
  }, 150_000);

  it('bench:list lists every pod each way, and kubectl prints every row chunked and unchunked', async () => {
    const { stdout } = await run(process.execPath, [join(process.cwd(), 'dist', 'bench', 'list.js')], {
      env: { ...process.env, BENCH_LIST_SIZE: '300', BENCH_PAGE: '100', BENCH_ROUNDS: '1' },
      timeout: 120_000,
    });
    console.log(stdout);
    // The benchmark itself checks the counts (list, pages, kubectl's rows) and fails otherwise.
    for (const what of ['resourceVersion=0 (cache)', 'consistent (no resourceVersion)', 'paged by 100', 'as a Table', 'kubectl get pods -A (chunks of 100)']) {
      expect(stdout).toMatch(new RegExp(`\\| [^|]*${what.replace(/[()=]/g, '\\$&')}[^|]* \\| \\d+\\.\\d ms \\| [^|]+ \\| \\d+\\.\\d\\d \\|`));
    }
  }, 150_000);

  it('bench:apiserver creates, gets, lists and delivers every watch event', async () => {
    const { stdout } = await run(process.execPath, [join(process.cwd(), 'dist', 'bench', 'apiserver.js')], {
      env: { ...process.env, BENCH_CREATES: '200', BENCH_WARMUP: '100', BENCH_LIST_SIZE: '300', BENCH_WATCHERS: '20', BENCH_WATCH_WRITES: '5' },
      timeout: 120_000,
    });
    console.log(stdout);
    expect(stdout).toMatch(/\| create configmaps \(\d+ B\), \d+ in flight \| \d+\/s \| \d+ txns\/s \| \d+\.\d\d \|/);
    expect(stdout).toMatch(/\| create pods \(\d+ B\), \d+ in flight \| \d+\/s \| \d+ txns\/s \| \d+\.\d\d \|/);
    // Each create row has its floor beside it: the bare Node server's creates against the same baseline.
    expect(stdout.match(/\|\s+bare Node HTTP server, same creates \(floor\) \| \d+\/s \| \d+ txns\/s \| \d+\.\d\d \|/g)).toHaveLength(2);
    expect(stdout).toMatch(/\| LIST 300 configmaps, quorum \(etcd\) \| /);
    // Every watcher got every write.
    expect(stdout).toMatch(/\| watch delivery, 20 watchers x 5 writes \| p50 [\d.]+ ms \| p99 [\d.]+ ms \| 100\/100 \|/);
  }, 150_000);

  it('bench:footprint runs a small control plane with simulated nodes to the end', async () => {
    const { stdout } = await run(process.execPath, [join(process.cwd(), 'dist', 'bench', 'footprint.js')], {
      env: { ...process.env, BENCH_NODES: '20', BENCH_PODS: '60', BENCH_TIMEOUT_MS: '60000' },
      timeout: 120_000,
    });
    console.log(stdout);
    expect(stdout).toMatch(/^idle\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+0$/m);
    expect(stdout).toMatch(/60 pods available/);
    expect(stdout).toMatch(/^20 nodes, 60 pods\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+$/m);
    // The apiserver's heap by space, read from its /metrics.
    expect(stdout).toMatch(/apiserver V8 heap MB: new \d+ \(\d+ used\), old \d+ \(\d+ used\), code \d+/);
    expect(stdout).not.toMatch(/NaN/);
  }, 150_000);
});

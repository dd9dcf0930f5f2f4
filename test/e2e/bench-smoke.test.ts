// The benchmarks, small, as smoke tests (issue 16): each runs to the end and prints its
// figures. No timing is asserted (these machines are noisy); what is asserted is that the
// benchmark measured what it says (every pod bound, by the floor and by the scheduler).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('benchmarks, small', () => {
  it('bench:scheduler binds every pod with the floor and with the scheduler', async () => {
    const { stdout } = await run(process.execPath, [join(process.cwd(), 'dist', 'bench', 'scheduler.js')], {
      env: { ...process.env, BENCH_NODES: '30', BENCH_PODS: '200', BENCH_TIMEOUT_MS: '60000' },
      timeout: 120_000,
    });
    console.log(stdout);
    expect(stdout).toMatch(/floor: trivial round-robin binder\s+\d+\s+200\n/);
    expect(stdout).toMatch(/kubette-scheduler\s+\d+\s+200\n/);
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
});

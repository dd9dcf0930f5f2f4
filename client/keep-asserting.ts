// Runs an idempotent registration until `signal` aborts: again soon (backing off to 10 s) while
// it fails, then every `periodMs` to put back what someone may have changed or removed.
import type { Logger } from 'pino';
import { sleep } from './sleep.js';

export async function keepAsserting(what: string, assert: () => Promise<void>, signal: AbortSignal, log: Logger, periodMs = 30_000): Promise<void> {
  let delay = 500;
  while (!signal.aborted) {
    try {
      await assert();
      delay = periodMs;
    } catch (err) {
      log.warn({ err: (err as Error).message }, `could not register ${what}; retrying`);
      delay = Math.min(delay * 2, 10_000);
    }
    await sleep(delay, signal);
  }
}

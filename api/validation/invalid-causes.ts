// For tests of validation: what a check refused, as `field: message` lines.
import { StatusError } from '../status.js';

/**
 * The causes of the 422 `run` throws, as `field: message`; none when it throws nothing. Anything
 * else it throws is rethrown, so a test cannot mistake another failure for a refusal.
 */
export function invalidCauses(run: () => void): string[] {
  try {
    run();
  } catch (err) {
    if (!(err instanceof StatusError) || err.code !== 422) throw err;
    return (err.details?.causes ?? []).map((c) => `${c.field}: ${c.message}`);
  }
  return [];
}

// Go-style durations as Kubernetes flags take them ("5m0s", "300ms", "1h30m", "0") and its messages print them.

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in a Go duration string; throws on malformed input. */
export function parseGoDuration(input: string): number {
  const s = input.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed !== s.length || s.length === 0) throw new Error(`invalid duration "${input}"`);
  // To the nanosecond, Go's resolution: "1.001s" is 1001 ms, not 1000.9999999999999.
  return Math.round(total * 1e6) / 1e6;
}

/**
 * A whole number of milliseconds as Go's time.Duration prints it ("890ms", "1.21s", "1m2.5s",
 * "1h0m0s"): what Kubernetes' messages carry, e.g. the kubelet's pull times.
 */
export function formatGoDuration(ms: number): string {
  ms = Math.max(0, Math.trunc(ms));
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const rest = ms % 60_000;
  const seconds = `${Math.floor(rest / 1000)}${rest % 1000 ? `.${String(rest % 1000).padStart(3, '0').replace(/0+$/, '')}` : ''}s`;
  if (hours) return `${hours}h${minutes}m${seconds}`;
  if (minutes) return `${minutes}m${seconds}`;
  return seconds;
}

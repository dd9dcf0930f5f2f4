// Per-key exponential back-off, as the kubelet uses for crashing containers and failing image
// pulls: 10 s doubling to 300 s; a key left alone for twice the maximum starts over.

export class Backoff {
  private readonly entries = new Map<string, { durationMs: number; updatedAt: number }>();

  constructor(
    private readonly initialMs = 10_000,
    private readonly maxMs = 300_000,
  ) {}

  /** Records an attempt now; the next one must wait one step longer. */
  next(key: string, now: number): void {
    const e = this.entries.get(key);
    if (!e || now - e.updatedAt > 2 * this.maxMs) this.entries.set(key, { durationMs: this.initialMs, updatedAt: now });
    else this.entries.set(key, { durationMs: Math.min(e.durationMs * 2, this.maxMs), updatedAt: now });
  }

  /** Whether `now` is still inside the back-off window that started at `since`. */
  inBackoffSince(key: string, since: number, now: number): boolean {
    const e = this.entries.get(key);
    if (!e || now - e.updatedAt > 2 * this.maxMs) return false;
    return now - since < e.durationMs;
  }

  /** Milliseconds of the current window, 0 when the key is fresh. */
  duration(key: string): number {
    return this.entries.get(key)?.durationMs ?? 0;
  }

  forgetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}

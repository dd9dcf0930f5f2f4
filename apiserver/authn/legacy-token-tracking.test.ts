import { describe, expect, it } from 'vitest';
import { LegacyTokenTracker } from './legacy-token-tracking.js';
import type { KubeObject } from '../../api/types/meta.js';

const secret = (lastUsed?: string) =>
  ({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'team', name: 'bot-token', uid: 'u1', ...(lastUsed ? { labels: { 'kubernetes.io/legacy-token-last-used': lastUsed } } : {}) } }) as KubeObject;

describe('legacy token tracking', () => {
  it('labels a Secret with the day of its use once, however many requests use it at once', async () => {
    const writes: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tracker = new LegacyTokenTracker(
      async (ns, name, uid, day) => {
        writes.push(`${ns}/${name}/${uid}=${day}`);
        await gate;
      },
      () => undefined,
      () => Date.parse('2026-12-07T23:30:00Z'),
    );
    for (let i = 0; i < 5; i++) tracker.used(secret());
    tracker.used(secret('2026-12-01'));
    expect(writes).toEqual(['team/bot-token/u1=2026-12-07']);
    release();
    // A label of today, or of tomorrow (a clock a little ahead), is left as it is.
    tracker.used(secret('2026-12-07'));
    tracker.used(secret('2026-12-08'));
    expect(writes).toHaveLength(1);
  });

  it('reports a failed write and tries again on the next use', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const tracker = new LegacyTokenTracker(
      async () => {
        calls++;
        throw new Error('conflict');
      },
      (err) => errors.push(err),
    );
    tracker.used(secret());
    await new Promise((r) => setImmediate(r));
    tracker.used(secret());
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(2);
    expect(errors).toHaveLength(2);
  });
});

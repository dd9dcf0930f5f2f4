import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';

describe('Backoff', () => {
  it('doubles from 10 s to a 300 s cap and starts over after a quiet spell', () => {
    const b = new Backoff();
    let t = 0;
    const windows: number[] = [];
    for (let i = 0; i < 7; i++) {
      b.next('k', t);
      windows.push(b.duration('k') / 1000);
      t += 1000;
    }
    expect(windows).toEqual([10, 20, 40, 80, 160, 300, 300]);
    expect(b.inBackoffSince('k', t, t + 299_000)).toBe(true);
    expect(b.inBackoffSince('k', t, t + 300_000)).toBe(false);
    b.next('k', t + 700_000); // more than twice the cap later
    expect(b.duration('k')).toBe(10_000);
  });
});

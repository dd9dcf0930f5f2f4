import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration } from './go-duration.js';

describe('Go durations', () => {
  it("prints milliseconds as Go's time.Duration does", () => {
    expect(formatGoDuration(0)).toBe('0s');
    expect(formatGoDuration(890)).toBe('890ms');
    expect(formatGoDuration(1210)).toBe('1.21s');
    expect(formatGoDuration(4522)).toBe('4.522s');
    expect(formatGoDuration(5000)).toBe('5s');
    expect(formatGoDuration(62_500)).toBe('1m2.5s');
    expect(formatGoDuration(3_600_000)).toBe('1h0m0s');
    expect(formatGoDuration(-5)).toBe('0s');
  });

  it('reads back what it prints', () => {
    for (const ms of [1, 999, 1001, 59_999, 61_000, 7_322_005]) expect(parseGoDuration(formatGoDuration(ms))).toBe(ms);
  });
});

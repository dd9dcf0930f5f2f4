import { describe, expect, it } from 'vitest';
import { microTime, rfc3339, rfc3339Error } from './time.js';

describe('rfc3339', () => {
  it('gives each second its own text, whatever the order the dates come in', () => {
    const at = (iso: string) => rfc3339(new Date(iso));
    expect(at('2026-12-05T00:00:01.999Z')).toBe('2026-12-05T00:00:01Z');
    expect(at('2026-12-05T00:00:01.000Z')).toBe('2026-12-05T00:00:01Z');
    expect(at('2026-12-05T00:00:02.001Z')).toBe('2026-12-05T00:00:02Z');
    expect(at('2026-12-05T00:00:01.500Z')).toBe('2026-12-05T00:00:01Z');
    expect(at('1969-12-31T23:59:59.500Z')).toBe('1969-12-31T23:59:59Z');
    expect(at('1970-01-01T00:00:00.000Z')).toBe('1970-01-01T00:00:00Z');
    expect(() => rfc3339(new Date(NaN))).toThrow(RangeError);
  });

  it('keeps microseconds apart', () => {
    expect(microTime(new Date('2026-12-05T00:00:01.123Z'))).toBe('2026-12-05T00:00:01.123000Z');
  });
});

// metav1.Time values as Go's RFC 3339 parser judges them: what Go clients can decode is
// accepted, anything else is refused with Go's words.
describe('rfc3339Error', () => {
  it('accepts what Go parses: zones, offsets, fractions, a one-digit hour, 29 February of a leap year', () => {
    for (const ok of ['2026-12-05T18:00:00Z', '2026-12-05T18:00:00+02:00', '2026-12-05T18:00:00.123456Z', '2026-12-05T18:00:00,5-05:30', '2026-12-05T8:00:00Z', '2024-02-29T00:00:00Z', '2026-12-05T23:59:59+24:00']) {
      expect(rfc3339Error(ok), ok).toBeUndefined();
    }
  });

  it('names the element it cannot parse, or the field out of range', () => {
    const as = (v: string, rest: string, element: string) => `parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(element)}`;
    expect(rfc3339Error('yesterday')).toBe(as('yesterday', 'yesterday', '2006'));
    expect(rfc3339Error('')).toBe(as('', '', '2006'));
    expect(rfc3339Error('2026-12-05 18:00:00Z')).toBe(as('2026-12-05 18:00:00Z', ' 18:00:00Z', 'T'));
    expect(rfc3339Error('2026-12-05T18:00:00')).toBe(as('2026-12-05T18:00:00', '', 'Z07:00'));
    expect(rfc3339Error('2026-12-05T18:00:00Zjunk')).toBe('parsing time "2026-12-05T18:00:00Zjunk": extra text: "junk"');
    expect(rfc3339Error('2026-13-05T18:00:00Z')).toBe('parsing time "2026-13-05T18:00:00Z": month out of range');
    expect(rfc3339Error('2025-02-29T18:00:00Z')).toBe('parsing time "2025-02-29T18:00:00Z": day out of range');
    expect(rfc3339Error('2026-12-05T24:00:00Z')).toBe('parsing time "2026-12-05T24:00:00Z": hour out of range');
    expect(rfc3339Error('2026-12-05T18:00:60Z')).toBe('parsing time "2026-12-05T18:00:60Z": second out of range');
  });

  it('reads a long value in one pass', () => {
    expect(rfc3339Error(`2026-12-05T18:00:00.${'1'.repeat(200_000)}Z`)).toBeUndefined();
    expect(rfc3339Error(`2026-12-05T18:00:00Z${'x'.repeat(200_000)}`)).toMatch(/extra text/);
  });
});

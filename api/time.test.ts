import { describe, expect, it } from 'vitest';
import { decodeTime, microTime, rfc3339 } from './time.js';

/** Go's words for why `value` is no metav1.Time, or undefined when it is one. */
function rfc3339Error(value: string): string | undefined {
  const decoded = decodeTime(value);
  return 'error' in decoded ? decoded.error : undefined;
}

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

// What the apiserver keeps of a time: what Go writes back after decoding it.
describe('decodeTime', () => {
  it('writes a Time back in UTC with whole seconds, and keeps one already so', () => {
    expect(decodeTime('2026-12-05T18:00:00Z')).toEqual({ value: '2026-12-05T18:00:00Z' });
    expect(decodeTime('2026-12-05T18:00:00.999Z')).toEqual({ value: '2026-12-05T18:00:00Z' });
    expect(decodeTime('2026-12-05T18:00:00+02:00')).toEqual({ value: '2026-12-05T16:00:00Z' });
    expect(decodeTime('2026-12-31T23:30:00,5-05:30')).toEqual({ value: '2027-01-01T05:00:00Z' });
    expect(decodeTime('2026-12-05T8:00:00Z')).toEqual({ value: '2026-12-05T08:00:00Z' });
    expect(decodeTime('0050-03-01T00:30:00+01:00')).toEqual({ value: '0050-02-28T23:30:00Z' });
  });

  it('writes a MicroTime back in UTC with six digits, and takes nothing but six', () => {
    expect(decodeTime('2026-12-05T18:00:00.123456Z', true)).toEqual({ value: '2026-12-05T18:00:00.123456Z' });
    expect(decodeTime('2026-12-05T18:00:00,000001+01:00', true)).toEqual({ value: '2026-12-05T17:00:00.000001Z' });
    const as = (v: string, rest: string, element: string) => ({ error: `parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(element)}` });
    expect(decodeTime('2026-12-05T18:00:00Z', true)).toEqual(as('2026-12-05T18:00:00Z', 'Z', '.000000'));
    expect(decodeTime('2026-12-05T18:00:00.123Z', true)).toEqual(as('2026-12-05T18:00:00.123Z', '.123Z', '.000000'));
    expect(decodeTime('2026-12-05T18:00:00.1234567Z', true)).toEqual(as('2026-12-05T18:00:00.1234567Z', '7Z', 'Z07:00'));
    expect(decodeTime('2026-12-05T18:00:00.12345xZ', true)).toEqual(as('2026-12-05T18:00:00.12345xZ', '.12345xZ', '.000000'));
  });

  it("takes Go's zero time for no time at all (Kubernetes writes it as null)", () => {
    expect(decodeTime('0001-01-01T00:00:00Z')).toEqual({ absent: true });
    expect(decodeTime('0001-01-01T01:00:00+01:00')).toEqual({ absent: true });
    expect(decodeTime('0001-01-01T00:00:00.000000Z', true)).toEqual({ absent: true });
    expect(decodeTime('0001-01-01T00:00:00.000001Z', true)).toEqual({ value: '0001-01-01T00:00:00.000001Z' });
    expect(decodeTime('0001-01-01T00:00:00.0000000001Z')).toEqual({ absent: true });
  });

  it('keeps a time an offset moves out of four-digit years as sent', () => {
    expect(decodeTime('0000-01-01T00:00:00+01:00')).toEqual({ value: '0000-01-01T00:00:00+01:00' });
    expect(decodeTime('9999-12-31T23:00:00-02:00')).toEqual({ value: '9999-12-31T23:00:00-02:00' });
  });
});

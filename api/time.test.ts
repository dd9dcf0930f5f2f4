import { describe, expect, it } from 'vitest';
import { microTime, rfc3339 } from './time.js';

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

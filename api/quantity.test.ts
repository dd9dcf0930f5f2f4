// Quantities parse to the same base units every time, whether or not they were seen before,
// and the memory of parsed ones stays bounded whatever strings clients send.
import { describe, expect, it } from 'vitest';
import { formatMilliQuantity, milliValue, parseQuantity, quantityError } from './quantity.js';

describe('parseQuantity', () => {
  it('reads the forms Kubernetes accepts, in base units', () => {
    expect(parseQuantity('100m')).toBeCloseTo(0.1);
    expect(parseQuantity('128Mi')).toBe(128 * 2 ** 20);
    expect(parseQuantity('1.5')).toBe(1.5);
    expect(parseQuantity('2e3')).toBe(2000);
    expect(parseQuantity('.5')).toBe(0.5);
    expect(parseQuantity(' 2Gi ')).toBe(2 * 2 ** 30);
    expect(parseQuantity(3)).toBe(3);
    expect(parseQuantity(Number.NaN)).toBeUndefined();
    expect(parseQuantity(undefined)).toBeUndefined();
  });

  it('refuses what is not a quantity, the second time as the first', () => {
    for (let round = 0; round < 2; round++) {
      expect(parseQuantity('12Qi')).toBeUndefined();
      expect(parseQuantity('')).toBeUndefined();
      expect(parseQuantity('1.2.3')).toBeUndefined();
      expect(parseQuantity('__proto__')).toBeUndefined();
    }
  });

  it('gives the same answers after thousands of distinct and long strings', () => {
    for (let i = 0; i < 5000; i++) expect(parseQuantity(`${i}m`)).toBeCloseTo(i / 1000);
    const long = `${'9'.repeat(100_000)}x`;
    expect(parseQuantity(long)).toBeUndefined();
    expect(parseQuantity(long)).toBeUndefined();
    expect(milliValue('250m')).toBe(250);
    expect(milliValue('1')).toBe(1000);
    expect(formatMilliQuantity(milliValue('1500m'))).toBe('1500m');
  });

  it('says why a string is not a quantity, in the words of Kubernetes\' parser', () => {
    const format = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
    for (const ok of ['1', '100m', '1.5Gi', '-2', '1e3', '.5', ' 2 ']) expect(quantityError(ok), ok).toBeUndefined();
    for (const shape of ['', 'x', '__proto__', '1Qi', '1.2.3', '1e3k', '+', `${'9'.repeat(200_000)}x`]) expect(quantityError(shape), shape.slice(0, 20)).toBe(format);
    for (const suffix of ['1mi', '1e', '1ke3', '1Kii']) expect(quantityError(suffix), suffix).toBe("unable to parse quantity's suffix");
  });
});

import { describe, expect, it } from 'vitest';
import { goValue } from './go-format.js';

describe('goValue (Go %+v of decoded JSON)', () => {
  it('prints maps with sorted keys, slices with spaces and bare strings', () => {
    expect(goValue({ spec: { b: [1, 'x', true], a: null } })).toBe('map[spec:map[a:<nil> b:[1 x true]]]');
    expect(goValue({ metadata: { labels: 'invalid' } })).toBe('map[metadata:map[labels:invalid]]');
    expect(goValue([])).toBe('[]');
    expect(goValue({})).toBe('map[]');
  });

  it('prints floats as Go does: shortest digits, exponents below 1e-4 and from 1e21', () => {
    expect(goValue(1.5)).toBe('1.5');
    expect(goValue(0.0001)).toBe('0.0001');
    expect(goValue(0.00001)).toBe('1e-05');
    expect(goValue(1e21)).toBe('1e+21');
    expect(goValue(123456789)).toBe('123456789');
    expect(goValue(-2.5e-7)).toBe('-2.5e-07');
  });
});

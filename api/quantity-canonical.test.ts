import { describe, expect, it } from 'vitest';
import { canonicalQuantity } from './quantity-canonical.js';

// Expected values are what Kubernetes' Go Quantity writes after parsing the input (its
// ParseQuantity and MarshalJSON), worked through its two parsing paths.
describe('canonicalQuantity', () => {
  it.each([
    // Already canonical: the client's string is kept, quirks included.
    ['1', '1'],
    ['100m', '100m'],
    ['1Gi', '1Gi'],
    ['1e3', '1e3'],
    ['12e6', '12e6'],
    ['01', '01'],
    ['+1', '+1'],
    ['1n', '1n'],
    ['0', '0'],
    // Rewritten.
    ['0.5', '500m'],
    ['1.5', '1500m'],
    ['1.0', '1'],
    ['0.1', '100m'],
    ['1000m', '1'],
    ['1000', '1k'],
    ['2000', '2k'],
    ['1500', '1500'],
    ['1000M', '1G'],
    ['1024Mi', '1Gi'],
    ['8Gi', '8Gi'],
    ['1536Mi', '1536Mi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Ki', '512'],
    ['1025Ki', '1025Ki'],
    ['.001Ki', '1024m'],
    ['.000001Ki', '1024u'],
    ['.000000001Ki', '1024n'],
    ['.000000000001Ki', '2n'],
    ['0.1n', '1n'],
    ['0m', '0'],
    ['0.0', '0'],
    ['-0.5', '-500m'],
    ['-1024Mi', '-1Gi'],
    ['1.2e6', '1200e3'],
    ['1.5e3', '1500'],
    [' 2 ', '2'],
    [2, '2'],
    [0.25, '250m'],
  ])('%j is stored as %j', (input, expected) => {
    expect(canonicalQuantity(input)).toBe(expected);
  });

  it('leaves what is not a quantity, or is absurdly long, for validation to refuse', () => {
    expect(canonicalQuantity('abc')).toBeUndefined();
    expect(canonicalQuantity('1Qi')).toBeUndefined();
    expect(canonicalQuantity('')).toBeUndefined();
    expect(canonicalQuantity('1'.repeat(1000))).toBeUndefined();
  });

  it('stays cheap for hostile exponents', () => {
    // Rounded up to one nano unit, still written with an exponent.
    expect(canonicalQuantity('1.5e-2000000000')).toBe('1e-9');
    expect(canonicalQuantity('1e-999999999')).toBe('1e-9');
    expect(canonicalQuantity('15e2000000000')).toBe('1500e1999999998');
  });
});

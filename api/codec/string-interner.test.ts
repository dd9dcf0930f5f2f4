import { describe, expect, it } from 'vitest';
import { StringInterner } from './string-interner.js';

describe('StringInterner', () => {
  it('leaves decoded objects equal to what they were', () => {
    const text = JSON.stringify({
      metadata: { name: 'p', labels: { app: 'web' }, finalizers: ['a', 'b'] },
      spec: { containers: [{ image: 'registry.invalid/x:1', args: ['--flag', 'v'] }], n: 3, ok: true, none: null },
    });
    const interner = new StringInterner();
    const a = JSON.parse(text);
    const b = JSON.parse(text);
    interner.internValues(a);
    interner.internValues(b);
    expect(a).toEqual(JSON.parse(text));
    expect(b).toEqual(JSON.parse(text));
  });

  it('does not touch a decoded __proto__ key or the object prototype', () => {
    const obj = JSON.parse('{"__proto__":"x","metadata":{"__proto__":{"polluted":"yes"}}}');
    new StringInterner().internValues(obj);
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(obj, '__proto__')?.value).toBe('x');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('survives nesting far deeper than any API object', () => {
    const deep = JSON.parse('['.repeat(100_000) + '"x"' + ']'.repeat(100_000));
    expect(() => new StringInterner().internValues(deep)).not.toThrow();
  });

  it('stays bounded and skips long values', () => {
    const interner = new StringInterner(100);
    for (let i = 0; i < 1000; i++) interner.intern(`uid-${i}`);
    expect(interner.size).toBeLessThanOrEqual(100);
    const before = interner.size;
    expect(interner.intern('c'.repeat(4096))).toBe('c'.repeat(4096));
    expect(interner.size).toBe(before);
  });
});

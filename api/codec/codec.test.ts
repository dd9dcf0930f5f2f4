import fc from 'fast-check';
import { parse as yamlParse, stringify as yamlStringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { jsonNestingDepth, MAX_NESTING_DEPTH, NestingTooDeepError, parseJSON, stringify, stringifyIteratively } from './json.js';
import { assignOwn, clone, deepEqual, depthOf, own, setOwn } from './values.js';
import { MAX_YAML_DEPTH, parseYAML, toYAML, yamlNestingDepth } from './yaml.js';

const deepText = (d: number, leaf = '1') => '{"a":'.repeat(d) + leaf + '}'.repeat(d);
const deepArrayText = (d: number) => '['.repeat(d) + ']'.repeat(d);
const protoPolluted = () => Object.keys(Object.prototype).length > 0 || ({} as Record<string, unknown>).polluted !== undefined;

/** JSON values with keys that are dangerous as property names. */
const hostileKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'a', 'b', '$patch', '');
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileKey, fc.string()), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('JSON text', () => {
  it('measures nesting outside strings, escapes included', () => {
    expect(jsonNestingDepth('{"a":[1,{"b":"[[[{{{"}]}')).toBe(3);
    expect(jsonNestingDepth('"\\"[[[["')).toBe(0);
    expect(jsonNestingDepth(deepArrayText(MAX_NESTING_DEPTH))).toBe(MAX_NESTING_DEPTH);
  });

  it('refuses more than 10,000 levels before parsing', () => {
    expect(() => parseJSON(deepArrayText(MAX_NESTING_DEPTH + 1))).toThrow(NestingTooDeepError);
    expect(() => parseJSON(deepText(50_000))).toThrow(/exceeded max depth of 10000/);
    expect(depthOf(parseJSON(deepText(MAX_NESTING_DEPTH - 1)))).toBe(MAX_NESTING_DEPTH - 1);
  });

  it('judges a text just past the limit in length, and lets any shorter one through (it cannot be deeper)', () => {
    expect(() => parseJSON('[[[1]]]', 2)).toThrow(NestingTooDeepError);
    expect(() => parseJSON(Buffer.from('[[[]]]'), 2)).toThrow(NestingTooDeepError);
    expect(parseJSON('[[1]]', 2)).toEqual([[1]]);
    expect(parseJSON('[[]]', 4)).toEqual([[]]);
    expect(parseJSON(' [[ ]] ', 2)).toEqual([[]]);
  });

  it('agrees with the parser about depth for any JSON document', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        expect(jsonNestingDepth(text)).toBe(depthOf(JSON.parse(text)));
      }),
    );
  });

  it('writes the same text as JSON.stringify, iteratively, at any depth', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(stringifyIteratively(v)).toBe(JSON.stringify(v));
      }),
    );
    expect(stringifyIteratively({ a: undefined, b: [undefined, 1, Infinity], c: () => 1 })).toBe(JSON.stringify({ a: undefined, b: [undefined, 1, Infinity], c: () => 1 }));
    const deep = JSON.parse(deepText(9_999));
    const text = stringify(deep);
    expect(text).toBe(deepText(9_999));
  });
});

describe('JSON values', () => {
  it('clones and compares values nested 10,000 levels deep', () => {
    const deep = JSON.parse(deepText(MAX_NESTING_DEPTH));
    const copy = clone(deep);
    expect(copy === deep).toBe(false);
    expect(deepEqual(copy, deep)).toBe(true);
    expect(deepEqual(copy, JSON.parse(deepText(MAX_NESTING_DEPTH, '2')))).toBe(false);
    expect(depthOf(copy)).toBe(MAX_NESTING_DEPTH);
  });

  it('keeps __proto__, constructor and prototype as plain own keys', () => {
    const parsed = JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}}}');
    const copy = clone(parsed);
    expect(Object.keys(copy)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as Record<string, unknown>).polluted).toBeUndefined();
    expect(own(copy, '__proto__')).toEqual({ polluted: 1 });
    expect(own({}, 'constructor')).toBeUndefined();
    const target = {};
    setOwn(target, '__proto__', { polluted: 3 });
    assignOwn(target, parsed);
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
    expect(protoPolluted()).toBe(false);
  });

  it('clone and deepEqual agree with JSON for any value, hostile keys included', () => {
    fc.assert(
      fc.property(hostileJson, (v) => {
        const copy = clone(v);
        expect(deepEqual(copy, v)).toBe(true);
        expect(stringify(copy)).toBe(stringify(v));
        expect(protoPolluted()).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(deepEqual(a, b)).toBe(canonicalEqual(a, b));
      }),
    );
  });
});

function canonicalEqual(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown => (Array.isArray(v) ? v.map(norm) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, x]) => [k, norm(x)])) : Object.is(v, -0) ? 0 : v);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

describe('YAML text', () => {
  it('reads JSON bodies through the JSON path, 10,000 levels allowed', () => {
    expect(depthOf(parseYAML(deepText(MAX_NESTING_DEPTH)))).toBe(MAX_NESTING_DEPTH);
    expect(() => parseYAML(`  ${deepText(MAX_NESTING_DEPTH + 1)}`)).toThrow(NestingTooDeepError);
  });

  it('measures block and flow YAML on the syntax tree and refuses it beyond the YAML limit', () => {
    const block = (d: number) => Array.from({ length: d }, (_, i) => `${'  '.repeat(i)}a:`).join('\n') + `\n${'  '.repeat(d)}b: 1\n`;
    expect(yamlNestingDepth(block(10))).toBe(11);
    expect(yamlNestingDepth('- - - x\n')).toBe(3);
    expect(yamlNestingDepth('{a: [1, {b: 2}]}')).toBe(3);
    expect(depthOf(parseYAML(block(MAX_YAML_DEPTH - 1)))).toBe(MAX_YAML_DEPTH);
    expect(() => parseYAML(block(MAX_YAML_DEPTH))).toThrow(/exceeded max depth of 500/);
    // Deep flow YAML that is not JSON: the CST parser is iterative, so even 100,000 levels are only measured.
    expect(() => parseYAML(`x: ${'[a, '.repeat(100_000)}`)).toThrow(NestingTooDeepError);
    expect(() => parseYAML('- '.repeat(20_000) + 'x')).toThrow(NestingTooDeepError);
  });

  it('never reports less nesting than the document has', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (v) => {
        const text = yamlStringify(v);
        expect(yamlNestingDepth(text)).toBeGreaterThanOrEqual(depthOf(yamlParse(text)));
      }),
    );
  });

  it('keeps hostile keys as data and refuses alias bombs', () => {
    const doc = parseYAML('metadata:\n  __proto__:\n    polluted: 1\n  constructor: x\n') as Record<string, Record<string, unknown>>;
    expect(Object.keys(doc.metadata!)).toEqual(['__proto__', 'constructor']);
    expect(protoPolluted()).toBe(false);
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 12; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`);
    expect(() => parseYAML(bomb.join('\n'))).toThrow(/alias/i);
  });

  it('writes values too deep for the YAML library as JSON, which YAML readers accept', () => {
    const deep = JSON.parse(deepText(MAX_YAML_DEPTH + 1));
    const text = toYAML(deep);
    expect(text.startsWith('{')).toBe(true);
    expect(depthOf(parseYAML(text))).toBe(MAX_YAML_DEPTH + 1);
    const atLimit = JSON.parse(deepText(MAX_YAML_DEPTH));
    expect(depthOf(yamlParse(toYAML(atLimit), { maxAliasCount: -1 }))).toBe(MAX_YAML_DEPTH);
  });
});

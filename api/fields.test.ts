import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { checkFieldSelector, escapeFieldValue, fieldsMatch, parseFieldSelector, selectableFields, supportedFields } from './fields.js';

setFlagsFromString('--allow-natives-syntax');
const haveSameShape = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

describe('field selectors', () => {
  const pod = {
    metadata: { name: 'web-1', namespace: 'default' },
    spec: { nodeName: 'node-a' },
    status: { phase: 'Running' },
  };
  const fields = selectableFields('pods', pod);

  it('matches =, == and != on the fields a pod exposes', () => {
    expect(fieldsMatch(parseFieldSelector('spec.nodeName=node-a'), fields)).toBe(true);
    expect(fieldsMatch(parseFieldSelector('spec.nodeName==node-b'), fields)).toBe(false);
    expect(fieldsMatch(parseFieldSelector('status.phase!=Succeeded,status.phase!=Failed'), fields)).toBe(true);
    expect(fieldsMatch(parseFieldSelector('metadata.name=web-1,metadata.namespace=default'), fields)).toBe(true);
  });

  it('unescapes values as kubectl escapes them', () => {
    const value = 'a,b=c\\d';
    const reqs = parseFieldSelector(`involvedObject.name=${escapeFieldValue(value)},involvedObject.kind=Pod`);
    expect(reqs).toEqual([
      { field: 'involvedObject.name', negate: false, value },
      { field: 'involvedObject.kind', negate: false, value: 'Pod' },
    ]);
  });

  it('parses as Kubernetes does: the first operator ends the field, values must escape = and ,', () => {
    expect(parseFieldSelector('a!b=c')).toEqual([{ field: 'a!b', negate: false, value: 'c' }]);
    expect(() => parseFieldSelector('spec.nodeName!==x')).toThrow("invalid field selector: unescaped character '='");
    expect(() => parseFieldSelector('metadata.name=a=b')).toThrow("invalid field selector: unescaped character '='");
    expect(parseFieldSelector('metadata.name=a\\=b\\\\')[0]?.value).toBe('a=b\\');
    expect(() => parseFieldSelector('metadata.name=a\\x')).toThrow('invalid escape sequence: \\x');
    expect(() => parseFieldSelector('metadata.name=a\\')).toThrow('invalid escape sequence: \\');
    // Nothing is trimmed: a space belongs to the field (which no resource then supports).
    expect(parseFieldSelector('metadata.name=a, status.phase=Running')[1]?.field).toBe(' status.phase');
    expect(() => parseFieldSelector(' ')).toThrow("can't understand ' '");
    expect(parseFieldSelector('a=1,,b=2').map((r) => r.field)).toEqual(['a', 'b']);
  });

  it('rejects fields a resource does not support', () => {
    expect(() => checkFieldSelector('configmaps', parseFieldSelector('spec.nodeName=x'), supportedFields('configmaps', true))).toThrow(
      'field label not supported: spec.nodeName',
    );
  });

  it("gives every pod's field set the same shape (the apiserver keeps one per cached object)", () => {
    const sets = Array.from({ length: 3000 }, (_, i) =>
      selectableFields('pods', JSON.parse(JSON.stringify({ metadata: { name: `p-${i}`, namespace: 'default' }, spec: { nodeName: `n-${i % 7}` }, status: { phase: 'Running', podIP: `10.0.${i >> 8}.${i & 255}` } }))),
    );
    const shapes = sets.filter((s, i) => i > 0 && !haveSameShape(s, sets[i - 1]!)).length;
    expect(shapes).toBe(0);
    expect(sets[2999]!['status.podIP']).toBe('10.0.11.183');
  });
});

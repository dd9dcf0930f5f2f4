import { describe, expect, it } from 'vitest';
import { checkFieldSelector, escapeFieldValue, fieldsMatch, parseFieldSelector, selectableFields, supportedFields } from './fields.js';

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

  it('rejects fields a resource does not support', () => {
    expect(() => checkFieldSelector('configmaps', parseFieldSelector('spec.nodeName=x'), supportedFields('configmaps', true))).toThrow(
      'field label not supported: spec.nodeName',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { toResponseYAML } from './yaml.js';

describe('YAML answers, as Go writes them', () => {
  it('orders keys, puts a list\'s dashes under its key, and quotes what YAML 1.1 would read as another type', () => {
    const text = toResponseYAML({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'x', resourceVersion: '3', creationTimestamp: '2026-12-06T03:55:45Z', managedFields: [{ manager: 'm', fieldsV1: { 'f:data': { '.': {}, 'f:a': {} } } }] }, data: { a: 'yes', b: '1.5', c: 'plain' } });
    expect(text).toBe(
      [
        'apiVersion: v1',
        'data:',
        '  a: "yes"',
        '  b: "1.5"',
        '  c: plain',
        'kind: ConfigMap',
        'metadata:',
        '  creationTimestamp: "2026-12-06T03:55:45Z"',
        '  managedFields:',
        '  - fieldsV1:',
        '      f:data:',
        '        .: {}',
        '        f:a: {}',
        '    manager: m',
        '  name: x',
        '  resourceVersion: "3"',
        '',
      ].join('\n'),
    );
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { parseJSON } from '../codec/json.js';
import { compareVersions } from '../resources.js';
import { FieldErrors } from '../validation/field-errors.js';
import { customResourceInfos, printerColumns, type CustomResourceDefinition } from './custom-kind.js';
import { loadExtras } from '../on-demand/loader.js';
import { evaluateJSONPath, parseJSONPath } from './jsonpath.js';
import { applyDefaults, prune, structuralViolations, validateValue, type JSONSchemaProps } from './structural-schema.js';

// Patterns run on RE2, which the apiserver loads with the first schema that has one.
beforeAll(async () => {
  await loadExtras();
});

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        size: { type: 'integer', default: 1 },
        tags: { type: 'array', items: { type: 'object', properties: { k: { type: 'string' } } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        port: { 'x-kubernetes-int-or-string': true },
        nested: { type: 'object', properties: { deep: { type: 'string', default: 'd' } } },
      },
    },
  },
};

describe('structural schema', () => {
  it('prunes what the schema does not describe, keeping the envelope and preserved subtrees', () => {
    const obj: any = { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a' }, spec: { size: 2, bogus: 1, tags: [{ k: 'a', v: 'gone' }], labels: { any: 'x' }, free: { a: { b: 1 } } }, extra: true };
    expect(prune(obj, schema).sort()).toEqual(['extra', 'spec.bogus', 'spec.tags[0].v']);
    expect(obj).toEqual({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a' }, spec: { size: 2, tags: [{ k: 'a' }], labels: { any: 'x' }, free: { a: { b: 1 } } } });
  });

  it('treats __proto__ as a field like any other', () => {
    const obj = parseJSON('{"spec":{"__proto__":{"polluted":true},"size":1}}') as any;
    expect(prune(obj, schema)).toEqual(['spec.__proto__']);
    expect(({} as any).polluted).toBeUndefined();
    const withDefault = parseJSON('{"type":"object","properties":{"__proto__":{"type":"object","default":{"polluted":true}}}}') as JSONSchemaProps;
    const target: any = {};
    applyDefaults(target, withDefault);
    expect(Object.hasOwn(target, '__proto__')).toBe(true);
    expect(({} as any).polluted).toBeUndefined();
  });

  it('fills in defaults only where a field is missing, at any depth the object reaches', () => {
    const obj: any = { spec: { nested: {} } };
    applyDefaults(obj, schema);
    expect(obj.spec).toEqual({ size: 1, nested: { deep: 'd' } });
    const kept: any = { spec: { size: 5 } };
    applyDefaults(kept, schema);
    expect(kept.spec.size).toBe(5);
  });

  it('validates with Kubernetes wording', () => {
    const errs = new FieldErrors();
    validateValue({ spec: { size: 'x', port: true, labels: { a: 1 } } }, schema, '', errs);
    expect(errs.causes.every((c) => c.reason === 'FieldValueTypeInvalid')).toBe(true);
    expect(errs.causes.map((c) => `${c.field}: ${c.message}`).sort()).toEqual([
      'spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"',
      'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
      'spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"',
    ]);
  });

  it('checks string formats Kubernetes knows, as a type error, and ignores the rest', () => {
    const formats: JSONSchemaProps = {
      type: 'object',
      properties: {
        id: { type: 'string', format: 'uuid' },
        at: { type: 'string', format: 'date-time' },
        home: { type: 'string', format: 'uri' },
        ip: { type: 'string', format: 'ipv4' },
        odd: { type: 'string', format: 'k8s-short-name' },
        n: { type: 'integer', format: 'int32' },
      },
    };
    const check = (obj: Record<string, unknown>, old?: Record<string, unknown>) => {
      const errs = new FieldErrors();
      validateValue(obj, formats, 'spec', errs, old);
      return errs.causes.map((c) => `${c.reason} ${c.field}: ${c.message}`);
    };
    expect(check({ id: '6F1E6BBA-3B55-4E3E-9A0C-0A6B4E7A3F10', at: '2024-01-02T03:04:05.123+01:00', home: 'https://example.com/x', ip: '10.0.0.1', odd: 'ANY', n: 5 })).toEqual([]);
    expect(check({ id: 'nope', at: '2024-13-02T03:04:05Z', home: 'example.com', ip: '010.0.0.1' })).toEqual([
      'FieldValueTypeInvalid spec.ip: Invalid value: "010.0.0.1": spec.ip in body must be of type ipv4: "010.0.0.1"',
      'FieldValueTypeInvalid spec.home: Invalid value: "example.com": spec.home in body must be of type uri: "example.com"',
      'FieldValueTypeInvalid spec.at: Invalid value: "2024-13-02T03:04:05Z": spec.at in body must be of type date-time: "2024-13-02T03:04:05Z"',
      'FieldValueTypeInvalid spec.id: Invalid value: "nope": spec.id in body must be of type uuid: "nope"',
    ]);
    // Ratcheting: an update that leaves an invalid value as it was is not refused for it.
    expect(check({ id: 'nope', at: '2024-01-02T03:04:05Z' }, { id: 'nope', at: 'x' })).toEqual([]);
    expect(check({ id: 'still-nope' }, { id: 'nope' })).toHaveLength(1);
  });

  it('ratchets unchanged values of lists by their map keys, and whole unchanged objects', () => {
    const listed: JSONSchemaProps = {
      type: 'object',
      properties: {
        ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer', maximum: 100 } } } },
        tags: { type: 'array', items: { type: 'string', maxLength: 3 } },
      },
    };
    const check = (obj: Record<string, unknown>, old?: Record<string, unknown>) => {
      const errs = new FieldErrors();
      validateValue(obj, listed, '', errs, old);
      return errs.causes.map((c) => c.field);
    };
    const old = { ports: [{ name: 'a', port: 500 }], tags: ['toolong'] };
    expect(check(old)).toEqual(['tags[0]', 'ports[0].port']);
    expect(check(old, old)).toEqual([]);
    expect(check({ ports: [{ name: 'b', port: 1 }, { name: 'a', port: 500 }], tags: ['toolong'] }, old)).toEqual([]);
    expect(check({ ports: [{ name: 'a', port: 501 }], tags: ['toolong', 'x'] }, old)).toEqual(['tags[0]', 'ports[0].port']);
  });

  it('requires types on every node of a v1 schema', () => {
    expect(structuralViolations({ type: 'object', properties: { a: {} } }, 'schema')).toEqual([{ field: 'schema.properties[a].type', message: 'Required value: must not be empty for specified object fields' }]);
    expect(structuralViolations(schema, 'schema')).toEqual([]);
  });

  it('matches patterns in linear time and refuses patterns that cannot be (as RE2 does)', () => {
    const errs = new FieldErrors();
    // With a backtracking engine this call would not return in any useful time (the test times out).
    validateValue(`${'a'.repeat(5000)}!`, { type: 'string', pattern: '^(a+)+$' }, 's', errs);
    expect(errs.causes).toHaveLength(1);
    expect(structuralViolations({ type: 'object', properties: { a: { type: 'string', pattern: '(a)\\1' } } }, 'schema')[0]?.message).toMatch(/must be a valid regular expression/);
  });
});

describe('printer column JSON paths', () => {
  const obj = { status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Other', status: 'False' }] }, metadata: { labels: { 'app.kubernetes.io/name': 'w' } }, spec: { ports: [{ port: 80 }, { port: 81 }] } };
  it('follows fields, indexes, wildcards, filters and quoted keys', () => {
    expect(evaluateJSONPath(parseJSONPath('.status.conditions[?(@.type=="Ready")].status'), obj)).toEqual(['True']);
    expect(evaluateJSONPath(parseJSONPath('.spec.ports[*].port'), obj)).toEqual([80, 81]);
    expect(evaluateJSONPath(parseJSONPath('.spec.ports[1].port'), obj)).toEqual([81]);
    expect(evaluateJSONPath(parseJSONPath(".metadata.labels['app.kubernetes.io/name']"), obj)).toEqual(['w']);
    expect(evaluateJSONPath(parseJSONPath('{.spec.missing}'), obj)).toEqual([]);
    expect(() => parseJSONPath('.spec[')).toThrow();
  });

  it('reads a filter literal however much space surrounds it, and refuses an empty one', () => {
    const spaced = parseJSONPath(`.status.conditions[?(@.type==${' '.repeat(100_000)}"Ready"${' '.repeat(100_000)})].status`);
    expect(evaluateJSONPath(spaced, obj)).toEqual(['True']);
    expect(() => parseJSONPath('.status.conditions[?(@.type==  )].status')).toThrow(/unsupported filter/);
  });

  it('makes Table cells of the column type, nothing for a missing value', () => {
    const cols = printerColumns([{ name: 'Port', type: 'integer', jsonPath: '.spec.ports[0].port' }, { name: 'Gone', type: 'string', jsonPath: '.spec.gone' }]);
    expect(cols.map((c) => c.name)).toEqual(['Name', 'Port', 'Gone']);
    expect(cols[1]!.cell(obj as never, 0)).toBe(80);
    expect(cols[2]!.cell(obj as never, 0)).toBeNull();
    expect(printerColumns(undefined).map((c) => c.name)).toEqual(['Name', 'Age']);
  });
});

describe('custom resource infos', () => {
  const crd = (versions: unknown[]): CustomResourceDefinition => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: { group: 'example.com', scope: 'Cluster', names: { plural: 'widgets', kind: 'Widget' }, versions: versions as never },
  });

  it('serves the served versions, stores in the storage version even when it is not served', () => {
    const infos = customResourceInfos(crd([
      { name: 'v1', served: false, storage: true },
      { name: 'v2', served: true, storage: false },
    ]))!;
    expect(infos.served.map((r) => r.version)).toEqual(['v2']);
    expect(infos.stored).toMatchObject({ version: 'v1', storage: 'example.com/widgets', storageVersion: true, namespaced: false });
    const served = infos.served[0]!;
    expect(served.module.conversion!.toStorage({ apiVersion: 'example.com/v2', metadata: {} }).apiVersion).toBe('example.com/v1');
  });

  it('orders versions as Kubernetes does', () => {
    expect(['v1alpha1', 'v2beta1', 'foo', 'v1', 'v2', 'v1beta1', 'v10'].sort(compareVersions)).toEqual(['v10', 'v2', 'v1', 'v2beta1', 'v1beta1', 'v1alpha1', 'foo']);
  });
});

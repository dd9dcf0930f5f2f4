import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Error, checkSchema } from './check.js';
import { schemaFor } from './kinds.js';

const deployment = schemaFor('apps/v1', 'Deployment');
const configMap = schemaFor('v1', 'ConfigMap');

describe('schema check', () => {
  it('refuses integers outside int32 and int64 as Kubernetes decoding does', () => {
    const withReplicas = (replicas: number) => checkSchema({ spec: { replicas } }, deployment).typeErrors;
    expect(withReplicas(2147483647)).toEqual([]);
    expect(withReplicas(-2147483648)).toEqual([]);
    expect(withReplicas(2147483648)).toEqual(['json: cannot unmarshal number 2147483648 into Go struct field spec.replicas of type int32']);
    expect(withReplicas(9007199254740994)[0]).toMatch(/of type int32/);
    expect(withReplicas(1.5)[0]).toMatch(/cannot unmarshal number into Go struct field spec.replicas of type int32/);
    const withGeneration = (generation: number) => checkSchema({ metadata: { generation } }, deployment).typeErrors;
    expect(withGeneration(2 ** 40)).toEqual([]);
    expect(withGeneration(2 ** 60)[0]).toMatch(/of type int64/);
  });

  it('words each type error as the unstructured converter does, for strategic merge patches', () => {
    const pod = schemaFor('v1', 'Pod');
    const conversion = (obj: unknown) => checkSchema(obj, pod).conversionErrors;
    expect(conversion({ metadata: { labels: 'invalid' } })).toEqual(['cannot restore map from string']);
    expect(conversion({ metadata: { labels: { a: 1 } } })).toEqual(['cannot convert int64 to string']);
    expect(conversion({ spec: 'x' })).toEqual(['cannot restore struct from: string']);
    expect(conversion({ spec: { containers: {} } })).toEqual(['cannot restore slice from map']);
    expect(conversion({ spec: { activeDeadlineSeconds: 'x' } })).toEqual(['cannot convert string to int64']);
    expect(conversion({ spec: { activeDeadlineSeconds: 1.5 } })).toEqual(['cannot convert float64 to int64']);
    expect(conversion({ spec: { hostNetwork: [] } })).toEqual(['cannot convert []interface {} to bool']);
    // Both lists stay in step, one entry per wrong value.
    const both = checkSchema({ spec: { hostNetwork: 'yes', priority: 2 ** 40 } }, pod);
    expect(both.conversionErrors.length).toBe(both.typeErrors.length);
  });

  it('reads base64 as Go does: standard alphabet, padded, line breaks skipped', () => {
    for (const good of ['', 'YQ==', 'YWI=', 'YWJj', 'YW\nJj', 'YWJj\r\n']) expect(base64Error(good)).toBeUndefined();
    expect(base64Error('abc')).toBe(0);
    expect(base64Error('YWJjZ')).toBe(4);
    expect(base64Error('not base64!')).toBe(3);
    expect(base64Error('YQ==YQ==')).toBe(4);
    expect(base64Error('Y===')).toBe(1);
    expect(base64Error('YW-_')).toBe(2);
    expect(checkSchema({ binaryData: { a: '!!!!' } }, configMap).typeErrors).toEqual(['illegal base64 data at input byte 0']);
  });

  it('accepts exactly what Buffer encodes and refuses anything with a stray character', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(), fc.constantFrom('!', '-', '_', ' ', '=', '.'), (bytes, at, junk) => {
        const encoded = Buffer.from(bytes).toString('base64');
        expect(base64Error(encoded)).toBeUndefined();
        const broken = encoded.slice(0, at % (encoded.length + 1)) + junk + encoded.slice(at % (encoded.length + 1));
        expect(base64Error(broken)).not.toBeUndefined();
      }),
    );
  });

  it('names where each finding is, through lists and maps, and drops nulls without a finding', () => {
    const pod = schemaFor('v1', 'Pod');
    const obj = {
      metadata: { labels: { a: 1, b: null, c: 'ok' } },
      spec: {
        containers: [
          { name: 'a', ports: [{ containerPort: 'x', bogus: 1 }] },
          { name: 'b', extra: true, env: [{ name: 'E', value: null }] },
        ],
        nodeSelector: { zone: null },
      },
    };
    const found = checkSchema(obj, pod);
    expect(found.typeErrors).toEqual([
      'json: cannot unmarshal number into Go struct field metadata.labels.a of type string',
      'json: cannot unmarshal string into Go struct field spec.containers[0].ports[0].containerPort of type int32',
    ]);
    expect(found.unknownFields).toEqual(['spec.containers[0].ports[0].bogus', 'spec.containers[1].extra']);
    // Unknown fields are dropped, and so are nulls, in maps and structs alike.
    expect(obj.spec.containers[0]!.ports).toEqual([{ containerPort: 'x' }]);
    expect(obj.spec.containers[1]).toEqual({ name: 'b', env: [{ name: 'E' }] });
    expect(obj.metadata.labels).toEqual({ a: 1, c: 'ok' });
    expect(obj.spec.nodeSelector).toEqual({});
    // A list at the root is named by its index alone.
    expect(checkSchema([{ a: 1 }], { t: 'array', items: { t: 'string' } } as never).typeErrors).toEqual(['json: cannot unmarshal object into Go struct field [0] of type string']);
  });

  it('treats inherited property names as unknown fields', () => {
    const body = { spec: { constructor: { a: 1 }, toString: 'x', replicas: 1 } };
    const findings = checkSchema(body, deployment);
    expect(findings.unknownFields).toEqual(['spec.constructor', 'spec.toString']);
    expect(body.spec).toEqual({ replicas: 1 });
  });

  it('leaves times as Kubernetes writes them back: Times in whole UTC seconds, MicroTimes with six digits, zero times absent', () => {
    const pod = {
      metadata: { creationTimestamp: '2026-12-05T18:00:00.5+01:00', deletionTimestamp: '0001-01-01T00:00:00Z' },
      status: { startTime: '2026-12-05T17:00:00Z', conditions: [{ type: 'Ready', lastTransitionTime: '2026-12-05T12:00:00-05:00' }] },
    };
    expect(checkSchema(pod, schemaFor('v1', 'Pod')).typeErrors).toEqual([]);
    expect(pod).toEqual({
      metadata: { creationTimestamp: '2026-12-05T17:00:00Z' },
      status: { startTime: '2026-12-05T17:00:00Z', conditions: [{ type: 'Ready', lastTransitionTime: '2026-12-05T17:00:00Z' }] },
    });
    const lease = { spec: { renewTime: '2026-12-05T18:00:00.000001+01:00', acquireTime: '2026-12-05T17:00:00.100000Z' } };
    expect(checkSchema(lease, schemaFor('coordination.k8s.io/v1', 'Lease')).typeErrors).toEqual([]);
    expect(lease.spec).toEqual({ renewTime: '2026-12-05T17:00:00.000001Z', acquireTime: '2026-12-05T17:00:00.100000Z' });
    // Event series come from the generated shape: MicroTime there too.
    expect(checkSchema({ series: { lastObservedTime: '2026-12-05T18:00:00Z' } }, schemaFor('events.k8s.io/v1', 'Event')).typeErrors[0]).toMatch(/as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"/);
  });
});

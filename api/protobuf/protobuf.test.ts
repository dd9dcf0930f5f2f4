// Every served kind, round-tripped: an object that sets every field its schema knows (nested
// messages, maps, repeated, inline and special fields) is encoded and decoded back to itself;
// Go's JSON rules on decode (omitempty, pointers, zero values); hostile bodies refused.
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from './codec.js';
import { decodeKubernetesProtobuf, encodeKubernetesProtobuf, readWatchFrames, UnsupportedKindError, watchEventFrame } from './envelope.js';
import { schema, WELL_KNOWN, type SchemaField } from './schema.js';
import { lengthDelimited, varintField } from './wire.js';

const MAX_SAMPLE_DEPTH = 7;

function sample(type: string, depth: number): unknown {
  switch (type) {
    case 'string':
      return 'x';
    case 'bytes':
      return Buffer.from('bytes').toString('base64');
    case 'bool':
      return true;
    case 'int32':
    case 'int64':
      return -7;
    case 'uint32':
    case 'uint64':
      return 7;
    case 'double':
    case 'float':
      return 1.5;
    case WELL_KNOWN.time:
      return '2026-01-02T03:04:05Z';
    case WELL_KNOWN.microTime:
      return '2026-01-02T03:04:05.123456Z';
    case WELL_KNOWN.quantity:
      return '1Gi';
    case WELL_KNOWN.intOrString:
      return depth % 2 ? 'http' : 8080;
    case WELL_KNOWN.fieldsV1:
    case WELL_KNOWN.rawExtension:
    case WELL_KNOWN.json:
      return { a: [1, 'b'] };
    case WELL_KNOWN.schemaOrArray:
      return { type: 'string' };
    case WELL_KNOWN.schemaOrBool:
      return depth % 2 ? true : { type: 'integer' };
    case WELL_KNOWN.schemaOrStringArray:
      return ['p'];
  }
  const def = schema.messages[type]!;
  if (!Array.isArray(def)) return [sample(def.array, depth + 1)];
  return sampleOf(type, depth + 1);
}

function sampleOf(name: string, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [, jsonName, type, flags] of schema.messages[name] as SchemaField[]) {
    const target = typeof type === 'string' ? type : type[1];
    const nested = target.includes('.') && Array.isArray(schema.messages[target]);
    // JSONSchemaProps holds itself a dozen ways: a few levels of it are enough.
    const limit = name === WELL_KNOWN.jsonSchemaProps ? 2 : MAX_SAMPLE_DEPTH;
    if (nested && depth >= limit) continue;
    if (flags.includes('i')) Object.assign(out, sampleOf(type as string, depth));
    else if (flags.includes('m')) out[jsonName] = { k: sample((type as [string, string])[1], depth + 1) };
    else out[jsonName] = flags.includes('r') ? [sample(type as string, depth)] : sample(type as string, depth);
  }
  return out;
}

describe('protobuf', () => {
  for (const key of Object.keys(schema.kinds).filter((k) => !k.startsWith('meta/'))) {
    it(`round-trips ${key}`, () => {
      const cut = key.lastIndexOf('/');
      const obj = { apiVersion: key.slice(0, cut), kind: key.slice(cut + 1), ...sampleOf(schema.kinds[key]!, 0) };
      expect(decodeKubernetesProtobuf(encodeKubernetesProtobuf(obj))).toEqual(obj);
    });
  }

  it('decodes as Go writes JSON: omitempty zeros left out, pointer zeros and required zeros kept', () => {
    const container = encodeMessage({ name: '', image: '', stdin: false, ports: [{ containerPort: 0 }] }, 'k8s.io.api.core.v1.Container');
    expect(decodeMessage(container, 'k8s.io.api.core.v1.Container')).toEqual({ name: '', ports: [{ containerPort: 0 }] });
    const spec = encodeMessage({ replicas: 0, paused: false, minReadySeconds: 0 }, 'k8s.io.api.apps.v1.DeploymentSpec');
    expect(decodeMessage(spec, 'k8s.io.api.apps.v1.DeploymentSpec')).toEqual({ replicas: 0 });
  });

  it('reads an empty Time (the zero time of Go) as no time', () => {
    const meta = lengthDelimited(8, Buffer.alloc(0)); // ObjectMeta.creationTimestamp
    expect(decodeMessage(meta, 'k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta')).toEqual({});
  });

  it('reads packed repeated numbers and map entries without a value', () => {
    // PodSecurityContext.supplementalGroups (4) packed; ConfigMap.data (2) entry {key "a"} with no value.
    const packed = lengthDelimited(4, Buffer.from([1, 2, 0x80, 0x01]));
    expect(decodeMessage(packed, 'k8s.io.api.core.v1.PodSecurityContext')).toEqual({ supplementalGroups: [1, 2, 128] });
    const entry = lengthDelimited(2, lengthDelimited(1, Buffer.from('a')));
    expect(decodeMessage(entry, 'k8s.io.api.core.v1.ConfigMap')).toEqual({ data: { a: '' } });
  });

  it('keeps __proto__ as a plain map key', () => {
    const body = encodeKubernetesProtobuf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: JSON.parse('{"__proto__":"x"}') } });
    const back = decodeKubernetesProtobuf(body);
    expect(Object.getPrototypeOf(back.metadata.labels)).toBe(Object.prototype);
    expect(Object.keys(back.metadata.labels)).toEqual(['__proto__']);
  });

  it('frames watch events', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', resourceVersion: '5' } };
    const stream = Buffer.concat([watchEventFrame('ADDED', encodeKubernetesProtobuf(pod)), watchEventFrame('DELETED', encodeKubernetesProtobuf(pod))]);
    expect(readWatchFrames(stream).map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'p'],
      ['DELETED', 'p'],
    ]);
  });

  it('refuses a kind it has no protobuf form for, naming it', () => {
    const body = encodeKubernetesProtobuf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    const renamed = Buffer.from(body.toString('latin1').replace('ConfigMap', 'Configzzz'), 'latin1');
    expect(() => decodeKubernetesProtobuf(renamed)).toThrow(UnsupportedKindError);
    expect(() => encodeKubernetesProtobuf({ apiVersion: 'example.com/v1', kind: 'Widget' })).toThrow(UnsupportedKindError);
  });

  it('refuses hostile messages without throwing anything but errors', () => {
    // Wrong wire type for a string, truncated lengths, nesting past the limit, a time out of range.
    expect(() => decodeMessage(varintField(1, 5n), 'k8s.io.api.core.v1.Container')).toThrow(/wire type/);
    expect(() => decodeMessage(Buffer.from([0x0a, 0x7f]), 'k8s.io.api.core.v1.Container')).toThrow(/truncated/);
    let deep: Buffer = Buffer.alloc(0);
    for (let i = 0; i < 600; i++) deep = lengthDelimited(28, deep); // JSONSchemaProps.not
    expect(() => decodeMessage(deep, WELL_KNOWN.jsonSchemaProps)).toThrow(/nested deeper/);
    const badTime = lengthDelimited(8, varintField(1, 10n ** 15n)); // ObjectMeta.creationTimestamp
    expect(() => decodeMessage(badTime, 'k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta')).toThrow(/time out of range/);
  });
});

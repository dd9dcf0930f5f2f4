// Every kind the server decodes from protobuf, round-tripped: an object that sets every field
// its descriptor knows (nested messages, maps, repeated and inline fields) is encoded and
// decoded back to itself.
import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf, UnsupportedKindError } from './decode.js';
import { kinds, type FieldType, type Message } from './descriptors.js';
import { encodeKubernetesProtobuf } from './encode.js';

function sample(type: FieldType, depth: number): unknown {
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        return 'x';
      case 'int':
        return 7;
      case 'bool':
        return true;
      case 'bytes':
        return Buffer.from('bytes').toString('base64');
      case 'quantity':
        return '1Gi';
      case 'intOrString':
        return depth % 2 ? 'http' : 8080;
      case 'time':
        return '2026-01-02T03:04:05Z';
    }
  }
  if ('map' in type) return { k: sample(type.map as FieldType, depth + 1) };
  return sampleOf(type as Message, depth + 1);
}

function sampleOf(desc: Message, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (depth > 8) return out;
  for (const [name, type, flags] of Object.values(desc)) {
    if (flags === 'inline') Object.assign(out, sampleOf(type as Message, depth));
    else out[name] = flags === 'repeated' ? [sample(type, depth)] : sample(type, depth);
  }
  return out;
}

describe('protobuf bodies', () => {
  for (const key of Object.keys(kinds)) {
    it(`round-trips ${key}`, () => {
      const cut = key.lastIndexOf('/');
      const obj = { apiVersion: key.slice(0, cut), kind: key.slice(cut + 1), ...sampleOf(kinds[key]!, 0) };
      expect(decodeKubernetesProtobuf(encodeKubernetesProtobuf(obj))).toEqual(obj);
    });
  }

  it('refuses a kind it has no descriptor for, naming it', () => {
    const body = encodeKubernetesProtobuf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    const renamed = Buffer.from(body.toString('latin1').replace('ConfigMap', 'Configzzz'), 'latin1');
    expect(() => decodeKubernetesProtobuf(renamed)).toThrow(UnsupportedKindError);
  });
});

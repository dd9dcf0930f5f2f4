// The v2 Schema message for what kubectl's reader needs: a reference alone where v3 wrapped it
// in allOf, one type, one item schema per array, properties by name, extensions as YAML.
import { describe, expect, it } from 'vitest';
import { openAPIv2Document, schemaMessage } from './openapi-v2.js';
import { readFields } from './wire.js';

const text = (b: Buffer | undefined) => b?.toString('utf8');
const field = (buf: Buffer, no: number) => readFields(buf).filter((f) => f.no === no);

describe('OpenAPI v2 protobuf', () => {
  it('turns allOf [$ref] into the $ref, keeping the description, with no type beside it', () => {
    const m = schemaMessage({ allOf: [{ $ref: '#/components/schemas/io.k8s.Time' }], description: 'when' });
    expect(text(field(m, 1)[0]?.bytes)).toBe('#/definitions/io.k8s.Time');
    expect(text(field(m, 4)[0]?.bytes)).toBe('when');
    expect(field(m, 22)).toEqual([]);
  });

  it('writes types, array items (one, even when unconstrained), properties and extensions', () => {
    const m = schemaMessage({
      type: 'object',
      required: ['a'],
      properties: { a: { type: 'array', items: { type: 'string' } }, b: { type: 'array' } },
      'x-kubernetes-group-version-kind': [{ group: 'apps', kind: 'Deployment', version: 'v1' }],
    });
    expect(text(field(field(m, 22)[0]!.bytes!, 1)[0]?.bytes)).toBe('object');
    expect(text(field(m, 19)[0]?.bytes)).toBe('a');
    const props = field(field(m, 25)[0]!.bytes!, 1).map((p) => ({ name: text(field(p.bytes!, 1)[0]?.bytes), schema: field(p.bytes!, 2)[0]!.bytes! }));
    expect(props.map((p) => p.name)).toEqual(['a', 'b']);
    for (const p of props) expect(field(field(p.schema, 23)[0]!.bytes!, 1)).toHaveLength(1);
    const ext = field(m, 31)[0]!.bytes!;
    expect(text(field(ext, 1)[0]?.bytes)).toBe('x-kubernetes-group-version-kind');
    expect(text(field(field(ext, 2)[0]!.bytes!, 2)[0]?.bytes)).toContain('kind: Deployment');
  });

  it('writes a document with its definitions by name', () => {
    const doc = openAPIv2Document({ swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, definitions: { A: { type: 'string' } } });
    expect(text(field(doc, 1)[0]?.bytes)).toBe('2.0');
    const named = field(field(doc, 9)[0]!.bytes!, 1)[0]!.bytes!;
    expect(text(field(named, 1)[0]?.bytes)).toBe('A');
  });
});

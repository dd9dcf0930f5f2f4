import { describe, expect, it } from 'vitest';
import { toOpenAPIV2 } from './openapi.js';

describe('a custom resource schema in OpenAPI v2', () => {
  it('keeps no properties or items where unknown fields are kept, so kubectl does not call them unknown', () => {
    const v2 = toOpenAPIV2({
      type: 'object',
      properties: {
        spec: { type: 'object', properties: { known: { type: 'string' } }, 'x-kubernetes-preserve-unknown-fields': true },
        list: { type: 'array', items: { type: 'object' }, 'x-kubernetes-preserve-unknown-fields': true },
        plain: { type: 'object', properties: { a: { type: 'integer' } } },
      },
    });
    expect(v2.properties!.spec).toEqual({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    // An array left without items is untyped: kubectl's v2 reader cannot take an array without them.
    expect(v2.properties!.list).toEqual({ 'x-kubernetes-preserve-unknown-fields': true });
    expect(v2.properties!.plain).toEqual({ type: 'object', properties: { a: { type: 'integer' } } });
  });

  it('makes nullable values untyped and no longer required, and drops the junctors Swagger 2 lacks', () => {
    const v2 = toOpenAPIV2({
      type: 'object',
      required: ['maybe', 'sure'],
      properties: {
        maybe: { type: 'object', nullable: true, properties: { x: { type: 'string' } } },
        sure: { type: 'string', anyOf: [{ pattern: 'a' }], oneOf: [{ pattern: 'b' }], allOf: [{ pattern: 'c' }], not: { pattern: 'd' } },
      },
    });
    expect(v2).toEqual({ type: 'object', required: ['sure'], properties: { maybe: {}, sure: { type: 'string' } } });
    expect(toOpenAPIV2({ type: 'object', required: ['a'], additionalProperties: { type: 'string', nullable: true } })).toEqual({ type: 'object', additionalProperties: {} });
  });
});

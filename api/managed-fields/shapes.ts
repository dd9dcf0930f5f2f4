// The merge shape of a kind's fields, from the schemas this server has: the kind modules' DSL
// (merge keys are associative lists, primitive merges are sets, other lists atomic) and a
// CRD's openAPIV3Schema (x-kubernetes-list-type, -list-map-keys and -map-type).
import type { JSONSchemaProps } from '../custom-resources/structural-schema.js';
import type { KindModule } from '../kinds/kind.js';
import { child, type Schema } from '../schema/dsl.js';
import { ATOMIC, DEDUCED, type Shape } from './field-set.js';

const SCALARS = new Set(['string', 'integer', 'int32', 'number', 'boolean', 'intOrString', 'quantity', 'time', 'bytes']);

export function shapeOfSchema(schema: Schema | undefined): Shape {
  if (!schema || schema.t === 'any') return DEDUCED;
  if (SCALARS.has(schema.t)) return ATOMIC;
  // Fields the schema does not describe merge as Kubernetes deduces them.
  if (schema.t === 'object' || schema.t === 'map') return { kind: 'struct', child: (name) => shapeOfSchema(child(schema, name)) };
  if (schema.t === 'array') {
    if (schema.mergeKey) return { kind: 'listMap', keys: [schema.mergeKey], item: shapeOfSchema(schema.items) };
    if (schema.mergePrimitives) return { kind: 'set' };
    return ATOMIC;
  }
  return DEDUCED;
}

export function shapeOfOpenAPI(s: JSONSchemaProps | undefined): Shape {
  if (!s) return DEDUCED;
  if (s['x-kubernetes-int-or-string']) return ATOMIC;
  if (s.type === 'array') {
    const listType = s['x-kubernetes-list-type'];
    if (listType === 'map') return { kind: 'listMap', keys: s['x-kubernetes-list-map-keys'] ?? [], item: shapeOfOpenAPI(s.items) };
    if (listType === 'set') return { kind: 'set' };
    return ATOMIC;
  }
  if (s.type === 'object' || s.properties || s.additionalProperties || s['x-kubernetes-preserve-unknown-fields']) {
    if (s['x-kubernetes-map-type'] === 'atomic') return ATOMIC;
    return {
      kind: 'struct',
      child: (name) => {
        if (s.properties && Object.hasOwn(s.properties, name)) return shapeOfOpenAPI(s.properties[name]);
        if (s.additionalProperties && typeof s.additionalProperties === 'object') return shapeOfOpenAPI(s.additionalProperties);
        return DEDUCED;
      },
    };
  }
  return s.type ? ATOMIC : DEDUCED;
}

/** The shape of a kind's objects (custom resources from their schema). */
export function shapeOfKind(module: KindModule): Shape {
  if (module.custom) return shapeOfOpenAPI(module.custom.openAPIV3Schema as JSONSchemaProps);
  return shapeOfSchema(module.schema);
}

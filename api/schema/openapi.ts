// OpenAPI v3 schemas of the built-in kinds, made from the schema language the kind modules
// use (api/schema/dsl.ts): types, formats, enums, required fields, and the list semantics
// kubectl and server-side apply read (x-kubernetes-list-type, -list-map-keys,
// -patch-merge-key, -patch-strategy). Parts a kind leaves open keep unknown fields.
import type { KindModule } from '../kinds/kind.js';
import type { Schema } from './dsl.js';

type OpenAPISchema = Record<string, unknown>;

/** Shared types referenced by name, as Kubernetes does (kubectl explain prints the name: <IntOrString>). */
export const SHARED_SCHEMAS: Record<string, OpenAPISchema> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'string', format: 'int-or-string' },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
};
const ref = (name: string): OpenAPISchema => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] });

const SCALARS: Record<string, OpenAPISchema> = {
  string: { type: 'string' },
  integer: { type: 'integer', format: 'int64' },
  int32: { type: 'integer', format: 'int32' },
  number: { type: 'number', format: 'double' },
  boolean: { type: 'boolean' },
  intOrString: ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString'),
  quantity: ref('io.k8s.apimachinery.pkg.api.resource.Quantity'),
  time: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time'),
  bytes: { type: 'string', format: 'byte' },
};

export function openAPIOf(schema: Schema): OpenAPISchema {
  switch (schema.t) {
    case 'any':
      return { 'x-kubernetes-preserve-unknown-fields': true };
    case 'object': {
      const out: OpenAPISchema = { type: 'object', properties: Object.fromEntries(Object.entries(schema.props).map(([k, v]) => [k, openAPIOf(v)])) };
      if (schema.required?.length) out.required = schema.required;
      if (schema.open) out['x-kubernetes-preserve-unknown-fields'] = true;
      return out;
    }
    case 'map':
      return { type: 'object', additionalProperties: openAPIOf(schema.values) };
    case 'array': {
      const out: OpenAPISchema = { type: 'array', items: openAPIOf(schema.items) };
      if (schema.mergeKey) {
        Object.assign(out, {
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': [schema.mergeKey],
          'x-kubernetes-patch-merge-key': schema.mergeKey,
          'x-kubernetes-patch-strategy': 'merge',
        });
      } else if (schema.mergePrimitives) {
        Object.assign(out, { 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' });
      } else {
        out['x-kubernetes-list-type'] = 'atomic';
      }
      return out;
    }
    default: {
      const base = { ...SCALARS[schema.t] };
      if ('enum' in schema && schema.enum) base.enum = schema.enum;
      return base;
    }
  }
}

/** `io.k8s.api.apps.v1.Deployment`: the name Kubernetes gives a kind's schema. */
export function builtinSchemaName(m: Pick<KindModule, 'group' | 'version' | 'kind'>): string {
  const pkg = m.group === '' ? 'core' : m.group.split('.')[0]!;
  return `io.k8s.api.${pkg}.${m.version}.${m.kind}`;
}

/** A kind's schema with its identity, or nothing for a kind described only loosely. */
export function builtinSchema(m: KindModule): OpenAPISchema | undefined {
  const s = m.schema;
  // Kinds whose content is not described (their schema is open at the top) publish nothing:
  // kubectl then keeps using its own compiled-in knowledge of them.
  if (!s || s.t !== 'object' || s.open) return undefined;
  return { ...openAPIOf(s), 'x-kubernetes-group-version-kind': [{ group: m.group, kind: m.kind, version: m.version }] };
}

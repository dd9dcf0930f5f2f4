// The OpenAPI schemas of custom resources, as Kubernetes publishes them: in v3 (a group
// version's document) the CRD's schema with the envelope described; in v2 (/openapi/v2, which
// kubectl validates against) what Swagger 2 and kubectl's validator can take of it, so that
// fields a schema lets through (x-kubernetes-preserve-unknown-fields, nullable) are not
// reported as unknown. Named in reverse-domain form (com.example.v1.Widget) and tagged with
// x-kubernetes-group-version-kind, which is how `kubectl explain` finds a kind.
import type { ResourceInfo } from '../resources.js';

const ENVELOPE = {
  apiVersion: {
    type: 'string',
    description: 'The versioned schema this object is written in (group/version).',
  },
  kind: {
    type: 'string',
    description: 'The type of this object, in CamelCase.',
  },
  metadata: { type: 'object', description: "The object's metadata: name, namespace, labels, annotations, owners and the fields the server keeps." },
};

export function schemaName(group: string, version: string, kind: string): string {
  return [...group.split('.').reverse(), version, kind].join('.');
}

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; items?: Schema; additionalProperties?: Schema | boolean; required?: string[] };

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';
const EMBEDDED = 'x-kubernetes-embedded-resource';

/**
 * A structural schema as Swagger 2 can carry it (Kubernetes' rules for its v2 document): no
 * junctors; a nullable value untyped and a value that keeps unknown fields without properties
 * or items, since kubectl's v2 validator would refuse what they let through; an array left
 * without items untyped; a nullable field no longer required.
 */
export function toOpenAPIV2(schema: Schema): Schema {
  const out: Schema = { ...schema };
  delete out.allOf;
  delete out.oneOf;
  delete out.anyOf;
  delete out.not;
  if (out.nullable === true) {
    delete out.type;
    delete out.nullable;
    delete out.items;
    delete out.properties;
  }
  if (out[PRESERVE] === true) {
    delete out.items;
    delete out.properties;
  }
  if (out.items === undefined && out.type === 'array') delete out.type;
  if (out.properties) {
    const nullable = Object.keys(out.properties).filter((k) => out.properties![k]!.nullable === true);
    if (nullable.length && out.required) out.required = out.required.filter((r) => !nullable.includes(r));
    out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, toOpenAPIV2(v)]));
  }
  if (out.items && typeof out.items === 'object') out.items = toOpenAPIV2(out.items);
  if (out.additionalProperties && typeof out.additionalProperties === 'object') {
    if (out.additionalProperties.nullable === true) delete out.required;
    out.additionalProperties = toOpenAPIV2(out.additionalProperties);
  }
  if (out.required?.length === 0) delete out.required;
  return out;
}

/** Embedded resources (x-kubernetes-embedded-resource) described with their envelope, required kind and apiVersion; in v2 not where unknown fields are kept. */
function withEmbeddedEnvelopes(schema: Schema, v2: boolean): Schema {
  const out: Schema = { ...schema };
  if (out.properties) out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, withEmbeddedEnvelopes(v, v2)]));
  if (out.items && typeof out.items === 'object') out.items = withEmbeddedEnvelopes(out.items, v2);
  if (out.additionalProperties && typeof out.additionalProperties === 'object') out.additionalProperties = withEmbeddedEnvelopes(out.additionalProperties, v2);
  if (v2 && out[PRESERVE] === true) return out;
  if (out[EMBEDDED] === true) {
    out.properties = { ...(out.properties ?? {}), ...ENVELOPE };
    const required = out.required ?? [];
    out.required = [...required, ...['kind', 'apiVersion'].filter((k) => !required.includes(k))];
  }
  return out;
}

/** The named schemas a custom kind's metadata and its list's refer to (ObjectMeta, ListMeta), as `#/components/schemas/...` references. */
export interface MetaSchemas {
  objectMeta: string;
  listMeta: string;
}

/**
 * A custom kind's schema in a document: v3, or v2 (where a schema keeping unknown fields at its
 * root is published as a bare object, as Kubernetes does). Its metadata refers to ObjectMeta:
 * kubectl apply walks the schema down to metadata.annotations to compute its patch.
 */
function kindSchema(schema: Schema, v2: boolean, meta: MetaSchemas): Schema {
  if (v2 && schema[PRESERVE] === true) return { type: 'object' };
  const body = withEmbeddedEnvelopes(v2 ? toOpenAPIV2(schema) : schema, v2);
  const metadata = { allOf: [{ $ref: meta.objectMeta }], description: ENVELOPE.metadata.description };
  return { ...body, type: 'object', properties: { ...(body.properties ?? {}), ...ENVELOPE, metadata } };
}

/** Schemas for the custom resources among `resources` (built-in kinds carry none yet), for the v3 documents or, with `v2`, /openapi/v2. */
export function customSchemas(resources: ResourceInfo[], meta: MetaSchemas, v2 = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of resources) {
    const custom = r.module.custom;
    if (!custom) continue;
    out[schemaName(r.group, r.version, r.kind)] = {
      ...kindSchema(custom.openAPIV3Schema as Schema, v2, meta),
      'x-kubernetes-group-version-kind': [{ group: r.group, kind: r.kind, version: r.version }],
    };
    out[schemaName(r.group, r.version, `${r.kind}List`)] = {
      type: 'object',
      required: ['items'],
      properties: {
        ...ENVELOPE,
        items: { type: 'array', items: { $ref: `#/components/schemas/${schemaName(r.group, r.version, r.kind)}` } },
        metadata: { allOf: [{ $ref: meta.listMeta }], description: 'Where this list is in the stored history, and how to get its next page.' },
      },
      'x-kubernetes-group-version-kind': [{ group: r.group, kind: `${r.kind}List`, version: r.version }],
    };
  }
  return out;
}

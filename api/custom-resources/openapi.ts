// The OpenAPI v3 schemas of custom resources, as Kubernetes publishes them in their group
// version's document: the CRD's schema with the envelope described, named in reverse-domain
// form (com.example.v1.Widget) and tagged with x-kubernetes-group-version-kind, which is how
// `kubectl explain` finds a kind.
import type { ResourceInfo } from '../resources.js';

const ENVELOPE = {
  apiVersion: {
    type: 'string',
    description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.',
  },
  kind: {
    type: 'string',
    description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to.',
  },
  metadata: { type: 'object', description: "Standard object's metadata." },
};

export function schemaName(group: string, version: string, kind: string): string {
  return [...group.split('.').reverse(), version, kind].join('.');
}

/** Schemas for the custom resources among `resources` (built-in kinds carry none yet). */
export function customSchemas(resources: ResourceInfo[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of resources) {
    const custom = r.module.custom;
    if (!custom) continue;
    const schema = custom.openAPIV3Schema as { properties?: Record<string, unknown> };
    out[schemaName(r.group, r.version, r.kind)] = {
      ...schema,
      type: 'object',
      properties: { ...ENVELOPE, ...(schema.properties ?? {}) },
      'x-kubernetes-group-version-kind': [{ group: r.group, kind: r.kind, version: r.version }],
    };
    out[schemaName(r.group, r.version, `${r.kind}List`)] = {
      type: 'object',
      required: ['items'],
      properties: {
        ...ENVELOPE,
        items: { type: 'array', items: { $ref: `#/components/schemas/${schemaName(r.group, r.version, r.kind)}` } },
        metadata: { type: 'object', description: 'Standard list metadata.' },
      },
      'x-kubernetes-group-version-kind': [{ group: r.group, kind: `${r.kind}List`, version: r.version }],
    };
  }
  return out;
}

// The protobuf shape of the served kinds, as scripts/generate-protobuf-schema.mjs wrote it into
// schema.generated.ts: messages by fully qualified name, each a list of fields.
import { generated } from './schema.generated.js';

/**
 * [field number, JSON name, type, flags, merge key]. The type is a protobuf scalar (`string`,
 * `int64`, `double`...), a message name, or [key, value] for a map. Flags: r repeated, m map,
 * p Go pointer (a zero value sent on purpose), o omitempty, i inline (JSON has the embedded
 * message's fields in the parent), s strategic merge patch merges the list (by the merge key).
 */
export type SchemaField = [no: number, name: string, type: string | [string, string], flags: string, mergeKey?: string];
/** A named Go slice (authentication's ExtraValue): a message of `items`, a JSON array. */
export interface ArrayMessage {
  array: string;
}

export interface GeneratedSchema {
  /** `<apiVersion>/<Kind>` (and `meta/<Kind>` for meta.k8s.io kinds any version carries) → message. */
  kinds: Record<string, string>;
  messages: Record<string, SchemaField[] | ArrayMessage>;
  /** Fields whose Go type is a named string, map or slice: message → JSON name → its name as reflect writes it (v1.RestartPolicy). */
  goTypeNames: Record<string, Record<string, string>>;
  /** Fields of a Go enum type (or lists of one): message → JSON name → its values, sorted, for OpenAPI. */
  enums: Record<string, Record<string, string[]>>;
}

export const schema: GeneratedSchema = generated;

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1.';
/** Kinds of meta.k8s.io every group version carries (Status, DeleteOptions, WatchEvent...). */
const GROUP_LESS = new Set(['Status', 'DeleteOptions', 'WatchEvent']);

/** The message of an object of this apiVersion and kind, if the kind is served with protobuf. */
export function messageOf(apiVersion: string, kind: string): string | undefined {
  const lookup = (key: string) => (Object.hasOwn(schema.kinds, key) ? schema.kinds[key] : undefined);
  const own = lookup(`${apiVersion}/${kind}`);
  if (own) return own;
  return GROUP_LESS.has(kind) || apiVersion.startsWith('meta.k8s.io/') ? lookup(`meta/${kind}`) : undefined;
}

export const WELL_KNOWN = {
  time: `${META}Time`,
  microTime: `${META}MicroTime`,
  fieldsV1: `${META}FieldsV1`,
  quantity: 'k8s.io.apimachinery.pkg.api.resource.Quantity',
  intOrString: 'k8s.io.apimachinery.pkg.util.intstr.IntOrString',
  rawExtension: 'k8s.io.apimachinery.pkg.runtime.RawExtension',
  json: 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSON',
  schemaOrArray: 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray',
  schemaOrBool: 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool',
  schemaOrStringArray: 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray',
  jsonSchemaProps: 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps',
} as const;

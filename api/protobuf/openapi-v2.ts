// OpenAPI v2 as kubectl downloads it: the gnostic `openapi.v2.Document` protobuf message
// (application/com.github.proto-openapi.spec.v2@v1.0+protobuf). Field numbers are gnostic's
// OpenAPIv2.proto (proto3: zero values are not written). Values that are free-form JSON in the
// spec (defaults, enums, vendor extensions) travel as YAML text in an `Any`.
//
// kubectl's reader (kube-openapi's proto models) accepts a schema with `$ref` only without a
// type or properties, arrays with exactly one item schema and at most one type per schema, so
// v3 constructs are mapped to what v2 can say: `allOf: [{$ref}]` becomes the `$ref`, `nullable`,
// `anyOf`, `oneOf` and `not` are left out.
import { toYAML } from '../codec/yaml.js';
import { lengthDelimited, tag, varintField } from './wire.js';

type Json = Record<string, unknown>;

const str = (no: number, v: unknown): Buffer[] => (typeof v === 'string' && v !== '' ? [lengthDelimited(no, Buffer.from(v, 'utf8'))] : []);
const bool = (no: number, v: unknown): Buffer[] => (v === true ? [varintField(no, 1n)] : []);
const int = (no: number, v: unknown): Buffer[] => (typeof v === 'number' && Number.isInteger(v) && v !== 0 ? [varintField(no, BigInt(v))] : []);
function double(no: number, v: unknown): Buffer[] {
  if (typeof v !== 'number' || v === 0) return [];
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return [Buffer.concat([tag(no, 1), b])];
}
const message = (no: number, body: Buffer): Buffer => lengthDelimited(no, body);

/** Any { yaml = 2 }: a JSON value as YAML text. */
const any = (v: unknown): Buffer => lengthDelimited(2, Buffer.from(toYAML(v), 'utf8'));

/** NamedAny { name = 1, value = 2 }. */
const namedAny = (no: number, name: string, v: unknown): Buffer => message(no, Buffer.concat([lengthDelimited(1, Buffer.from(name, 'utf8')), message(2, any(v))]));

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** One Schema message (gnostic openapi.v2.Schema). */
export function schemaMessage(input: Json, depth = 0): Buffer {
  if (depth > 200) return Buffer.alloc(0);
  let s = input;
  // v3's way of putting a description (or default) beside a reference: v2 puts them on the $ref.
  const allOf = Array.isArray(s.allOf) ? (s.allOf as unknown[]) : undefined;
  if (allOf?.length === 1 && isObject(allOf[0]) && typeof allOf[0].$ref === 'string' && !s.$ref) {
    const { allOf: _a, ...rest } = s;
    s = { ...rest, $ref: allOf[0].$ref };
  }
  const ref = typeof s.$ref === 'string' ? s.$ref.replace('#/components/schemas/', '#/definitions/') : undefined;
  const parts: Buffer[] = [...str(1, ref), ...str(2, s.format), ...str(3, s.title), ...str(4, s.description)];
  if (s.default !== undefined) parts.push(message(5, any(s.default)));
  if (!ref) {
    parts.push(...double(6, s.multipleOf), ...double(7, s.maximum), ...bool(8, s.exclusiveMaximum), ...double(9, s.minimum), ...bool(10, s.exclusiveMinimum));
    parts.push(...int(11, s.maxLength), ...int(12, s.minLength), ...str(13, s.pattern), ...int(14, s.maxItems), ...int(15, s.minItems), ...bool(16, s.uniqueItems));
    parts.push(...int(17, s.maxProperties), ...int(18, s.minProperties));
    for (const r of Array.isArray(s.required) ? s.required : []) parts.push(...str(19, r));
    for (const e of Array.isArray(s.enum) ? s.enum : []) parts.push(message(20, any(e)));
    if (isObject(s.additionalProperties)) parts.push(message(21, message(1, schemaMessage(s.additionalProperties, depth + 1))));
    else if (s.additionalProperties === true) parts.push(message(21, varintField(2, 1n)));
    if (typeof s.type === 'string') parts.push(message(22, lengthDelimited(1, Buffer.from(s.type, 'utf8'))));
    // An array must name exactly one item schema for kubectl: an unconstrained one if none.
    if (isObject(s.items)) parts.push(message(23, message(1, schemaMessage(s.items, depth + 1))));
    else if (s.type === 'array') parts.push(message(23, message(1, Buffer.alloc(0))));
    if (isObject(s.properties)) {
      const props = Object.entries(s.properties).filter(([, v]) => isObject(v));
      // Properties { additional_properties = 1: NamedSchema { name = 1, value = 2 } }.
      parts.push(message(25, Buffer.concat(props.map(([name, v]) => message(1, Buffer.concat([lengthDelimited(1, Buffer.from(name, 'utf8')), message(2, schemaMessage(v as Json, depth + 1))]))))));
    }
    parts.push(...bool(27, s.readOnly));
  }
  for (const [k, v] of Object.entries(s)) if (k.startsWith('x-')) parts.push(namedAny(31, k, v));
  return Buffer.concat(parts);
}

/** A whole v2 document (JSON form) as the gnostic Document message. */
export function openAPIv2Document(doc: { swagger?: string; info?: Json; definitions?: Record<string, Json> }): Buffer {
  const info = isObject(doc.info) ? Buffer.concat([...str(1, doc.info.title), ...str(2, doc.info.version)]) : Buffer.alloc(0);
  const definitions = Object.entries(doc.definitions ?? {}).map(([name, schema]) =>
    message(1, Buffer.concat([lengthDelimited(1, Buffer.from(name, 'utf8')), message(2, schemaMessage(schema))])),
  );
  return Buffer.concat([...str(1, doc.swagger ?? '2.0'), message(2, info), message(8, Buffer.alloc(0)), message(9, Buffer.concat(definitions))]);
}

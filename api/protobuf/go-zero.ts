// What Kubernetes' Go types write for a field of an empty object, from the generated protobuf
// schema (schema.generated.ts: Go pointer and omitempty flags per field): a field Go always
// writes (a struct held by value, or a field without `omitempty`) is there as `{}`, null or a
// zero even when nobody set it; a field Go leaves out is absent. Two uses: the status a create
// answers with (api/kinds/strategy.ts), and server-side apply, which compares typed values
// converted from Go structs, so such a field is in the "before" of every write even when the
// stored JSON lacks it, while a field Go leaves out is added by the write that sets it, whose
// writer then owns the field itself as well as what is below it (the `.` in FieldsV1, e.g.
// under `f:labels`). That is why a Deployment's creator owns `f:strategy.f:rollingUpdate.{.}`
// but not `f:strategy.{.}`: `strategy` is a struct held by value, `rollingUpdate` a pointer.
import { schema, WELL_KNOWN, type SchemaField } from './schema.js';

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1.';

/** Messages written as a JSON scalar (a string, number or null) and their Go zero's JSON. */
const SCALAR_MESSAGES: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  [WELL_KNOWN.time, null],
  [WELL_KNOWN.microTime, null],
  [`${META}Duration`, '0s'],
  [WELL_KNOWN.quantity, '0'],
  [WELL_KNOWN.intOrString, 0],
  [WELL_KNOWN.rawExtension, null],
  [WELL_KNOWN.fieldsV1, null],
  [WELL_KNOWN.json, null],
]);

const NUMBERS = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'double', 'float']);

/** A field of a message, as the JSON object carries it (inline members' fields are the parent's). */
export interface GoField {
  /** The field's JSON in an empty Go object; undefined when Go leaves it out. */
  zero: unknown;
  /** The message of the field's value, of each item (lists) or of each value (maps). */
  message?: string;
  /** How Go holds it: by value, behind a pointer, as a slice or as a map. */
  shape: 'value' | 'pointer' | 'list' | 'map';
  omitempty: boolean;
  /** Whether it holds resource quantities (Go writes them in canonical form). */
  quantity?: true;
  /** The generated schema's field (its protobuf type and flags), for Go's names of types (go-types.ts). */
  schemaField: SchemaField;
}

const fieldsByMessage = new Map<string, ReadonlyMap<string, GoField>>();

/** Whether a message is written as a JSON scalar, and its Go zero's JSON then. */
export function scalarMessageZero(message: string): { zero: unknown } | undefined {
  return SCALAR_MESSAGES.has(message) ? { zero: SCALAR_MESSAGES.get(message) } : undefined;
}

function isMessage(type: string): boolean {
  return Object.hasOwn(schema.messages, type) && !SCALAR_MESSAGES.has(type);
}

function zeroValue(f: SchemaField): unknown {
  const [, , type, flags] = f;
  const omitempty = flags.includes('o');
  if (flags.includes('r') || flags.includes('m') || flags.includes('p')) return omitempty ? undefined : null;
  if (typeof type !== 'string') return omitempty ? undefined : null;
  // Go's omitempty never leaves out a struct held by value.
  if (SCALAR_MESSAGES.has(type)) return SCALAR_MESSAGES.get(type);
  if (Object.hasOwn(schema.messages, type)) {
    const def = schema.messages[type]!;
    return Array.isArray(def) ? {} : omitempty ? undefined : null;
  }
  if (omitempty) return undefined;
  if (type === 'string') return '';
  if (type === 'bool') return false;
  if (NUMBERS.has(type)) return 0;
  return null;
}

function collect(message: string, into: Map<string, GoField>, depth: number): void {
  const def = Object.hasOwn(schema.messages, message) ? schema.messages[message] : undefined;
  if (!Array.isArray(def) || depth > 8) return;
  for (const f of def) {
    const [, name, type, flags] = f;
    if (flags.includes('i') && typeof type === 'string') {
      collect(type, into, depth + 1);
      continue;
    }
    const valueType = typeof type === 'string' ? type : type[1];
    const shape = flags.includes('m') || typeof type !== 'string' ? 'map' : flags.includes('r') ? 'list' : flags.includes('p') ? 'pointer' : 'value';
    into.set(name, {
      zero: zeroValue(f),
      ...(isMessage(valueType) ? { message: valueType } : {}),
      ...(valueType === WELL_KNOWN.quantity ? { quantity: true as const } : {}),
      shape,
      omitempty: flags.includes('o'),
      schemaField: f,
    });
  }
}

/** The JSON fields of a message (undefined for a message the schema does not have). */
export function goFields(message: string): ReadonlyMap<string, GoField> | undefined {
  let fields = fieldsByMessage.get(message);
  if (!fields) {
    if (!Object.hasOwn(schema.messages, message) || !Array.isArray(schema.messages[message])) return undefined;
    const into = new Map<string, GoField>();
    collect(message, into, 0);
    fieldsByMessage.set(message, (fields = into));
  }
  return fields;
}

/**
 * The JSON of an empty Go value of a message: the fields Go always writes (`replicas: 0` of a
 * ReplicaSetStatus), with structs held by value filled in turn. A new object each call.
 */
export function goZero(message: string, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of goFields(message) ?? []) {
    if (field.zero === undefined) continue;
    const struct = typeof field.zero === 'object' && field.zero !== null;
    out[name] = struct ? (field.message && depth < 8 ? goZero(field.message, depth + 1) : {}) : field.zero;
  }
  return out;
}

// A kind's schema derived from its generated protobuf shape (api/protobuf/schema.generated.ts):
// every field Kubernetes v1.32 has, with its JSON name, type and strategic-merge key, for kinds
// not described by hand. Strict field validation, pruning of unknown fields, strategic merge
// and OpenAPI (kubectl explain) then know all of them.
import { schema as protobufSchema, WELL_KNOWN, type SchemaField } from '../protobuf/schema.js';
import { any, bool, bytes, int, int32, intOrString, list, map, microTime, num, quantity, set, str, time, type Schema } from './dsl.js';
import { kind } from './meta.js';

const SCALARS: Record<string, Schema> = {
  string: str,
  bool,
  int32,
  uint32: int32,
  int64: int,
  uint64: int,
  double: num,
  float: num,
  bytes,
  [WELL_KNOWN.time]: time,
  [WELL_KNOWN.microTime]: microTime,
  [WELL_KNOWN.quantity]: quantity,
  [WELL_KNOWN.intOrString]: intOrString,
};

function typeSchema(type: string, seen: Set<string>): Schema {
  const scalar = SCALARS[type];
  if (scalar) return scalar;
  const def = Object.hasOwn(protobufSchema.messages, type) ? protobufSchema.messages[type] : undefined;
  // Free-form JSON (RawExtension, FieldsV1, JSON) and anything recursive stay open.
  if (!def || seen.has(type)) return any;
  if (!Array.isArray(def)) return list(typeSchema(def.array, seen));
  return { t: 'object', props: propsOf(def, new Set([...seen, type])) };
}

function propsOf(fields: SchemaField[], seen: Set<string>): Record<string, Schema> {
  const props: Record<string, Schema> = {};
  for (const [, name, type, flags, mergeKey] of fields) {
    if (flags.includes('i')) {
      // An embedded struct: its fields are this object's own in JSON.
      const inner = typeSchema(type as string, seen);
      if (inner.t === 'object') Object.assign(props, inner.props);
      continue;
    }
    if (flags.includes('m')) {
      props[name] = map(typeSchema((type as [string, string])[1], seen));
      continue;
    }
    const item = typeSchema(type as string, seen);
    if (!flags.includes('r')) props[name] = item;
    else if (flags.includes('s') && mergeKey) props[name] = list(item, mergeKey);
    else if (flags.includes('s')) props[name] = set(item);
    else props[name] = list(item);
  }
  return props;
}

/** One message's shape, e.g. a field of a hand-described kind that Kubernetes types in full. */
export function messageSchema(message: string): Schema {
  return typeSchema(message, new Set());
}

/** The whole kind (apiVersion, kind, metadata as every kind has it, then its own fields). */
export function schemaFromProtobuf(apiVersion: string, kindName: string): Schema {
  const message = protobufSchema.kinds[`${apiVersion}/${kindName}`];
  const def = message ? protobufSchema.messages[message] : undefined;
  if (!def || !Array.isArray(def)) throw new Error(`no protobuf shape for ${apiVersion}/${kindName}`);
  const { metadata: _m, ...own } = propsOf(def, new Set([message!]));
  return kind(own);
}

/**
 * A hand-described schema with what it left open filled in from Kubernetes' own shape: every
 * field an open object lacks is added and the object closed, so clients validating against
 * our OpenAPI know every field Kubernetes has (kubectl's own validator refuses unknown ones)
 * and unknown fields are reported and dropped as Kubernetes does. What the hand wrote wins.
 */
export function completedFromProtobuf(hand: Schema, apiVersion: string, kindName: string): Schema {
  const message = protobufSchema.kinds[`${apiVersion}/${kindName}`];
  return message ? completed(hand, schemaFromProtobuf(apiVersion, kindName)) : hand;
}

function completed(hand: Schema, full: Schema): Schema {
  if (hand.t === 'object' && full.t === 'object') {
    const props: Record<string, Schema> = {};
    for (const [k, s] of Object.entries(hand.props)) props[k] = Object.hasOwn(full.props, k) ? completed(s, full.props[k]!) : s;
    if (!hand.open) return { ...hand, props };
    for (const [k, s] of Object.entries(full.props)) if (!Object.hasOwn(props, k)) props[k] = s;
    const { open: _open, ...closed } = hand;
    return { ...closed, props };
  }
  if (hand.t === 'array' && full.t === 'array') return { ...hand, items: completed(hand.items, full.items) };
  if (hand.t === 'map' && full.t === 'map') return { ...hand, values: completed(hand.values, full.values) };
  return hand;
}

// Protobuf messages to and from the JSON objects the rest of the server works with, by the
// generated schema. Decoding follows what Go's JSON encoder would write for the struct the
// message fills (omitempty, pointers, embedded structs, fields in struct order); encoding
// writes every field the object has, in field-number order, map entries sorted by key.
import { parseJSON, stringify } from '../codec/json.js';
import { setOwn } from '../codec/values.js';
import { rfc3339 } from '../time.js';
import { schema, WELL_KNOWN, type SchemaField } from './schema.js';
import { lengthDelimited, readFields, readPackedVarints, tag, varintField, WireError, type WireField } from './wire.js';

type Json = Record<string, unknown>;

/** Messages nest deeper than this only in hostile input (a CRD schema is a few dozen levels). */
const MAX_DEPTH = 500;
/** metav1.Time's zero value (0001-01-01T00:00:00Z) in Unix seconds; it is written as nothing. */
const ZERO_TIME_SECONDS = -62135596800;
/** Seconds a JavaScript Date can hold either side of 1970. */
const MAX_DATE_SECONDS = 8.64e12;

const VARINT_TYPES = new Set(['int32', 'int64', 'uint32', 'uint64', 'bool']);
const NUMBER_TYPES = new Set(['int32', 'int64', 'uint32', 'uint64', 'double', 'float']);
const SPECIAL = new Set<string>(Object.values(WELL_KNOWN).filter((t) => t !== WELL_KNOWN.jsonSchemaProps));

const byNumberCache = new Map<string, Map<number, SchemaField>>();
const sortedCache = new Map<string, SchemaField[]>();

function fieldsOf(name: string): SchemaField[] {
  const def = Object.hasOwn(schema.messages, name) ? schema.messages[name] : undefined;
  if (!def || !Array.isArray(def)) throw new WireError(`no protobuf schema for ${name}`);
  return def;
}

function byNumber(name: string): Map<number, SchemaField> {
  let m = byNumberCache.get(name);
  if (!m) byNumberCache.set(name, (m = new Map(fieldsOf(name).map((f) => [f[0], f]))));
  return m;
}

function sortedFields(name: string): SchemaField[] {
  let s = sortedCache.get(name);
  if (!s) sortedCache.set(name, (s = [...fieldsOf(name)].sort((a, b) => a[0] - b[0])));
  return s;
}

const arrayOf = (name: string): string | undefined => {
  const def = Object.hasOwn(schema.messages, name) ? schema.messages[name] : undefined;
  return def && !Array.isArray(def) ? def.array : undefined;
};

// ---------------------------------------------------------------------------------------------
// Decoding

function expectWire(f: WireField, wire: number, type: string): void {
  if (f.wire !== wire) throw new WireError(`field ${f.no} (${type}) has wire type ${f.wire}`);
}

function scalarToJSON(type: string, f: WireField): unknown {
  switch (type) {
    case 'string':
      expectWire(f, 2, type);
      return f.bytes!.toString('utf8');
    case 'bytes':
      expectWire(f, 2, type);
      return f.bytes!.toString('base64');
    case 'bool':
      expectWire(f, 0, type);
      return f.varint !== 0n;
    case 'int32':
      expectWire(f, 0, type);
      return Number(BigInt.asIntN(32, f.varint!));
    case 'int64':
      expectWire(f, 0, type);
      return Number(BigInt.asIntN(64, f.varint!));
    case 'uint32':
    case 'uint64':
      expectWire(f, 0, type);
      return Number(BigInt.asUintN(64, f.varint!));
    case 'double':
      expectWire(f, 1, type);
      return f.bytes!.readDoubleLE(0);
    case 'float':
      expectWire(f, 5, type);
      return f.bytes!.readFloatLE(0);
  }
  throw new WireError(`unknown scalar type ${type}`);
}

function timeParts(buf: Buffer): { seconds: number; nanos: number } {
  let seconds = 0;
  let nanos = 0;
  for (const f of readFields(buf)) {
    if (f.no === 1) seconds = scalarToJSON('int64', f) as number;
    else if (f.no === 2) nanos = scalarToJSON('int32', f) as number;
  }
  if (Math.abs(seconds) > MAX_DATE_SECONDS || nanos < 0 || nanos > 999_999_999) throw new WireError('time out of range');
  return { seconds, nanos };
}

function rawJSON(buf: Buffer): unknown {
  const raw = readFields(buf).find((f) => f.no === 1);
  if (!raw?.bytes?.length) return undefined;
  try {
    return parseJSON(raw.bytes);
  } catch (err) {
    throw new WireError(`embedded JSON: ${(err as Error).message}`);
  }
}

function specialToJSON(type: string, buf: Buffer, depth: number): unknown {
  // Go writes a zero Time as an empty message: no time at all, not 1970.
  if ((type === WELL_KNOWN.time || type === WELL_KNOWN.microTime) && buf.length === 0) return undefined;
  switch (type) {
    case WELL_KNOWN.time: {
      const { seconds } = timeParts(buf);
      return seconds <= ZERO_TIME_SECONDS ? undefined : rfc3339(new Date(seconds * 1000));
    }
    case WELL_KNOWN.microTime: {
      const { seconds, nanos } = timeParts(buf);
      if (seconds <= ZERO_TIME_SECONDS) return undefined;
      const micros = String(Math.floor(nanos / 1000)).padStart(6, '0');
      return rfc3339(new Date(seconds * 1000)).replace('Z', `.${micros}Z`);
    }
    case WELL_KNOWN.fieldsV1:
    case WELL_KNOWN.rawExtension:
    case WELL_KNOWN.json:
      return rawJSON(buf);
    case WELL_KNOWN.quantity: {
      const s = readFields(buf).find((f) => f.no === 1);
      return s ? scalarToJSON('string', s) : '0';
    }
    case WELL_KNOWN.intOrString: {
      let kind = 0;
      let intVal = 0;
      let strVal = '';
      for (const f of readFields(buf)) {
        if (f.no === 1) kind = scalarToJSON('int64', f) as number;
        else if (f.no === 2) intVal = scalarToJSON('int32', f) as number;
        else if (f.no === 3) strVal = scalarToJSON('string', f) as string;
      }
      return kind === 1 ? strVal : intVal;
    }
    case WELL_KNOWN.schemaOrArray: {
      const fields = readFields(buf);
      const many = fields.filter((f) => f.no === 2);
      if (many.length) return many.map((f) => messageToJSON(f, WELL_KNOWN.jsonSchemaProps, depth + 1));
      const one = fields.find((f) => f.no === 1);
      return one ? messageToJSON(one, WELL_KNOWN.jsonSchemaProps, depth + 1) : undefined;
    }
    case WELL_KNOWN.schemaOrBool: {
      const fields = readFields(buf);
      const s = fields.find((f) => f.no === 2);
      if (s) return messageToJSON(s, WELL_KNOWN.jsonSchemaProps, depth + 1);
      const allows = fields.find((f) => f.no === 1);
      return allows ? scalarToJSON('bool', allows) : false;
    }
    case WELL_KNOWN.schemaOrStringArray: {
      const fields = readFields(buf);
      const s = fields.find((f) => f.no === 1);
      if (s) return messageToJSON(s, WELL_KNOWN.jsonSchemaProps, depth + 1);
      return fields.filter((f) => f.no === 2).map((f) => scalarToJSON('string', f));
    }
  }
  throw new WireError(`unknown special type ${type}`);
}

function valueToJSON(type: string, f: WireField, depth: number): unknown {
  if (!type.includes('.')) return scalarToJSON(type, f);
  expectWire(f, 2, type);
  if (SPECIAL.has(type)) return specialToJSON(type, f.bytes!, depth);
  return messageToJSON(f, type, depth + 1);
}

function messageToJSON(f: WireField, type: string, depth: number): unknown {
  expectWire(f, 2, type);
  return decodeMessage(f.bytes!, type, depth);
}

function zeroOf(type: string): unknown {
  if (type === 'string') return '';
  if (type === 'bool') return false;
  if (NUMBER_TYPES.has(type)) return 0;
  if (type === 'bytes') return '';
  if (type === WELL_KNOWN.quantity) return '0';
  if (type === WELL_KNOWN.intOrString) return 0;
  if (!type.includes('.') || SPECIAL.has(type)) return undefined;
  return arrayOf(type) ? [] : {};
}

const isZero = (v: unknown) => v === '' || v === 0 || v === false;

/** One message to a JSON object (or array, for a named slice), by its schema. */
export function decodeMessage(buf: Buffer, name: string, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new WireError(`messages nested deeper than ${MAX_DEPTH}`);
  const items = arrayOf(name);
  if (items !== undefined) return readFields(buf).filter((f) => f.no === 1).map((f) => valueToJSON(items, f, depth));
  const fields = byNumber(name);
  const values = new Map<number, unknown>();
  for (const f of readFields(buf)) {
    const sf = fields.get(f.no);
    if (!sf) continue; // a field this version does not know
    const [no, , type, flags] = sf;
    if (flags.includes('m')) {
      const [, valueType] = type as [string, string];
      expectWire(f, 2, 'map entry');
      let key = '';
      let value: unknown;
      for (const e of readFields(f.bytes!)) {
        if (e.no === 1) key = scalarToJSON('string', e) as string;
        else if (e.no === 2) value = valueToJSON(valueType, e, depth);
      }
      let map = values.get(no) as Json | undefined;
      if (!map) values.set(no, (map = {}));
      setOwn(map, key, value === undefined ? zeroOf(valueType) : value);
    } else if (flags.includes('r')) {
      let list = values.get(no) as unknown[] | undefined;
      if (!list) values.set(no, (list = []));
      if (f.wire === 2 && VARINT_TYPES.has(type as string)) {
        for (const v of readPackedVarints(f.bytes!)) list.push(scalarToJSON(type as string, { no: f.no, wire: 0, varint: v }));
      } else list.push(valueToJSON(type as string, f, depth));
    } else values.set(no, valueToJSON(type as string, f, depth));
  }
  // Go's JSON encoder on the struct: fields in declaration order, omitempty and pointers honoured.
  const out: Json = {};
  for (const [no, jsonName, type, flags] of fieldsOf(name)) {
    const present = values.has(no);
    const v = values.get(no);
    if (flags.includes('i')) {
      if (present && v && typeof v === 'object') for (const [k, x] of Object.entries(v)) setOwn(out, k, x);
      continue;
    }
    if (!present) {
      // A non-pointer scalar without omitempty is always in Go's JSON, zero or not.
      if (typeof type === 'string' && !flags.includes('o') && !flags.includes('p') && !flags.includes('r') && !type.includes('.') && type !== 'bytes') {
        setOwn(out, jsonName, zeroOf(type));
      }
      continue;
    }
    if (v === undefined) continue;
    if (typeof type === 'string' && !type.includes('.') && flags.includes('o') && !flags.includes('p') && !flags.includes('r') && isZero(v)) continue;
    setOwn(out, jsonName, v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoding

function fixed64(no: number, v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return Buffer.concat([tag(no, 1), b]);
}

function fixed32(no: number, v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeFloatLE(v);
  return Buffer.concat([tag(no, 5), b]);
}

function timeMessage(no: number, text: unknown, micro: boolean): Buffer | undefined {
  if (typeof text !== 'string') return undefined;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) return undefined;
  const seconds = Math.floor(ms / 1000);
  const fraction = micro ? /\.(\d{1,9})/.exec(text)?.[1] : undefined;
  const nanos = fraction ? Number(fraction.padEnd(9, '0')) : 0;
  const parts = [varintField(1, BigInt(seconds))];
  if (nanos) parts.push(varintField(2, BigInt(nanos)));
  return lengthDelimited(no, Buffer.concat(parts));
}

function valueField(no: number, type: string, v: unknown, depth: number): Buffer | undefined {
  switch (type) {
    case 'string':
      return lengthDelimited(no, Buffer.from(String(v), 'utf8'));
    case 'bytes':
      return lengthDelimited(no, Buffer.from(String(v), 'base64'));
    case 'bool':
      return varintField(no, v ? 1n : 0n);
    case 'int32':
    case 'int64':
    case 'uint32':
    case 'uint64': {
      const n = Number(v);
      return Number.isFinite(n) ? varintField(no, BigInt(Math.trunc(n))) : undefined;
    }
    case 'double':
      return typeof v === 'number' ? fixed64(no, v) : undefined;
    case 'float':
      return typeof v === 'number' ? fixed32(no, v) : undefined;
    case WELL_KNOWN.time:
      return timeMessage(no, v, false);
    case WELL_KNOWN.microTime:
      return timeMessage(no, v, true);
    case WELL_KNOWN.fieldsV1:
    case WELL_KNOWN.rawExtension:
    case WELL_KNOWN.json:
      return lengthDelimited(no, lengthDelimited(1, Buffer.from(stringify(v), 'utf8')));
    case WELL_KNOWN.quantity:
      return lengthDelimited(no, lengthDelimited(1, Buffer.from(String(v), 'utf8')));
    case WELL_KNOWN.intOrString:
      return lengthDelimited(
        no,
        typeof v === 'number'
          ? Buffer.concat([varintField(1, 0n), varintField(2, BigInt(Math.trunc(v)))])
          : Buffer.concat([varintField(1, 1n), lengthDelimited(3, Buffer.from(String(v), 'utf8'))]),
      );
    case WELL_KNOWN.schemaOrArray:
      if (Array.isArray(v)) return lengthDelimited(no, Buffer.concat(v.map((s) => lengthDelimited(2, encodeMessage(s, WELL_KNOWN.jsonSchemaProps, depth + 1)))));
      return lengthDelimited(no, lengthDelimited(1, encodeMessage(v, WELL_KNOWN.jsonSchemaProps, depth + 1)));
    case WELL_KNOWN.schemaOrBool:
      if (typeof v === 'boolean') return lengthDelimited(no, varintField(1, v ? 1n : 0n));
      return lengthDelimited(no, Buffer.concat([varintField(1, 1n), lengthDelimited(2, encodeMessage(v, WELL_KNOWN.jsonSchemaProps, depth + 1))]));
    case WELL_KNOWN.schemaOrStringArray:
      if (Array.isArray(v)) return lengthDelimited(no, Buffer.concat(v.map((s) => lengthDelimited(2, Buffer.from(String(s), 'utf8')))));
      return lengthDelimited(no, lengthDelimited(1, encodeMessage(v, WELL_KNOWN.jsonSchemaProps, depth + 1)));
  }
  if (!type.includes('.')) throw new WireError(`unknown scalar type ${type}`);
  if (v === null || typeof v !== 'object') return undefined;
  return lengthDelimited(no, encodeMessage(v, type, depth + 1));
}

/** A JSON object (or array, for a named slice) as one message of `name`. */
export function encodeMessage(value: unknown, name: string, depth = 0): Buffer {
  if (depth > MAX_DEPTH) throw new WireError(`objects nested deeper than ${MAX_DEPTH}`);
  const items = arrayOf(name);
  if (items !== undefined) {
    const list = Array.isArray(value) ? value : [];
    return Buffer.concat(list.map((x) => valueField(1, items, x, depth)).filter((b): b is Buffer => !!b));
  }
  const obj = (value ?? {}) as Json;
  const parts: Buffer[] = [];
  for (const [no, jsonName, type, flags] of sortedFields(name)) {
    if (flags.includes('i')) {
      // The embedded struct's fields are the parent's own in JSON.
      const inner = encodeMessage(obj, type as string, depth + 1);
      if (inner.length) parts.push(lengthDelimited(no, inner));
      continue;
    }
    const v = Object.hasOwn(obj, jsonName) ? obj[jsonName] : undefined;
    if (v === undefined || v === null) continue;
    if (flags.includes('m')) {
      if (typeof v !== 'object' || Array.isArray(v)) continue;
      const [, valueType] = type as [string, string];
      for (const key of Object.keys(v).sort()) {
        const x = (v as Json)[key];
        const value = x === undefined || x === null ? undefined : valueField(2, valueType, x, depth);
        parts.push(lengthDelimited(no, Buffer.concat([lengthDelimited(1, Buffer.from(key, 'utf8')), ...(value ? [value] : [])])));
      }
    } else if (flags.includes('r')) {
      if (!Array.isArray(v)) continue;
      for (const x of v) {
        if (x === null || x === undefined) continue;
        const b = valueField(no, type as string, x, depth);
        if (b) parts.push(b);
      }
    } else {
      const b = valueField(no, type as string, v, depth);
      if (b) parts.push(b);
    }
  }
  return Buffer.concat(parts);
}

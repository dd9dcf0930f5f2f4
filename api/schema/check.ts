// Walks an object against its kind's schema and reports what Kubernetes' decoder reports:
// values of the wrong type (always an error) and unknown fields (an error, a warning or
// nothing, depending on fieldValidation). Unknown fields are removed from the object, and
// times are rewritten as Kubernetes writes them back (UTC, its precision).
import { QUANTITY_FORMAT_ERROR, quantityError } from '../quantity.js';
import { decodeTime } from '../time.js';
import type { Schema } from './dsl.js';

export interface SchemaFindings {
  /** What Kubernetes' JSON decoder says of each wrongly typed value (creates, updates, JSON and merge patches). */
  typeErrors: string[];
  /**
   * The same errors as the unstructured converter words them, in the same order: a strategic
   * merge patch is applied to a map and converted to the typed object, not decoded from JSON.
   */
  conversionErrors: string[];
  unknownFields: string[];
  /**
   * Where each type error is, for a caller that knows the kind's Go types to word it exactly as
   * Go's decoder does (struct name, path without indexes, the field's Go type); undefined for an
   * error that is not about a field's type (a bad time, base64 or quantity).
   */
  typeErrorAt: Array<TypeErrorAt | undefined>;
}

export interface TypeErrorAt {
  /** What was found, as Go's decoder names it: `string`, `array`, `number 3e+09`. */
  value: string;
  /** Field names and list indexes from the root. */
  at: Array<string | number>;
  /** The Go type Go names, when not the field's own: a type that decodes itself (a time, an int-or-string) reports the type it decoded into. */
  type?: string;
}

const goType: Record<string, string> = {
  string: 'string',
  integer: 'int64',
  int32: 'int32',
  number: 'float64',
  boolean: 'bool',
  time: 'Time',
  microTime: 'MicroTime',
  bytes: '[]byte',
};

/** The Go kind of a value decoded from JSON into interface{} (numbers keep integers as int64). */
function goKind(v: unknown): string {
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'object' && v !== null) return 'map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

/** The Go type of such a value, as the converter names it when a scalar was expected. */
function goTypeOf(v: unknown): string {
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object' && v !== null) return 'map[string]interface {}';
  return goKind(v);
}

/** The unstructured converter's words for `value` where the schema wants `t`. */
function conversionError(value: unknown, t: Schema['t']): string {
  switch (t) {
    case 'object':
      return `cannot restore struct from: ${goKind(value)}`;
    case 'map':
      return `cannot restore map from ${goKind(value)}`;
    case 'array':
      return `cannot restore slice from ${goKind(value)}`;
    case 'time':
    case 'microTime':
    case 'intOrString':
      // Types with their own JSON decoding are converted through JSON.
      return `json: cannot unmarshal ${jsonTypeName(value)} into Go value of type ${t === 'intOrString' ? 'int32' : 'string'}`;
    case 'quantity':
      return QUANTITY_FORMAT_ERROR;
    default:
      return `cannot convert ${goTypeOf(value)} to ${goType[t] ?? t}`;
  }
}

/** The JSON type name Go's decoder gives a value in its errors. */
export function jsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

export function checkSchema(value: unknown, schema: Schema): SchemaFindings {
  const findings: SchemaFindings = { typeErrors: [], conversionErrors: [], unknownFields: [], typeErrorAt: [] };
  walk(value, schema, [], findings, undefined);
  return findings;
}


/**
 * Where standard padded base64 (Go's base64.StdEncoding, which skips CR and LF) breaks down
 * in `s`, or undefined when it decodes.
 */
export function base64Error(s: string): number | undefined {
  let quantumStart = 0;
  let inQuantum = 0;
  let padding = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) continue;
    if (inQuantum === 0) quantumStart = i;
    const alphabet = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f;
    if (c === 0x3d) {
      // '=' only as the last one or two characters of the final quantum.
      if (inQuantum < 2) return i;
      padding++;
    } else if (!alphabet || padding > 0) {
      return i;
    }
    inQuantum = (inQuantum + 1) % 4;
    if (inQuantum === 0 && padding > 0) {
      for (let j = i + 1; j < s.length; j++) if (s[j] !== '\n' && s[j] !== '\r') return j;
    }
  }
  return inQuantum === 0 ? undefined : quantumStart;
}

/**
 * Where a walk is: field names and list indexes from the root. One stack for the whole walk,
 * pushed and popped, made into a path string (`spec.containers[0].name`) only for a finding:
 * most objects have none, and a path per field visited was most of what a check allocated.
 */
type At = Array<string | number>;

function pathOf(at: At): string {
  let path = '';
  for (const seg of at) path = typeof seg === 'number' ? `${path}[${seg}]` : path ? `${path}.${seg}` : seg;
  return path;
}

function mismatch(value: unknown, schema: Schema, at: At, f: SchemaFindings, expected: string): void {
  f.typeErrors.push(`json: cannot unmarshal ${jsonTypeName(value)} into Go struct field ${pathOf(at) || '.'} of type ${expected}`);
  // Times and int-or-strings decode themselves, into a string or an int32, and Go names that type.
  const inner = schema.t === 'time' || schema.t === 'microTime' ? 'string' : schema.t === 'intOrString' ? 'int32' : undefined;
  f.typeErrorAt.push({ value: jsonTypeName(value), at: [...at], ...(inner ? { type: inner } : {}) });
  f.conversionErrors.push(conversionError(value, schema.t));
}

/** A value of the right JSON type that still does not fit (range, base64): both decoders say the same. */
function unfit(f: SchemaFindings, message: string, at?: TypeErrorAt): void {
  f.typeErrors.push(message);
  f.typeErrorAt.push(at);
  f.conversionErrors.push(message);
}

/** Checks `value`, found in `parent` under the last key of `at` (a time is rewritten there). */
function walk(value: unknown, schema: Schema, at: At, f: SchemaFindings, parent: Record<string, unknown> | unknown[] | undefined): void {
  if (value === null || value === undefined) return;
  switch (schema.t) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') mismatch(value, schema, at, f, goType[schema.t]!);
      return;
    case 'time':
    case 'microTime': {
      if (typeof value !== 'string') return mismatch(value, schema, at, f, goType[schema.t]!);
      // A metav1.Time decodes itself with Go's RFC 3339 parser: what it cannot read is a 400,
      // and never stored (Go clients could not decode any list holding it). What it reads is
      // kept as Go writes it back.
      const decoded = decodeTime(value, schema.t === 'microTime');
      if ('error' in decoded) unfit(f, decoded.error);
      else if (parent !== undefined) {
        const key = at[at.length - 1]!;
        // Go writes a zero time as null: a field without it (a list item null).
        if (Array.isArray(parent)) parent[key as number] = 'absent' in decoded ? null : decoded.value;
        else if ('absent' in decoded) delete parent[key];
        else if (decoded.value !== value) parent[key] = decoded.value;
      }
      return;
    }
    case 'bytes': {
      if (typeof value !== 'string') return mismatch(value, schema, at, f, '[]byte');
      const bad = base64Error(value);
      if (bad !== undefined) unfit(f, `illegal base64 data at input byte ${bad}`);
      return;
    }
    case 'integer':
    case 'int32': {
      const type = goType[schema.t]!;
      if (typeof value !== 'number' || !Number.isInteger(value)) return mismatch(value, schema, at, f, type);
      // Out of range for the Go type (int64 beyond what a double holds exactly: precision is already lost).
      const inRange = schema.t === 'int32' ? value >= -2147483648 && value <= 2147483647 : Number.isSafeInteger(value);
      if (!inRange) unfit(f, `json: cannot unmarshal number ${value} into Go struct field ${pathOf(at) || '.'} of type ${type}`, { value: `number ${value}`, at: [...at] });
      return;
    }
    case 'intOrString':
      if (typeof value === 'number' && Number.isInteger(value) && (value < -2147483648 || value > 2147483647)) {
        unfit(f, `json: cannot unmarshal number ${value} into Go struct field ${pathOf(at) || '.'} of type int32`, { value: `number ${value}`, at: [...at], type: 'int32' });
        return;
      }
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) mismatch(value, schema, at, f, 'intstr.IntOrString');
      return;
    case 'number':
      if (typeof value !== 'number') mismatch(value, schema, at, f, 'float64');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') mismatch(value, schema, at, f, 'bool');
      return;
    case 'quantity': {
      if (typeof value !== 'string' && typeof value !== 'number') return mismatch(value, schema, at, f, 'resource.Quantity');
      // A quantity decodes itself: a string that is none fails the decoding (400), as in Kubernetes.
      const bad = typeof value === 'string' ? quantityError(value) : undefined;
      if (bad !== undefined) unfit(f, bad);
      return;
    }
    case 'array':
      if (!Array.isArray(value)) return mismatch(value, schema, at, f, '[]interface {}');
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        // Go decodes a null item of a list of structs as the zero struct: an empty object here,
        // which validation then judges (a container without a name), never a crash further on.
        if (item === null && schema.items.t === 'object') value[i] = {};
        else {
          at.push(i);
          walk(item, schema.items, at, f, value as unknown[]);
          at.pop();
        }
      }
      return;
    case 'map':
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return mismatch(value, schema, at, f, schema.t === 'map' ? 'map[string]interface {}' : 'struct');
      const o = value as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        const v = o[k];
        // Go decodes a JSON null into the zero value, which is then omitted: a null field is absent.
        if (v === null) {
          delete o[k];
          continue;
        }
        // Own properties only: a field named `constructor` is unknown, not Object's constructor.
        const s = schema.t === 'map' ? schema.values : Object.prototype.hasOwnProperty.call(schema.props, k) ? schema.props[k] : undefined;
        at.push(k);
        if (s) walk(v, s, at, f, o);
        else if (schema.t === 'object' && !schema.open) {
          // Kubernetes' decoder has nowhere to put an unknown field: it is reported and dropped.
          f.unknownFields.push(pathOf(at));
          delete o[k];
        }
        at.pop();
      }
      return;
    }
  }
}

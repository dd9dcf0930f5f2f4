// An OpenAPI schema seen from CEL, as Kubernetes sees it: object types with one field per
// property (names escaped where CEL cannot spell them), maps for additionalProperties, lists,
// int / double / string / bool, `format: byte|duration|date|date-time` as bytes, durations and
// timestamps, int-or-string as dyn. A resource's root (and an embedded resource) also has
// apiVersion, kind and metadata with name and generateName only.
//
// typeOf() declares those types on a CEL environment (for checking expressions);
// toCel() turns a JSON value into the values the expression sees.
import type { Environment } from '@marcbachmann/cel-js';
import { Duration } from '@marcbachmann/cel-js/evaluator';
import { isObject } from '../codec/values.js';
import { parseGoDuration } from '../go-duration.js';
import type { JSONSchemaProps } from '../custom-resources/structural-schema.js';

const isSchema = (s: unknown): s is JSONSchemaProps => isObject(s);

const RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/** A property's name as CEL spells it (Kubernetes' escaping), or undefined if it cannot. */
export function escapeFieldName(name: string): string | undefined {
  if (RESERVED.has(name)) return `__${name}__`;
  const escaped = name.replace(/__|\.|-|\//g, (m) => (m === '__' ? '__underscores__' : m === '.' ? '__dot__' : m === '-' ? '__dash__' : '__slash__'));
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(escaped) ? escaped : undefined;
}

const META: JSONSchemaProps = { type: 'object', properties: { name: { type: 'string' }, generateName: { type: 'string' } } };

/** The schema as a resource root sees it: apiVersion, kind and metadata (name, generateName). */
export function withTypeAndObjectMeta(s: JSONSchemaProps): JSONSchemaProps {
  return { ...s, properties: { ...(s.properties ?? {}), apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: META } };
}

const sameShape = (a: unknown, b: unknown) => a === b;

/**
 * Declares on `env` the object types `schema` needs and returns the CEL type of its root
 * (undefined where Kubernetes gives none: arrays without items, untyped nodes). Object types
 * are named `<prefix><n>`; each gets structural equality. `types` records each schema node's type.
 */
export function declareTypes(env: Environment, schema: JSONSchemaProps, resourceRoot: boolean, prefix: string, types?: Map<object, string>): string | undefined {
  let count = 0;
  const declare = (s: JSONSchemaProps, root: boolean, depth: number): string | undefined => {
    const t = declareNode(s, root, depth);
    if (t !== undefined && isSchema(s)) types?.set(s, t);
    return t;
  };
  const declareNode = (s: JSONSchemaProps, root: boolean, depth: number): string | undefined => {
    if (depth > 64 || !isSchema(s)) return undefined;
    if (s['x-kubernetes-int-or-string']) return 'dyn';
    const node = root ? withTypeAndObjectMeta(s) : s;
    switch (node.type) {
      case 'array': {
        if (!isSchema(node.items)) return undefined;
        const item = declare(node.items, node.items['x-kubernetes-embedded-resource'] === true, depth + 1);
        return item === undefined ? undefined : `list<${item}>`;
      }
      case 'object': {
        if (isSchema(node.additionalProperties)) {
          const ap = node.additionalProperties as JSONSchemaProps;
          const value = declare(ap, ap['x-kubernetes-embedded-resource'] === true, depth + 1);
          return value === undefined ? undefined : `map<string, ${value}>`;
        }
        const fields: Record<string, string> = {};
        for (const [name, prop] of Object.entries(node.properties ?? {})) {
          const escaped = escapeFieldName(name);
          const t = declare(prop, isSchema(prop) && prop['x-kubernetes-embedded-resource'] === true, depth + 1);
          if (escaped !== undefined && t !== undefined) fields[escaped] = t;
        }
        const name = `${prefix}${count++}`;
        env.registerType(name, { fields });
        env.registerOperator(`${name} == ${name}`, celEquals);
        return name;
      }
      case 'string':
        switch (node.format) {
          case 'byte':
            return 'bytes';
          case 'duration':
            return 'google.protobuf.Duration';
          case 'date':
          case 'date-time':
            return 'google.protobuf.Timestamp';
          default:
            return 'string';
        }
      case 'boolean':
        return 'bool';
      case 'number':
        return 'double';
      case 'integer':
        return 'int';
      default:
        return undefined;
    }
  };
  return declare(schema, resourceRoot, 0);
}

/** CEL equality of two converted values (objects, maps and lists compared by content). */
export function celEquals(a: unknown, b: unknown): boolean {
  if (sameShape(a, b)) return true;
  if (typeof a === 'bigint' && typeof b === 'number') return Number(a) === b;
  if (typeof a === 'number' && typeof b === 'bigint') return a === Number(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (a instanceof Uint8Array || b instanceof Uint8Array) return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  if (a instanceof Duration || b instanceof Duration) return a instanceof Duration && b instanceof Duration && a.seconds === b.seconds && a.nanos === b.nanos;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => celEquals(x, b[i]));
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && celEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function define(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function timestampOf(s: string, dateOnly: boolean): Date | string {
  const d = new Date(dateOnly && /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
  return Number.isNaN(d.getTime()) ? s : d;
}

function durationOf(s: string): Duration | string {
  let ms: number;
  try {
    ms = parseGoDuration(s);
  } catch {
    return s;
  }
  const seconds = Math.trunc(ms / 1000);
  return new Duration(BigInt(seconds), Math.round((ms - seconds * 1000) * 1e6));
}

/** A JSON value with no schema to follow (preserved unknown fields, int-or-string). */
function untypedToCel(v: unknown, depth: number): unknown {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : v;
  if (depth > 100 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => untypedToCel(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) define(out, k, untypedToCel(x, depth + 1));
  return out;
}

/** The value `v` (valid for `schema`) as CEL sees it; properties CEL cannot spell are left out. */
export function toCel(v: unknown, schema: JSONSchemaProps, resourceRoot: boolean, depth = 0): unknown {
  if (v === null || v === undefined || !isSchema(schema) || depth > 100) return v;
  if (schema['x-kubernetes-int-or-string']) return untypedToCel(v, depth);
  const s = resourceRoot ? withTypeAndObjectMeta(schema) : schema;
  switch (s.type) {
    case 'integer':
      return typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v;
    case 'string':
      if (typeof v !== 'string') return v;
      if (s.format === 'date-time' || s.format === 'date') return timestampOf(v, s.format === 'date');
      if (s.format === 'duration') return durationOf(v);
      if (s.format === 'byte') return new Uint8Array(Buffer.from(v, 'base64'));
      return v;
    case 'array':
      if (!Array.isArray(v) || !isSchema(s.items)) return v;
      return v.map((item) => toCel(item, s.items!, s.items!['x-kubernetes-embedded-resource'] === true, depth + 1));
    case 'object': {
      if (!isObject(v)) return v;
      const out: Record<string, unknown> = {};
      if (isSchema(s.additionalProperties)) {
        const ap = s.additionalProperties as JSONSchemaProps;
        for (const [k, x] of Object.entries(v)) define(out, k, toCel(x, ap, ap['x-kubernetes-embedded-resource'] === true, depth + 1));
        return out;
      }
      if (!s.properties) return untypedToCel(v, depth);
      for (const [k, x] of Object.entries(v)) {
        if (!Object.hasOwn(s.properties, k)) continue;
        const escaped = escapeFieldName(k);
        const prop = s.properties[k]!;
        if (escaped !== undefined) define(out, escaped, toCel(x, prop, isSchema(prop) && prop['x-kubernetes-embedded-resource'] === true, depth + 1));
      }
      return out;
    }
    default:
      return v;
  }
}

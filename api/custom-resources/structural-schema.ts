// A CustomResourceDefinition's openAPIV3Schema applied to its objects, as Kubernetes'
// apiextensions server applies it: unknown fields pruned (unless
// x-kubernetes-preserve-unknown-fields), defaults filled in, and values validated with
// Kubernetes' field paths and wording. Every walk is iterative and follows the schema, and
// reads own properties only (a `__proto__` property is a field like any other).
import { clone, isObject as isPlainObject, setOwn } from '../codec/values.js';
import { FieldErrors } from '../validation/field-errors.js';
import { knownStringFormat, matchesStringFormat } from '../validation/string-formats.js';
import { deepEqual } from '../codec/values.js';
import { requireExtras } from '../on-demand/loader.js';
import type { Re2Pattern } from './re2-pattern.js';

export interface JSONSchemaProps {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, JSONSchemaProps>;
  required?: string[];
  items?: JSONSchemaProps;
  additionalProperties?: JSONSchemaProps | boolean;
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  allOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  /** CEL rules (validation-rules.ts). */
  'x-kubernetes-validations'?: unknown[];
}

type Json = unknown;

const childPath = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** The fields of an object the schema describes: its properties, or everything under additionalProperties. */
function childSchema(s: JSONSchemaProps, key: string): JSONSchemaProps | undefined {
  if (s.properties && Object.hasOwn(s.properties, key)) return s.properties[key];
  if (isPlainObject(s.additionalProperties)) return s.additionalProperties as JSONSchemaProps;
  return undefined;
}

const keepsUnknown = (s: JSONSchemaProps) => s['x-kubernetes-preserve-unknown-fields'] === true || s.additionalProperties === true;

/**
 * Removes, in place, the fields `schema` does not describe; returns their paths (for
 * fieldValidation). At the root, apiVersion, kind and metadata are the envelope's and kept;
 * inside an embedded resource so are its apiVersion, kind and metadata.
 */
export function prune(value: Json, schema: JSONSchemaProps, root = true): string[] {
  const removed: string[] = [];
  const stack: Array<{ v: Json; s: JSONSchemaProps; path: string; envelope: boolean }> = [{ v: value, s: schema, path: '', envelope: root }];
  while (stack.length) {
    const { v, s, path, envelope } = stack.pop()!;
    if (Array.isArray(v)) {
      if (s.items) v.forEach((item, i) => stack.push({ v: item, s: s.items!, path: `${path}[${i}]`, envelope: false }));
      continue;
    }
    if (!isPlainObject(v)) continue;
    const o = v as Record<string, Json>;
    const embedded = envelope || s['x-kubernetes-embedded-resource'] === true;
    for (const key of Object.keys(o)) {
      if (embedded && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
      const child = childSchema(s, key);
      if (child) stack.push({ v: o[key], s: child, path: childPath(path, key), envelope: false });
      else if (!keepsUnknown(s)) {
        removed.push(childPath(path, key));
        delete o[key];
      }
    }
  }
  return removed;
}

/** Fills in `default`s, in place, wherever a property is missing (or null and not nullable). */
export function applyDefaults(value: Json, schema: JSONSchemaProps): void {
  const stack: Array<{ v: Json; s: JSONSchemaProps }> = [{ v: value, s: schema }];
  while (stack.length) {
    const { v, s } = stack.pop()!;
    if (Array.isArray(v)) {
      if (s.items) for (const item of v) stack.push({ v: item, s: s.items });
      continue;
    }
    if (!isPlainObject(v)) continue;
    const o = v as Record<string, Json>;
    for (const [key, prop] of Object.entries(s.properties ?? {})) {
      const missing = !Object.hasOwn(o, key) || (o[key] === null && !prop.nullable);
      if (missing && prop.default !== undefined) setOwn(o, key, clone(prop.default));
    }
    for (const key of Object.keys(o)) {
      const child = childSchema(s, key);
      if (child) stack.push({ v: o[key], s: child });
    }
  }
}

/** The JSON type name of a value, as Kubernetes' messages name it. */
function typeName(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

function hasType(v: Json, type: string): boolean {
  switch (type) {
    case 'object':
      return isPlainObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return true;
  }
}

const canonical = (v: Json): string => JSON.stringify(v, (_k, x) => (isPlainObject(x) ? Object.fromEntries(Object.entries(x as object).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

/** A value's previous version, when an update has one for it. */
type Previous = { old: Json } | undefined;

/**
 * The previous version of each item of a list, on update: a map-type list's found by its keys,
 * a set's by value; other lists' items have none (Kubernetes correlates no others).
 */
export function previousListItems(s: JSONSchemaProps, old: unknown): ((item: unknown) => { old: Json } | undefined) | undefined {
  if (!Array.isArray(old)) return undefined;
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set') return (item) => (old.some((o) => deepEqual(o, item)) ? { old: item as Json } : undefined);
  if (listType !== 'map') return undefined;
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  const keyOf = (item: unknown) => (isPlainObject(item) ? canonical(keys.map((k) => (Object.hasOwn(item as object, k) ? (item as Record<string, Json>)[k]! : null))) : undefined);
  const byKey = new Map<string, Json>();
  for (const item of old) {
    const k = keyOf(item);
    if (k !== undefined) byKey.set(k, item as Json);
  }
  return (item) => {
    const k = keyOf(item);
    return k !== undefined && byKey.has(k) ? { old: byKey.get(k)! } : undefined;
  };
}

/**
 * Validates `value` against `schema`, recording Kubernetes' messages under `path`. On update
 * (`old` given), a value equal to its previous version is not validated again (Kubernetes'
 * validation ratcheting): an object stored before its schema tightened can still be updated
 * elsewhere. Previous versions are found by property name, map key and list-map keys.
 */
export function validateValue(value: Json, schema: JSONSchemaProps, path: string, errs: FieldErrors, old?: Json): void {
  const stack: Array<{ v: Json; s: JSONSchemaProps; path: string; before: Previous }> = [{ v: value, s: schema, path, before: old === undefined ? undefined : { old } }];
  while (stack.length) {
    const { v, s, path: at, before } = stack.pop()!;
    if (before && deepEqual(v, before.old)) continue;
    const body = at || '<root>';
    if (v === null) {
      if (!s.nullable && s.type && !s['x-kubernetes-int-or-string']) errs.typeInvalid(at, 'null', `${body} in body must be of type ${s.type}: "null"`);
      continue;
    }
    if (s['x-kubernetes-int-or-string']) {
      if (!(typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)))) errs.typeInvalid(at, typeName(v), `${body} in body must be of type integer,string: "${typeName(v)}"`);
    } else if (s.type && !hasType(v, s.type)) {
      errs.typeInvalid(at, typeName(v), `${body} in body must be of type ${s.type}: "${typeName(v)}"`);
      continue;
    }
    if (s.enum && !s.enum.some((e) => canonical(e) === canonical(v))) {
      errs.notSupported(at, v, s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))));
    }
    if (typeof v === 'number') {
      if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
        errs.invalid(at, v, `${body} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`);
      }
      if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
        errs.invalid(at, v, `${body} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`);
      }
      if (s.multipleOf && Math.abs(v / s.multipleOf - Math.round(v / s.multipleOf)) > 1e-9) errs.invalid(at, v, `${body} in body should be a multiple of ${s.multipleOf}`);
    }
    if (typeof v === 'string') {
      const length = [...v].length;
      if (s.maxLength !== undefined && length > s.maxLength) errs.tooLong(at, s.maxLength);
      if (s.minLength !== undefined && length < s.minLength) errs.invalid(at, v, `${body} in body should be at least ${s.minLength} chars long`);
      if (s.pattern !== undefined && !safeRegExp(s.pattern)?.test(v)) errs.invalid(at, v, `${body} in body should match '${s.pattern}'`);
      if (s.format && (s.type === undefined || s.type === 'string') && knownStringFormat(s.format) && !matchesStringFormat(s.format, v)) {
        errs.typeInvalid(at, v, `${body} in body must be of type ${s.format}: ${JSON.stringify(v)}`);
      }
    }
    if (Array.isArray(v)) {
      if (s.maxItems !== undefined && v.length > s.maxItems) errs.tooMany(at, v.length, s.maxItems);
      if (s.minItems !== undefined && v.length < s.minItems) errs.invalid(at, v.length, `${body} in body should have at least ${s.minItems} items`);
      const listType = s['x-kubernetes-list-type'];
      if (s.uniqueItems || listType === 'set') {
        const seen = new Set<string>();
        v.forEach((item, i) => {
          const c = canonical(item);
          if (seen.has(c)) errs.duplicate(`${at}[${i}]`, item);
          seen.add(c);
        });
      }
      if (listType === 'map') {
        const keys = s['x-kubernetes-list-map-keys'] ?? [];
        const seen = new Set<string>();
        v.forEach((item, i) => {
          if (!isPlainObject(item)) return;
          const id = canonical(keys.map((k) => (item as Record<string, Json>)[k] ?? null));
          if (seen.has(id)) errs.duplicate(`${at}[${i}]`, Object.fromEntries(keys.map((k) => [k, (item as Record<string, Json>)[k]])));
          seen.add(id);
        });
      }
      if (s.items) {
        const previous = before ? previousListItems(s, before.old) : undefined;
        v.forEach((item, i) => stack.push({ v: item, s: s.items!, path: `${at}[${i}]`, before: previous?.(item) }));
      }
    }
    if (isPlainObject(v)) {
      const o = v as Record<string, Json>;
      for (const req of s.required ?? []) if (!Object.hasOwn(o, req)) errs.required(childPath(at, req));
      const count = Object.keys(o).length;
      if (s.maxProperties !== undefined && count > s.maxProperties) errs.tooMany(at, count, s.maxProperties);
      if (s.minProperties !== undefined && count < s.minProperties) errs.invalid(at, count, `${body} in body should have at least ${s.minProperties} properties`);
      const oldObject = before && isPlainObject(before.old) ? (before.old as Record<string, Json>) : undefined;
      for (const key of Object.keys(o)) {
        const child = childSchema(s, key);
        if (child) stack.push({ v: o[key], s: child, path: childPath(at, key), before: oldObject && Object.hasOwn(oldObject, key) ? { old: oldObject[key]! } : undefined });
      }
    }
    for (const sub of s.allOf ?? []) stack.push({ v, s: sub, path: at, before });
    if (s.anyOf?.length && !s.anyOf.some((sub) => quietlyValid(v, sub))) errs.invalid(at, typeName(v), `${body} in body must validate at least one schema (anyOf)`);
    if (s.oneOf?.length && s.oneOf.filter((sub) => quietlyValid(v, sub)).length !== 1) errs.invalid(at, typeName(v), `${body} in body must validate one and only one schema (oneOf)`);
    if (s.not && quietlyValid(v, s.not)) errs.invalid(at, typeName(v), `${body} in body must not validate the schema (not)`);
  }
}

function quietlyValid(v: Json, s: JSONSchemaProps): boolean {
  const errs = new FieldErrors();
  validateValue(v, s, 'x', errs);
  return errs.empty;
}

/** Patterns run in linear time; one that cannot (refused at definition time) matches nothing. */
function safeRegExp(pattern: string): Re2Pattern | undefined {
  const r = requireExtras().re2Pattern(pattern);
  return typeof r === 'string' ? undefined : r;
}

/**
 * Whether a schema is structural in the sense Kubernetes requires for apiextensions/v1: every
 * node says its type (or is int-or-string / preserves unknown fields), and the logical
 * junctors do not describe fields of their own. Returns the violations in Kubernetes' words.
 */
export function structuralViolations(schema: JSONSchemaProps, path: string): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  const stack: Array<{ s: JSONSchemaProps; path: string; root: boolean }> = [{ s: schema, path, root: true }];
  while (stack.length) {
    const { s, path: at, root } = stack.pop()!;
    if (!isPlainObject(s)) {
      out.push({ field: at, message: 'must be an object' });
      continue;
    }
    if (!s.type && !s['x-kubernetes-int-or-string'] && !s['x-kubernetes-preserve-unknown-fields']) out.push({ field: `${at}.type`, message: 'Required value: must not be empty for specified object fields' });
    if (root && s.type && s.type !== 'object') out.push({ field: `${at}.type`, message: `Invalid value: "${s.type}": must be object at the root` });
    if (typeof s.pattern === 'string') {
      const r = requireExtras().re2Pattern(s.pattern);
      if (typeof r === 'string') out.push({ field: `${at}.pattern`, message: `Invalid value: ${JSON.stringify(s.pattern)}: must be a valid regular expression, but isn't: ${r}` });
    }
    if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false) {
      out.push({ field: `${at}.additionalProperties`, message: 'Forbidden: additionalProperties and properties are mutual exclusive' });
    }
    for (const [k, p] of Object.entries(s.properties ?? {})) stack.push({ s: p, path: `${at}.properties[${k}]`, root: false });
    if (s.items) {
      if (Array.isArray(s.items)) out.push({ field: `${at}.items`, message: 'Forbidden: items must be a schema object and not an array' });
      else stack.push({ s: s.items, path: `${at}.items`, root: false });
    }
    if (isPlainObject(s.additionalProperties)) stack.push({ s: s.additionalProperties as JSONSchemaProps, path: `${at}.additionalProperties`, root: false });
  }
  return out;
}

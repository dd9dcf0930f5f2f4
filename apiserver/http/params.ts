// Query parameters shared by the verbs, parsed and checked once.
import { parseFieldSelector, type FieldRequirement } from '../../api/fields.js';
import { parseSelector, type Requirement } from '../../api/labels.js';
import { badRequest, StatusError } from '../../api/status.js';
import type { IncludeObject } from './render.js';

export type Query = Record<string, string | string[] | undefined>;

export function one(q: Query, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[0] : v;
}

export function all(q: Query, name: string): string[] {
  const v = q[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Booleans as Go's strconv.ParseBool reads them (the Python client sends `True`). */
export function bool(q: Query, name: string): boolean {
  const v = one(q, name);
  if (v === undefined || v === '') return false;
  if (['1', 't', 'true'].includes(v.toLowerCase())) return true;
  if (['0', 'f', 'false'].includes(v.toLowerCase())) return false;
  throw badRequest(`invalid boolean value for ${name}: "${v}"`);
}

export function int(q: Query, name: string): number | undefined {
  const v = one(q, name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid integer value for ${name}: "${v}"`);
  return Number(v);
}

export function dryRun(q: Query): boolean {
  const values = all(q, 'dryRun');
  for (const v of values) {
    if (v !== 'All') throw new StatusError(400, 'BadRequest', `Invalid dry run value: ${v}; supported values: "All"`);
  }
  return values.length > 0;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidation(q: Query): FieldValidation {
  const v = one(q, 'fieldValidation');
  if (v === undefined || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation parameter unsupported: ${v}`);
}

export interface Selectors {
  labels: Requirement[];
  fields: FieldRequirement[];
}

export function selectors(q: Query): Selectors {
  return { labels: parseSelector(one(q, 'labelSelector')), fields: parseFieldSelector(one(q, 'fieldSelector')) };
}

export function includeObject(q: Query): IncludeObject {
  const v = one(q, 'includeObject');
  if (v === undefined || v === '' || v === 'Metadata') return 'Metadata';
  if (v === 'None' || v === 'Object') return v;
  throw badRequest(`includeObject: unsupported value "${v}"`);
}

// Query parameters shared by the verbs, parsed and checked once.
import { parseFieldSelector, type FieldRequirement } from '../../api/fields.js';
import { parseSelector, type Requirement } from '../../api/labels.js';
import { badRequest, StatusError } from '../../api/status.js';
import { FieldErrors } from '../../api/validation/field-errors.js';
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

/** An int64 parameter; values a double cannot hold exactly are refused like unparsable ones. */
export function int(q: Query, name: string): number | undefined {
  const v = one(q, name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n)) throw badRequest(`invalid integer value for ${name}: "${v.slice(0, 100)}"`);
  return n;
}

/** The longest a watch may be asked to run (Kubernetes has no cap; timers need one): a year. */
export const MAX_WATCH_TIMEOUT_SECONDS = 365 * 24 * 3600;

/** timeoutSeconds of a watch: undefined for the server's default, 0 for "end at once" when negative. */
export function timeoutSeconds(q: Query): number | undefined {
  const t = int(q, 'timeoutSeconds');
  if (t === undefined || t === 0) return undefined;
  return Math.min(Math.max(t, 0), MAX_WATCH_TIMEOUT_SECONDS);
}

function optionsInvalid(kind: string, errs: FieldErrors): void {
  if (!errs.empty) throw invalidOptions(kind, errs);
}

function invalidOptions(kind: string, errs: FieldErrors): StatusError {
  const summary = errs.causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  return new StatusError(422, 'Invalid', `${kind}.meta.k8s.io "" is invalid: ${errs.causes.length > 1 ? `[${summary}]` : summary}`, {
    kind,
    group: 'meta.k8s.io',
    causes: errs.causes,
  });
}

/** ListOptions checks Kubernetes makes before any list or watch (422 ListOptions on failure). */
export function validateListOptions(q: Query, watch: boolean): void {
  const errs = new FieldErrors();
  const match = one(q, 'resourceVersionMatch') ?? '';
  const rv = one(q, 'resourceVersion') ?? '';
  const cont = one(q, 'continue') ?? '';
  const initial = one(q, 'sendInitialEvents');
  if (watch) {
    if (initial !== undefined && match !== 'NotOlderThan') {
      errs.forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    }
    if (match !== '') {
      if (initial === undefined) errs.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
      if (match !== 'NotOlderThan') errs.notSupported('resourceVersionMatch', match, ['NotOlderThan']);
      if (cont !== '') errs.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
    }
  } else {
    if (match !== '') {
      if (rv === '') errs.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided');
      if (cont !== '') errs.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
      if (match !== 'Exact' && match !== 'NotOlderThan') errs.notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']);
      if (match === 'Exact' && rv === '0') errs.forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    }
    if (initial !== undefined) errs.forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list');
  }
  optionsInvalid('ListOptions', errs);
}

export const FIELD_MANAGER_MAX_LENGTH = 128;

/** fieldManager of a create, update or patch: at most 128 bytes, printable characters only. */
export function fieldManager(q: Query, optionsKind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'): string | undefined {
  const v = one(q, 'fieldManager');
  if (v === undefined) return undefined;
  const errs = new FieldErrors();
  if (Buffer.byteLength(v) > FIELD_MANAGER_MAX_LENGTH) errs.tooLong('fieldManager', FIELD_MANAGER_MAX_LENGTH);
  let i = 0;
  for (const ch of v) {
    if (/[\p{C}\p{Z}]/u.test(ch) && ch !== ' ') {
      const cp = ch.codePointAt(0)!;
      errs.invalid('fieldManager', v, `invalid character U+${cp.toString(16).toUpperCase().padStart(4, '0')} (at position ${i})`);
    }
    i += ch.length;
  }
  optionsInvalid(optionsKind, errs);
  return v;
}

/** PatchOptions: `force` only means something for apply patches. */
export function validatePatchOptions(q: Query, isApply: boolean): void {
  const errs = new FieldErrors();
  if (!isApply && one(q, 'force') !== undefined) errs.forbidden('force', 'may not be specified for non-apply patch');
  optionsInvalid('PatchOptions', errs);
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

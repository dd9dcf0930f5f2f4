// Field selectors: `metadata.name=x,status.phase!=Failed`, with backslash escapes, evaluated
// against the fields each resource makes selectable (as Kubernetes' per-kind field sets do).
import { asText } from './codec/values.js';
import type { KindModule } from './kinds/kind.js';
import { storedKind } from './kinds/registry.js';
import { badRequest } from './status.js';
import type { KubeObject } from './types/meta.js';

export interface FieldRequirement {
  field: string;
  negate: boolean;
  value: string;
}

/** Splits on unescaped commas, keeping the escapes for the value's own unescaping. */
function splitTerms(input: string): string[] {
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < input.length; i++) {
    if (input[i] === '\\') i++;
    else if (input[i] === ',') {
      terms.push(input.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(input.slice(start));
  return terms;
}

/** A value's escapes (`\\`, `\,`, `\=`) undone; an unescaped `=` or `,` is an error, as in Kubernetes. */
function unescape(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\') {
      const next = value[i + 1];
      if (next === '\\' || next === ',' || next === '=') {
        out += next;
        i++;
        continue;
      }
      throw badRequest(`invalid field selector: invalid escape sequence: \\${next ?? ''}`);
    }
    if (ch === '=' || ch === ',') throw badRequest(`invalid field selector: unescaped character '${ch}'`);
    out += ch;
  }
  return out;
}

/** Escapes a value for use in a field selector (the inverse of parsing). */
export function escapeFieldValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');
}

const OPERATORS = ['!=', '==', '='] as const;

/**
 * Parses `field=value,field!=value,...` as Kubernetes' field selectors do: the field ends at the
 * first operator (fields have no escapes), the value is unescaped, and nothing is trimmed.
 */
export function parseFieldSelector(input: string | undefined): FieldRequirement[] {
  if (!input) return [];
  const reqs: FieldRequirement[] = [];
  for (const term of splitTerms(input)) {
    if (term === '') continue;
    let idx = -1;
    let op = '';
    for (let i = 0; i < term.length && idx < 0; i++) {
      const found = OPERATORS.find((o) => term.startsWith(o, i));
      if (found) {
        idx = i;
        op = found;
      }
    }
    if (idx < 0) throw badRequest(`invalid field selector: invalid selector: '${input}'; can't understand '${term}'`);
    reqs.push({ field: term.slice(0, idx), negate: op === '!=', value: unescape(term.slice(idx + op.length)) });
  }
  return reqs;
}

type FieldSet = Record<string, string>;

const str = (v: unknown): string => asText(v);

export function selectableFields(resource: string, obj: KubeObject, module?: KindModule): FieldSet {
  const base: FieldSet = { 'metadata.name': str(obj.metadata.name) };
  if (obj.metadata.namespace !== undefined) base['metadata.namespace'] = str(obj.metadata.namespace);
  else base['metadata.namespace'] = '';
  // A custom resource's module comes from its definition; built-in ones are found by resource.
  const extra = (module ?? storedKind(resource))?.selectableFields;
  if (!extra) return base;
  try {
    // Not `{ ...base, ...extra(obj) }`: V8's optimized code gives every object built from two
    // spreads a shape of its own, and the apiserver keeps one of these per cached object.
    return Object.assign(base, extra(obj));
  } catch {
    return base; // a field of an unexpected shape selects nothing rather than failing the request
  }
}

/** Rejects requirements on fields the resource does not support, as Kubernetes does (400). */
export function checkFieldSelector(resource: string, reqs: FieldRequirement[], sample: FieldSet): void {
  for (const r of reqs) {
    if (!(r.field in sample)) {
      throw badRequest(`field label not supported: ${r.field}`);
    }
  }
}

export function fieldsMatch(reqs: FieldRequirement[], fields: FieldSet): boolean {
  for (const r of reqs) {
    const actual = fields[r.field];
    const eq = actual === r.value;
    if (r.negate ? eq : !eq) return false;
  }
  return true;
}

/** The field names a resource supports, for error checks before any object exists. */
export function supportedFields(resource: string, namespaced: boolean, module?: KindModule): FieldSet {
  const blank: KubeObject = { metadata: namespaced ? { name: '', namespace: '' } : { name: '' } };
  return selectableFields(resource, blank, module);
}

// Label selectors: the string form (`a=b,c in (d,e),!f`) and the structured
// LabelSelector form (matchLabels / matchExpressions), both compiled to requirements.
import { badRequest } from './status.js';
import type { LabelSelector, LabelSelectorRequirement } from './types/meta.js';
import { labelValue, qualifiedName } from './validation/names.js';

export type LabelOperator = 'in' | 'notin' | 'exists' | '!' | '=' | '==' | '!=' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

/** A compiled selector; `null` selects nothing, an empty list selects everything. */
export type Selector = Requirement[] | null;

export type { LabelSelector, LabelSelectorRequirement };

export function matches(selector: Selector, labels: Record<string, string> | undefined): boolean {
  if (selector === null) return false;
  const l = labels ?? {};
  for (const r of selector) if (!requirementMatches(r, l)) return false;
  return true;
}

function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(value!);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has) return false;
      const n = Number(value);
      const bound = Number(r.values[0]);
      if (!Number.isInteger(n)) return false;
      return r.operator === 'gt' ? n > bound : n < bound;
    }
  }
}

function fail(message: string): never {
  throw badRequest(`unable to parse requirement: ${message}`);
}

function checkKey(key: string): void {
  const errs = qualifiedName(key);
  if (errs.length) fail(`values[0][${key}]: Invalid value: "${key}": ${errs.join('; ')}`);
}

function checkValue(key: string, value: string): void {
  const errs = labelValue(value);
  if (errs.length) fail(`values[0][${key}]: Invalid value: "${value}": ${errs.join('; ')}`);
}

/** Split on commas that are not inside parentheses. */
function splitTerms(input: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of input) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t, i, all) => t.length > 0 || all.length > 1);
}

/** Parses Kubernetes' label selector string syntax. The empty string selects everything. */
export function parseSelector(input: string | undefined): Requirement[] {
  if (!input || input.trim() === '') return [];
  const requirements: Requirement[] = [];
  for (const term of splitTerms(input)) {
    if (term === '') throw badRequest(`found '', expected: identifier`);
    requirements.push(parseTerm(term));
  }
  return requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function parseTerm(term: string): Requirement {
  if (term.startsWith('!')) {
    const key = term.slice(1).trim();
    checkKey(key);
    return { key, operator: '!', values: [] };
  }
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
  if (set) {
    const key = set[1]!;
    checkKey(key);
    const values = set[3]!.split(',').map((v) => v.trim());
    for (const v of values) checkValue(key, v);
    return { key, operator: set[2] as 'in' | 'notin', values };
  }
  const cmp = /^([^=!<>\s]+)\s*(==|!=|=|>|<)\s*(.*)$/.exec(term);
  if (cmp) {
    const key = cmp[1]!;
    checkKey(key);
    const op = cmp[2]!;
    const value = cmp[3]!.trim();
    if (op === '>' || op === '<') {
      if (!/^-?\d+$/.test(value)) fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
      return { key, operator: op === '>' ? 'gt' : 'lt', values: [value] };
    }
    checkValue(key, value);
    return { key, operator: op as '=' | '==' | '!=', values: [value] };
  }
  if (/\s/.test(term)) fail(`found '${term.split(/\s+/)[1]}', expected: in, notin, =, ==, !=, gt, lt`);
  checkKey(term);
  return { key: term, operator: 'exists', values: [] };
}

/** Compiles a structured LabelSelector; `undefined` (no selector) selects nothing, `{}` everything. */
export function fromLabelSelector(ls: LabelSelector | undefined | null): Selector {
  if (ls === undefined || ls === null) return null;
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(ls.matchLabels ?? {})) reqs.push({ key, operator: '=', values: [value] });
  for (const e of ls.matchExpressions ?? []) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as const)[e.operator];
    if (!op) throw badRequest(`"${e.operator}" is not a valid label selector operator`);
    reqs.push({ key: e.key, operator: op, values: [...(e.values ?? [])] });
  }
  return reqs;
}

/**
 * The selector, or one that selects nothing when it cannot be read (an operator Kubernetes
 * does not know, in an object stored before it was validated): for controllers and the
 * scheduler, which must not fail on what they read.
 */
export function selectorOrNothing(ls: LabelSelector | undefined | null): Selector {
  try {
    return fromLabelSelector(ls);
  } catch {
    return null;
  }
}

/** The canonical string form, as Kubernetes prints it (e.g. in Scale.status.selector). */
export function selectorToString(selector: Selector): string {
  if (!selector) return '';
  return [...selector]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => {
      switch (r.operator) {
        case '=':
        case '==':
          return `${r.key}=${r.values[0]}`;
        case '!=':
          return `${r.key}!=${r.values[0]}`;
        case 'in':
        case 'notin':
          return `${r.key} ${r.operator} (${[...r.values].sort().join(',')})`;
        case 'exists':
          return r.key;
        case '!':
          return `!${r.key}`;
        case 'gt':
          return `${r.key}>${r.values[0]}`;
        case 'lt':
          return `${r.key}<${r.values[0]}`;
      }
    })
    .join(',');
}

export function labelSelectorToString(ls: LabelSelector | undefined): string {
  return selectorToString(fromLabelSelector(ls));
}

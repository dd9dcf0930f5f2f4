// A CEL expression's worst-case cost, estimated before it is admitted, as Kubernetes bounds
// validation rules: every step costs 1, and a comprehension (all, exists, exists_one, map,
// filter) costs its body once per element of the largest list or map the schema allows. A
// collection without maxItems / maxProperties / maxLength is as large as a 3 MiB request can
// make it (Kubernetes' estimate from the smallest serialized element), so nested loops over
// unbounded lists are refused, not run.
import { isObject } from '../codec/values.js';
import type { JSONSchemaProps } from '../custom-resources/structural-schema.js';

const isSchema = (s: unknown): s is JSONSchemaProps => isObject(s);
import { argsOf, isNode, type AstNode } from './ast.js';
import { escapeFieldName, withTypeAndObjectMeta } from './schema-types.js';

/** Kubernetes' largest request body, which bounds every value an expression sees. */
export const MAX_REQUEST_BYTES = 3 * 1024 * 1024;
/** Largest estimated cost of one rule (times how often its node can occur). */
export const RULE_COST_LIMIT = 10_000_000;
/** Largest estimated cost of all the rules of one schema. */
export const SCHEMA_COST_LIMIT = 100_000_000;

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
/** Functions whose result is no larger than their receiver. */
const SIZE_KEEPING = new Set(['substring', 'lowerAscii', 'upperAscii', 'trim', 'reverse', 'charAt', 'find']);
const STRING_SCANS = new Set(['matches', 'matchesRE2', 'find', 'findAll', 'contains', 'indexOf', 'lastIndexOf', 'split', 'replace', 'lowerAscii', 'upperAscii', 'trim', 'reverse', 'format', 'join']);

/** The smallest JSON a value of this schema can serialize to. */
export function minSerializedSize(s: JSONSchemaProps | undefined, depth = 0): number {
  if (!isSchema(s) || depth > 32) return 1;
  if (s['x-kubernetes-int-or-string']) return 1;
  switch (s.type) {
    case 'string':
      return s.format === 'date-time' ? 22 : s.format === 'date' ? 12 : s.format === 'duration' ? 4 : 2;
    case 'boolean':
      return 4;
    case 'integer':
    case 'number':
      return 1;
    case 'object': {
      let size = 2;
      for (const r of s.required ?? []) {
        const p = s.properties?.[r];
        if (p && p.default === undefined) size += r.length + 4 + minSerializedSize(p, depth + 1);
      }
      return size;
    }
    default:
      return 2;
  }
}

const fromMinSize = (min: number) => Math.floor((MAX_REQUEST_BYTES - 2) / (min + 1));

/** How many elements (or characters) a value of this schema can have at most. */
export function maxSize(s: JSONSchemaProps | undefined): number {
  if (!isSchema(s)) return fromMinSize(1);
  if (s.type === 'array') return s.maxItems ?? fromMinSize(minSerializedSize(s.items));
  if (s.type === 'object') {
    if (s.maxProperties !== undefined) return s.maxProperties;
    if (isSchema(s.additionalProperties)) return fromMinSize(minSerializedSize(s.additionalProperties as JSONSchemaProps) + 3);
    return Object.keys(s.properties ?? {}).length;
  }
  if (s.type === 'string' && s.maxLength !== undefined) return s.maxLength;
  if (s.type === 'string' && s.enum?.length) return Math.max(...s.enum.map((e) => String(e).length));
  return MAX_REQUEST_BYTES - 2;
}

interface Desc {
  schema?: JSONSchemaProps;
  root?: boolean;
}

function element(d: Desc | undefined): Desc | undefined {
  const s = d?.schema;
  if (!isSchema(s)) return undefined;
  if (s.type === 'array' && isSchema(s.items)) return { schema: s.items, root: s.items['x-kubernetes-embedded-resource'] === true };
  if (s.type === 'object' && isSchema(s.additionalProperties)) return { schema: { type: 'string' } };
  return undefined;
}

function member(d: Desc | undefined, name: unknown, indexed: boolean): Desc | undefined {
  let s = d?.schema;
  if (!isSchema(s)) return undefined;
  if (d?.root) s = withTypeAndObjectMeta(s);
  if (indexed && s.type === 'array' && isSchema(s.items)) return { schema: s.items };
  if (isSchema(s.additionalProperties)) return { schema: s.additionalProperties as JSONSchemaProps };
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    if (escapeFieldName(k) === name || k === name) return { schema: p, root: isSchema(p) && p['x-kubernetes-embedded-resource'] === true };
  }
  return undefined;
}

/**
 * The estimated worst-case cost of an expression whose variables have the given schemas
 * (`self` -> the rule's node).
 */
export function estimateCost(ast: unknown, vars: Record<string, Desc>): number {
  const scope = new Map<string, Desc>(Object.entries(vars));
  const visit = (v: unknown): { cost: number; desc?: Desc } => {
    if (Array.isArray(v)) return { cost: v.reduce((sum: number, x) => sum + visit(x).cost, 0) };
    if (!isNode(v)) return { cost: 0 };
    const node = v as AstNode;
    const args = argsOf(node);
    switch (node.op) {
      case 'value':
        return { cost: 0 };
      case 'id':
        return { cost: 1, desc: scope.get(String(node.args)) };
      case '.':
      case '.?': {
        const target = visit(args[0]);
        return { cost: target.cost + 1, desc: member(target.desc, args[1], false) };
      }
      case '[]':
      case '[?]': {
        const target = visit(args[0]);
        return { cost: target.cost + visit(args[1]).cost + 1, desc: member(target.desc, undefined, true) };
      }
      case 'rcall': {
        const [name, receiver, callArgs] = args as [string, unknown, unknown[]];
        const range = visit(receiver);
        if (MACROS.has(name) && Array.isArray(callArgs) && callArgs.length >= 2 && isNode(callArgs[0]) && callArgs[0].op === 'id') {
          const iterations = maxSize(range.desc?.schema);
          const variable = String(callArgs[0].args);
          const saved = scope.get(variable);
          scope.set(variable, element(range.desc) ?? {});
          const body = callArgs.slice(1).reduce((sum: number, x) => sum + visit(x).cost, 0);
          if (saved) scope.set(variable, saved);
          else scope.delete(variable);
          return { cost: range.cost + iterations * (body + 1) };
        }
        const scan = STRING_SCANS.has(name) ? Math.ceil(maxSize(range.desc?.schema ?? { type: 'string' }) / 10) : 0;
        return { cost: range.cost + visit(callArgs).cost + 1 + scan, ...(SIZE_KEEPING.has(name) && range.desc ? { desc: range.desc } : {}) };
      }
      default:
        return { cost: args.reduce((sum: number, x) => sum + visit(x).cost, 0) + 1 };
    }
  };
  return visit(ast).cost;
}

/** Kubernetes' wording of a cost over its limit. */
export function costErrorMessage(what: string, cost: number, limit: number): string {
  const factor = cost / limit;
  const shown = factor > 100 ? 'more than 100x' : factor < 1.5 ? `${factor.toFixed(6)}x` : `${factor.toFixed(1)}x`;
  return `${what} exceeds budget by factor of ${shown} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}

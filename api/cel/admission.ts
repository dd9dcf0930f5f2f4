// CEL for admission: the expressions of ValidatingAdmissionPolicies (validations, their
// messageExpressions, audit annotations, variables, match conditions) and of admission
// webhooks' match conditions. They see what Kubernetes gives them: `object` and `oldObject`
// (null where there is none), `request` (the AdmissionRequest's fields), `params` (the binding's
// parameter object, or null), `namespaceObject` and `variables`.
import { isObject } from '../codec/values.js';
import { AUTHORIZER_TYPE } from './authorizer-library.js';
import { compilerFor, type CompiledExpression } from './environment.js';

export type { CompiledExpression };

const VARIABLES = ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'variables', 'authorizer'];

const compileAdmission = compilerFor(VARIABLES, (typed) => {
  for (const name of VARIABLES) typed.registerVariable(name, name === 'variables' ? 'map<string, dyn>' : name === 'authorizer' ? AUTHORIZER_TYPE : 'dyn');
});

/** Compiles an admission expression; throws CelCompileError (cel-go's wording). */
export function compileAdmissionExpression(source: string): CompiledExpression {
  return compileAdmission(source);
}

/** A JSON value as CEL sees it: whole numbers as ints, objects with own keys only. */
export function jsonToCel(v: unknown, depth = 0): unknown {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : v;
  if (v === null || typeof v !== 'object' || depth > 100) return v ?? null;
  if (Array.isArray(v)) return v.map((x) => jsonToCel(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    Object.defineProperty(out, k, { value: jsonToCel(x, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The namespace as policies see it: metadata, spec and status only. */
export function namespaceObjectOf(ns: Record<string, unknown> | undefined): unknown {
  if (!isObject(ns)) return null;
  return jsonToCel({ apiVersion: 'v1', kind: 'Namespace', metadata: ns.metadata, spec: ns.spec ?? {}, status: ns.status ?? {} });
}

export interface CompiledCondition {
  name: string;
  source: string;
  expr: CompiledExpression;
}

/**
 * Match conditions as Kubernetes judges them: any false means no match; otherwise errors, if
 * any, are returned for the caller's failure policy to decide.
 */
export function judgeConditions(conditions: CompiledCondition[], vars: Record<string, unknown>): { matches: boolean; errors: string[] } {
  const errors: string[] = [];
  for (const c of conditions) {
    let result: unknown;
    try {
      result = c.expr.evaluate(vars);
    } catch (err) {
      errors.push(`expression '${c.source}' resulted in error: ${(err as Error).message}`);
      continue;
    }
    if (result === false) return { matches: false, errors: [] };
    if (result !== true) errors.push(`expression '${c.source}' resulted in error: no such overload`);
  }
  return { matches: true, errors };
}

/** Compiles a list of match conditions (compiled once per configuration version by callers). */
export function compileConditions(conditions: Array<{ name?: unknown; expression?: unknown }>): CompiledCondition[] {
  return conditions.map((c) => ({ name: String(c.name), source: String(c.expression), expr: compileAdmissionExpression(String(c.expression)) }));
}

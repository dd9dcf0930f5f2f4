// x-kubernetes-validations: the CEL rules a CRD's schema carries, compiled when the CRD is
// written (problems are the CRD's validation errors, in Kubernetes' words) and run on every
// create and update of its objects, as Kubernetes' apiextensions server runs them:
//
// - `self` is the value at the rule's node; `oldSelf` its previous value on updates, found by
//   property name, map key, or the keys of a `x-kubernetes-list-type: map` list. A rule that
//   names oldSelf (a transition rule) runs only where a previous value exists, unless
//   `optionalOldSelf` makes oldSelf an optional.
// - A failing rule reports `message`, else `messageExpression`'s result, else
//   `failed rule: <rule>`, at the node (or at `fieldPath` under it), as Invalid (or the
//   rule's `reason`).
// - Ratcheting: on update, a rule that does not name oldSelf and fails on a value that did not
//   change is not an error (an object written before the rule existed can still be updated).
// - Rules do not run when the object already failed its schema's type, required, enum or
//   size checks (api/validation/kinds.ts).
import type { Environment } from '@marcbachmann/cel-js';
import { Optional } from '@marcbachmann/cel-js';
import { deepEqual, isObject } from '../codec/values.js';
import { usesVariable } from '../cel/ast.js';
import { CelCompileError, compile, newEnvironment, type CompiledExpression } from '../cel/environment.js';
import { costErrorMessage, estimateCost, maxSize, RULE_COST_LIMIT, SCHEMA_COST_LIMIT } from '../cel/cost.js';
import { declareTypes, toCel } from '../cel/schema-types.js';
import type { FieldErrors } from '../validation/field-errors.js';
import { previousListItems, type JSONSchemaProps } from './structural-schema.js';

export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

const REASONS = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];

type Schema = JSONSchemaProps;

interface CompiledRule {
  rule: ValidationRule;
  program: CompiledExpression;
  message?: CompiledExpression;
  usesOldSelf: boolean;
  fieldPath?: string;
}

/** The rules of one schema node and of the nodes below it that have any. */
interface RuleNode {
  schema: Schema;
  resourceRoot: boolean;
  rules: CompiledRule[];
  properties: Map<string, RuleNode>;
  items?: RuleNode;
  additionalProperties?: RuleNode;
}

/** A problem with a CRD's rules: where (under the schema's path) and what. */
export interface RuleProblem {
  field: string;
  kind: 'required' | 'invalid' | 'forbidden' | 'notSupported';
  value?: unknown;
  shown?: string;
  detail: string;
}

/** A Go-syntax rendering of a rule, as Kubernetes shows the rule a compile error is about. */
function goRule(r: ValidationRule): string {
  const q = (s: string | undefined) => JSON.stringify(s ?? '');
  return `apiextensions.ValidationRule{Rule:${q(r.rule)}, Message:${q(r.message)}, MessageExpression:${q(r.messageExpression)}, Reason:${r.reason ? `"${r.reason}"` : '(*apiextensions.FieldValueErrorReason)(nil)'}, FieldPath:${q(r.fieldPath)}, OptionalOldSelf:${r.optionalOldSelf === undefined ? '(*bool)(nil)' : `${r.optionalOldSelf}`}}`;
}

/** A rule's fieldPath (`.spec.x`, `['a.b']`) as a field path under the node, or why it is not one. */
export function normalizeFieldPath(path: string, schema: Schema): string | undefined {
  let s: Schema | undefined = schema;
  let out = '';
  const re = /\.([^.[\]]+)|\['((?:[^'\\]|\\.)*)'\]/y;
  let at = 0;
  while (at < path.length) {
    re.lastIndex = at;
    const m = re.exec(path);
    if (!m || !s) return undefined;
    at = re.lastIndex;
    const name = m[1] ?? m[2]!.replace(/\\(.)/g, '$1');
    if (s.properties) {
      if (!Object.hasOwn(s.properties, name)) return undefined;
      s = s.properties[name];
      out += out ? `.${name}` : name;
    } else if (isObject(s.additionalProperties)) {
      s = s.additionalProperties as Schema;
      out += `[${name}]`;
    } else return undefined;
  }
  return out;
}

function childPath(path: string, key: string): string {
  return path === '<nil>' ? key : `${path}.${key}`;
}

interface CompileState {
  typed: Environment;
  untyped: Environment;
  types: Map<object, string>;
  problems: RuleProblem[];
  totalCost: number;
  costs: Array<{ field: string; cost: number }>;
}

function compileRules(s: Schema, resourceRoot: boolean, at: string, cardinality: number, st: CompileState): CompiledRule[] {
  const rules = s['x-kubernetes-validations'] as ValidationRule[] | undefined;
  if (!Array.isArray(rules) || rules.length === 0) return [];
  const out: CompiledRule[] = [];
  const type = st.types.get(s);
  rules.forEach((r, i) => {
    const where = `${at}.x-kubernetes-validations[${i}]`;
    if (!isObject(r)) return st.problems.push({ field: where, kind: 'required', detail: 'rule is not specified' });
    const rule = r as unknown as ValidationRule;
    const source = typeof rule.rule === 'string' ? rule.rule.trim() : '';
    const message = typeof rule.message === 'string' ? rule.message : undefined;
    let schemaProblem = false;
    const problem = (p: RuleProblem) => {
      schemaProblem = true;
      st.problems.push(p);
    };
    if (!source) problem({ field: `${where}.rule`, kind: 'required', detail: 'rule is not specified' });
    else if (message !== undefined && message.length > 0 && !message.trim()) problem({ field: `${where}.message`, kind: 'invalid', value: message, detail: 'message must be non-empty if specified' });
    else if (message !== undefined && /\n/.test(message.trim())) problem({ field: `${where}.message`, kind: 'invalid', value: message, detail: 'message must not contain line breaks' });
    else if (/\n/.test(source) && !message?.trim()) problem({ field: `${where}.message`, kind: 'required', detail: 'message must be specified if rule contains line breaks' });
    if (typeof rule.messageExpression === 'string' && rule.messageExpression.length > 0 && !rule.messageExpression.trim()) {
      problem({ field: `${where}.messageExpression`, kind: 'required', detail: 'messageExpression must be non-empty if specified' });
    }
    if (rule.reason !== undefined && !REASONS.includes(rule.reason)) problem({ field: `${where}.reason`, kind: 'notSupported', value: rule.reason, detail: REASONS.join(',') });
    let fieldPath: string | undefined;
    if (typeof rule.fieldPath === 'string' && rule.fieldPath.length > 0) {
      if (!rule.fieldPath.trim()) problem({ field: `${where}.fieldPath`, kind: 'invalid', value: rule.fieldPath, detail: 'fieldPath must be non-empty if specified' });
      else if (/\n/.test(rule.fieldPath)) problem({ field: `${where}.fieldPath`, kind: 'invalid', value: rule.fieldPath, detail: 'fieldPath must not contain line breaks' });
      else {
        fieldPath = normalizeFieldPath(rule.fieldPath.trim(), s);
        if (fieldPath === undefined) problem({ field: `${where}.fieldPath`, kind: 'invalid', value: rule.fieldPath, detail: 'fieldPath must be a valid path' });
      }
    }
    if (schemaProblem || !source) return;
    if (type === undefined) {
      st.problems.push({ field: `${where}.rule`, kind: 'invalid', shown: goRule(rule), detail: 'compilation failed: the schema at this node has no type CEL can use' });
      return;
    }
    const oldSelf = usesVariable(safeParse(st.untyped, source), 'oldSelf');
    const env = st.typed.clone({ enableOptionalTypes: true, homogeneousAggregateLiterals: false });
    env.registerVariable('self', type);
    env.registerVariable('oldSelf', rule.optionalOldSelf === true ? `optional<${type}>` : type);
    let program: CompiledExpression;
    try {
      program = compile(source, env, st.untyped);
    } catch (err) {
      st.problems.push({ field: `${where}.rule`, kind: 'invalid', shown: goRule(rule), detail: `compilation failed: ${(err as Error).message}` });
      return;
    }
    if (program.type !== 'bool') {
      st.problems.push({ field: `${where}.rule`, kind: 'invalid', shown: goRule(rule), detail: 'cel expression must evaluate to a bool' });
      return;
    }
    const cost = estimateCost(program.ast, { self: { schema: s, root: resourceRoot }, oldSelf: { schema: s, root: resourceRoot } }) * cardinality;
    if (cost > RULE_COST_LIMIT) st.problems.push({ field: `${where}.rule`, kind: 'forbidden', detail: costErrorMessage('estimated rule cost', cost, RULE_COST_LIMIT) });
    st.totalCost += cost;
    st.costs.push({ field: `${where}.rule`, cost });
    let messageProgram: CompiledExpression | undefined;
    if (typeof rule.messageExpression === 'string' && rule.messageExpression.trim()) {
      try {
        messageProgram = compile(rule.messageExpression, env, st.untyped);
        if (messageProgram.type !== 'string') throw new CelCompileError('messageExpression must evaluate to a string');
      } catch (err) {
        const detail = err instanceof CelCompileError && err.message === 'messageExpression must evaluate to a string' ? err.message : `messageExpression compilation failed: ${(err as Error).message}`;
        st.problems.push({ field: `${where}.messageExpression`, kind: 'invalid', shown: goRule(rule), detail });
        messageProgram = undefined;
      }
    }
    if (!oldSelf && rule.optionalOldSelf !== undefined) {
      st.problems.push({ field: `${where}.optionalOldSelf`, kind: 'invalid', value: rule.optionalOldSelf, detail: 'may not be set if oldSelf is not used in rule' });
    }
    out.push({ rule: { ...rule, rule: source }, program, ...(messageProgram ? { message: messageProgram } : {}), usesOldSelf: oldSelf, ...(fieldPath ? { fieldPath } : {}) });
  });
  return out;
}

function safeParse(env: Environment, source: string): unknown {
  try {
    return env.parse(source).ast;
  } catch {
    return undefined;
  }
}

function buildNode(s: Schema, resourceRoot: boolean, at: string, cardinality: number, st: CompileState, depth: number): RuleNode | undefined {
  if (!isObject(s) || depth > 64) return undefined;
  const node: RuleNode = { schema: s, resourceRoot, rules: compileRules(s, resourceRoot, at, cardinality, st), properties: new Map() };
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    const child = buildNode(p as Schema, isObject(p) && p['x-kubernetes-embedded-resource'] === true, `${at}.properties[${k}]`, cardinality, st, depth + 1);
    if (child) node.properties.set(k, child);
  }
  if (isObject(s.items)) {
    node.items = buildNode(s.items as Schema, s.items['x-kubernetes-embedded-resource'] === true, `${at}.items`, cardinality * maxSize(s), st, depth + 1);
  }
  if (isObject(s.additionalProperties)) {
    const ap = s.additionalProperties as Schema;
    node.additionalProperties = buildNode(ap, ap['x-kubernetes-embedded-resource'] === true, `${at}.additionalProperties`, cardinality * maxSize(s), st, depth + 1);
  }
  const empty = node.rules.length === 0 && node.properties.size === 0 && !node.items && !node.additionalProperties;
  return empty ? undefined : node;
}

function hasRules(s: unknown, depth = 0): boolean {
  if (!isObject(s) || depth > 64) return false;
  const schema = s as Schema;
  if (Array.isArray(schema['x-kubernetes-validations']) && schema['x-kubernetes-validations'].length > 0) return true;
  return Object.values(schema.properties ?? {}).some((p) => hasRules(p, depth + 1)) || hasRules(schema.items, depth + 1) || hasRules(schema.additionalProperties, depth + 1);
}

/** The rules of a CRD version's schema, compiled; `problems` lists what is wrong with them. */
export function compileSchemaRules(schema: JSONSchemaProps, at: string): { validator?: RuleValidator; problems: RuleProblem[] } {
  if (!hasRules(schema)) return { problems: [] };
  const typed = newEnvironment();
  const types = new Map<object, string>();
  declareTypes(typed, schema, true, 'object', types);
  const untyped = newEnvironment().registerVariable('self', 'dyn').registerVariable('oldSelf', 'dyn');
  const st: CompileState = { typed, untyped, types, problems: [], totalCost: 0, costs: [] };
  const root = buildNode(schema as Schema, true, at, 1, st, 0);
  if (st.totalCost > SCHEMA_COST_LIMIT) {
    for (const c of st.costs.sort((a, b) => b.cost - a.cost).slice(0, 4)) st.problems.push({ field: c.field, kind: 'forbidden', detail: 'contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema' });
    st.problems.push({ field: at, kind: 'forbidden', detail: costErrorMessage('x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema', st.totalCost, SCHEMA_COST_LIMIT) });
  }
  return { ...(root ? { validator: new RuleValidator(root) } : {}), problems: st.problems };
}

/** Records compile problems as a CRD's field errors. */
export function reportRuleProblems(problems: RuleProblem[], errs: FieldErrors): void {
  for (const p of problems) {
    if (p.kind === 'required') errs.required(p.field, p.detail);
    else if (p.kind === 'forbidden') errs.forbidden(p.field, p.detail);
    else if (p.kind === 'notSupported') errs.notSupported(p.field, p.value, p.detail.split(','));
    else if (p.shown !== undefined) errs.invalidShown(p.field, p.shown, p.detail);
    else errs.invalid(p.field, p.value, p.detail);
  }
}

/** Runs a CRD version's compiled rules on an object (and its previous version on update). */
export class RuleValidator {
  constructor(private readonly root: RuleNode) {}

  validate(obj: unknown, old: unknown, errs: FieldErrors): void {
    this.visit(this.root, obj, old, '<nil>', errs, old !== undefined, 0);
  }

  private visit(node: RuleNode, value: unknown, old: unknown, path: string, errs: FieldErrors, correlated: boolean, depth: number): void {
    if (value === undefined || value === null || depth > 100) return;
    if (node.rules.length > 0) this.runRules(node, value, correlated ? old : undefined, path, errs, correlated && old !== undefined && deepEqual(value, old));
    const s = node.schema;
    if (Array.isArray(value)) {
      if (!node.items) return;
      const previous = correlated ? previousListItems(s, old) : undefined;
      value.forEach((item, i) => {
        const before = previous?.(item);
        this.visit(node.items!, item, before?.old, `${path}[${i}]`, errs, before !== undefined, depth + 1);
      });
      return;
    }
    if (!isObject(value)) return;
    const oldMap = correlated && isObject(old) ? old : undefined;
    for (const [k, child] of node.properties) {
      if (!Object.hasOwn(value, k)) continue;
      const before = oldMap && Object.hasOwn(oldMap, k) ? oldMap[k] : undefined;
      this.visit(child, value[k], before, childPath(path, k), errs, before !== undefined, depth + 1);
    }
    if (node.additionalProperties) {
      for (const [k, v] of Object.entries(value)) {
        const before = oldMap && Object.hasOwn(oldMap, k) ? oldMap[k] : undefined;
        this.visit(node.additionalProperties, v, before, `${path}[${k}]`, errs, before !== undefined, depth + 1);
      }
    }
  }

  private runRules(node: RuleNode, value: unknown, old: unknown, path: string, errs: FieldErrors, unchanged: boolean): void {
    const s = node.schema;
    const shownType = s['x-kubernetes-int-or-string'] ? '' : (s.type ?? '');
    let self: unknown;
    let oldSelf: unknown;
    const selfValue = () => (self ??= toCel(value, s, node.resourceRoot));
    const oldValue = () => (oldSelf ??= old === undefined ? undefined : toCel(old, s, node.resourceRoot));
    for (const compiled of node.rules) {
      const { rule } = compiled;
      if (compiled.usesOldSelf && old === undefined && rule.optionalOldSelf !== true) continue;
      const vars: Record<string, unknown> = { self: selfValue() };
      if (compiled.usesOldSelf) vars.oldSelf = rule.optionalOldSelf === true ? (old === undefined ? Optional.none() : Optional.of(oldValue())) : oldValue();
      let result: unknown;
      try {
        result = compiled.program.evaluate(vars);
      } catch (err) {
        const message = (err as Error).message;
        const ruleText = rule.message?.trim() || rule.rule;
        if (message === 'no such overload') errs.invalid(path, shownType, `'no such overload': call arguments did not match a supported operator, function or macro signature for rule: ${ruleText}`);
        else errs.invalid(path, shownType, `${message} evaluating rule: ${ruleText}`);
        continue;
      }
      if (result === true) continue;
      // Ratcheting: an unchanged value keeps passing rules that do not look at its past.
      if (!compiled.usesOldSelf && unchanged) continue;
      const at = compiled.fieldPath ? childPath(path, compiled.fieldPath) : path;
      const detail = this.message(compiled, vars) ?? (rule.message?.trim() || `failed rule: ${rule.rule}`);
      switch (rule.reason) {
        case 'FieldValueForbidden':
          errs.forbidden(at, detail);
          break;
        case 'FieldValueRequired':
          errs.required(at, detail);
          break;
        case 'FieldValueDuplicate':
          errs.duplicate(at, shownType);
          break;
        default:
          errs.invalid(at, shownType, detail);
      }
    }
  }

  /** messageExpression's result, when it gives a usable message (Kubernetes falls back otherwise). */
  private message(compiled: CompiledRule, vars: Record<string, unknown>): string | undefined {
    if (!compiled.message) return undefined;
    try {
      const m = compiled.message.evaluate(vars);
      if (typeof m !== 'string') return undefined;
      const trimmed = m.trim();
      if (!trimmed || trimmed.length > 5 * 1024 || /\n/.test(trimmed)) return undefined;
      return trimmed;
    } catch {
      return undefined;
    }
  }
}

// A ValidatingAdmissionPolicy's expressions checked against the kinds it matches, as
// Kubernetes' type checker does for status.typeChecking: for each group/version/resource its
// rules name without wildcards, `object` and `oldObject` take that kind's schema (and `params`
// its paramKind's, when built in), and each validation's expression and messageExpression is
// compiled; what does not compile becomes a warning ("apps/v1, Kind=Deployment: ERROR: ...").
import type { Environment } from '@marcbachmann/cel-js';
import { kinds } from '../kinds/index.js';
import type { KindModule } from '../kinds/kind.js';
import type { Schema } from '../schema/dsl.js';
import { AUTHORIZER_TYPE } from './authorizer-library.js';
import { compile, newEnvironment } from './environment.js';
import { celEquals } from './schema-types.js';

export interface ExpressionWarning {
  fieldRef: string;
  warning: string;
}

type Obj = Record<string, any>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/** Declares the object types a kind's schema needs; returns the CEL type of the root. */
function declare(env: Environment, schema: Schema, prefix: string): string {
  let n = 0;
  const visit = (s: Schema, depth: number): string => {
    if (depth > 48) return 'dyn';
    switch (s.t) {
      case 'string':
      case 'quantity':
        return 'string';
      case 'integer':
      case 'int32':
        return 'int';
      case 'number':
        return 'double';
      case 'boolean':
        return 'bool';
      case 'time':
        return 'google.protobuf.Timestamp';
      case 'bytes':
        return 'bytes';
      case 'array':
        return `list<${visit(s.items, depth + 1)}>`;
      case 'map':
        return `map<string, ${visit(s.values, depth + 1)}>`;
      case 'object': {
        // Parts described only in outline keep fields of their own: those are dyn, not refused.
        if (s.open) return 'dyn';
        const fields: Record<string, string> = {};
        for (const [k, v] of Object.entries(s.props)) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) fields[k] = visit(v, depth + 1);
        const name = `${prefix}${n++}`;
        env.registerType(name, { fields });
        env.registerOperator(`${name} == ${name}`, celEquals);
        return name;
      }
      default:
        return 'dyn';
    }
  };
  return visit(schema, 0);
}

const gv = (k: Pick<KindModule, 'group' | 'version'>) => (k.group ? `${k.group}/${k.version}` : k.version);

function modulesFor(rules: Obj[]): KindModule[] {
  const out = new Set<KindModule>();
  for (const r of rules) {
    const groups = list(r.apiGroups) as unknown as string[];
    const versions = list(r.apiVersions) as unknown as string[];
    const resources = list(r.resources) as unknown as string[];
    if ([...groups, ...versions, ...resources].some((x) => String(x).includes('*'))) continue;
    for (const k of kinds) {
      if (groups.includes(k.group) && versions.includes(k.version) && resources.includes(k.plural) && k.schema) out.add(k);
    }
  }
  return [...out];
}

/** The warnings of a policy's expressions (empty when every one compiles against every kind). */
export function typeCheckPolicy(spec: Obj): ExpressionWarning[] {
  const targets = modulesFor(list(spec.matchConstraints?.resourceRules));
  const paramKind = spec.paramKind as Obj | undefined;
  const paramModule = paramKind ? kinds.find((k) => gv(k) === paramKind.apiVersion && k.kind === paramKind.kind) : undefined;
  const envs = targets.map((k) => {
    const env = newEnvironment();
    const objectType = declare(env, k.schema!, 'object');
    const paramsType = paramModule?.schema ? declare(env, paramModule.schema, 'params') : 'dyn';
    const typed = env.clone({ enableOptionalTypes: true, homogeneousAggregateLiterals: false });
    typed.registerVariable('object', objectType);
    typed.registerVariable('oldObject', objectType);
    if (paramKind) typed.registerVariable('params', paramsType);
    for (const name of ['request', 'namespaceObject']) typed.registerVariable(name, 'dyn');
    typed.registerVariable('authorizer', AUTHORIZER_TYPE);
    typed.registerVariable('variables', 'map<string, dyn>');
    const untyped = newEnvironment();
    for (const name of ['object', 'oldObject', 'params', 'request', 'namespaceObject', 'authorizer', 'variables']) untyped.registerVariable(name, 'dyn');
    return { gvk: `${gv(k)}, Kind=${k.kind}`, typed, untyped };
  });
  const check = (source: unknown): string => {
    if (typeof source !== 'string' || !source.trim()) return '';
    const issues: string[] = [];
    for (const e of envs) {
      try {
        compile(source, e.typed, e.untyped);
      } catch (err) {
        issues.push(`${e.gvk}: ${(err as Error).message}\n`);
      }
    }
    return issues.join('\n');
  };
  const warnings: ExpressionWarning[] = [];
  list(spec.validations).forEach((v, i) => {
    const expression = check(v.expression);
    if (expression) warnings.push({ fieldRef: `spec.validations[${i}].expression`, warning: expression });
    const message = check(v.messageExpression);
    if (message) warnings.push({ fieldRef: `spec.validations[${i}].messageExpression`, warning: message });
  });
  return warnings;
}

// A ValidatingAdmissionPolicy's expressions checked against the kinds it matches, as
// Kubernetes' type checker does for status.typeChecking: for each group/version/resource its
// rules name without wildcards, `object` and `oldObject` take that kind's schema (and `params`
// its paramKind's, when built in), and each validation's expression and messageExpression is
// compiled; what does not compile becomes a warning ("apps/v1, Kind=Deployment: ERROR: ...").
// Custom resources are checked against their definition's schema when the caller has found it
// (with the full ObjectMeta, as policies see every object's metadata).
import type { Environment } from '@marcbachmann/cel-js';
import { kinds } from '../kinds/index.js';
import type { KindModule } from '../kinds/kind.js';
import type { Schema } from '../schema/dsl.js';
import { AUTHORIZER_TYPE } from './authorizer-library.js';
import { compile, newEnvironment } from './environment.js';
import type { JSONSchemaProps } from '../custom-resources/structural-schema.js';
import { celEquals, declareTypes, escapeFieldName } from './schema-types.js';

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
      case 'microTime':
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

/** A custom resource's version as its definition describes it. */
export interface CustomKindSchema {
  group: string;
  version: string;
  kind: string;
  schema: JSONSchemaProps;
}

/** The custom resources a policy's rules name exactly (group/version/resource), which built-in kinds do not serve. */
export function customResourcesNamed(spec: Obj): Array<{ group: string; version: string; resource: string }> {
  const out = new Map<string, { group: string; version: string; resource: string }>();
  for (const r of list(spec.matchConstraints?.resourceRules)) {
    const groups = list(r.apiGroups) as unknown as string[];
    const versions = list(r.apiVersions) as unknown as string[];
    const resources = list(r.resources) as unknown as string[];
    if ([...groups, ...versions, ...resources].some((x) => String(x).includes('*'))) continue;
    for (const group of groups) {
      for (const version of versions) {
        for (const resource of resources) {
          if (resource.includes('/') || kinds.some((k) => k.group === group && k.version === version && k.plural === resource)) continue;
          out.set(`${group}/${version}/${resource}`, { group, version, resource });
        }
      }
    }
  }
  return [...out.values()];
}

/** Declares a custom resource's object type: its schema's fields, and the ObjectMeta every object has. */
function declareCustom(env: Environment, c: CustomKindSchema, prefix: string): string {
  const fields: Record<string, string> = { apiVersion: 'string', kind: 'string' };
  const meta = kinds.find((k) => k.group === '' && k.kind === 'ConfigMap')?.schema;
  if (meta?.t === 'object' && meta.props.metadata) fields.metadata = declare(env, meta.props.metadata, `${prefix}meta`);
  let n = 0;
  for (const [name, prop] of Object.entries(c.schema.properties ?? {})) {
    if (name === 'apiVersion' || name === 'kind' || name === 'metadata') continue;
    const escaped = escapeFieldName(name);
    const t = declareTypes(env, prop, false, `${prefix}${n++}_`);
    if (escaped !== undefined && t !== undefined) fields[escaped] = t;
  }
  env.registerType(prefix, { fields });
  env.registerOperator(`${prefix} == ${prefix}`, celEquals);
  return prefix;
}

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

/**
 * The warnings of a policy's expressions (empty when every one compiles against every kind).
 * `custom`: the custom resources of customResourcesNamed(spec) whose definitions were found.
 */
export function typeCheckPolicy(spec: Obj, custom: CustomKindSchema[] = []): ExpressionWarning[] {
  const targets: Array<{ gvk: string; declareObject: (env: Environment) => string }> = [
    ...modulesFor(list(spec.matchConstraints?.resourceRules)).map((k) => ({ gvk: `${gv(k)}, Kind=${k.kind}`, declareObject: (env: Environment) => declare(env, k.schema!, 'object') })),
    ...custom.map((c) => ({ gvk: `${c.group}/${c.version}, Kind=${c.kind}`, declareObject: (env: Environment) => declareCustom(env, c, 'customobject') })),
  ];
  const paramKind = spec.paramKind as Obj | undefined;
  const paramModule = paramKind ? kinds.find((k) => gv(k) === paramKind.apiVersion && k.kind === paramKind.kind) : undefined;
  const envs = targets.map((k) => {
    const env = newEnvironment();
    const objectType = k.declareObject(env);
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
    return { gvk: k.gvk, typed, untyped };
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

// CEL as Kubernetes runs it: one base environment (the language, optional types, Kubernetes'
// libraries), expressions compiled once against declared variable types, and errors worded
// as cel-go words them ("ERROR: <input>:1:6: undefined field 'z'").
//
// Each expression is checked against typed declarations (field names and types from a schema)
// and evaluated against the same variables declared `dyn`: the engine's typed evaluation
// wraps every object in a class of its own, and plain values evaluate the same way once the
// types are known to agree.
import { Environment } from '@marcbachmann/cel-js';
import { CelRuntimeError } from './errors.js';
import { registerKubernetesLibrary } from './library.js';
import { checkPatterns } from './patterns.js';
import { withBoundHas, withRE2Matches } from './rewrites.js';

const OPTIONS = {
  enableOptionalTypes: true,
  homogeneousAggregateLiterals: false,
  limits: { maxAstNodes: 10_000, maxDepth: 100, maxListElements: 1_000, maxMapEntries: 1_000, maxCallArguments: 32 },
} as const;

let base: Environment | undefined;

/** The environment every other one is cloned from (frozen once cloned). */
export function baseEnvironment(): Environment {
  base ??= registerKubernetesLibrary(new Environment(OPTIONS));
  return base;
}

/** A new environment with Kubernetes' libraries, for declaring types and variables on. */
export function newEnvironment(): Environment {
  return baseEnvironment().clone(OPTIONS);
}

interface CelErrorLike {
  name?: string;
  summary?: string;
  message: string;
  range?: { start: number; end: number };
}

/** "<input>:line:column" of an offset in the source, as cel-go reports locations. */
function location(source: string, offset: number | undefined): string {
  if (offset === undefined) return '<input>:1:1';
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === '\n') {
      line++;
      column = 1;
    } else column++;
  }
  return `<input>:${line}:${column}`;
}

/** What the engine's check reported, in cel-go's words where they differ. */
function celGoWording(err: CelErrorLike): string {
  const summary = err.summary ?? err.message.split('\n')[0]!;
  const noKey = /^No such key: (.*)$/.exec(summary);
  if (noKey) return `undefined field '${noKey[1]}'`;
  const overload = /^no such overload: (.+) (==|!=|<=|>=|<|>|\+|-|\*|\/|%|in) (.+)$/.exec(summary);
  if (overload) return `found no matching overload for '${overload[2] === 'in' ? '@in' : `_${overload[2]}_`}' applied to '(${overload[1]}, ${overload[3]})'`;
  const unknownVariable = /^Unknown variable: (.*)$/.exec(summary);
  if (unknownVariable) return `undeclared reference to '${unknownVariable[1]}' (in container '')`;
  if (err.name === 'ParseError') return `Syntax error: ${summary}`;
  return summary;
}

/** A compile error: the issues, as `compilation failed: ...` details carry them. */
export class CelCompileError extends Error {}

export interface CompiledExpression {
  source: string;
  /** The type the checker inferred for the result ('bool', 'string', ...). */
  type: string;
  /** The parsed expression (for cost estimates and pattern checks). */
  ast: unknown;
  /** Evaluates with `vars`; throws CelEvaluationError. */
  evaluate(vars: Record<string, unknown>): unknown;
}

/** An evaluation failure, worded as cel-go words runtime errors ("no such key: x"). */
export class CelEvaluationError extends Error {}

function runtimeWording(err: unknown): string {
  if (err instanceof CelRuntimeError) return err.message;
  const e = err as CelErrorLike;
  const summary = e.summary ?? String(e.message ?? err).split('\n')[0]!;
  const noKey = /^No such key: (.*)$/.exec(summary);
  if (noKey) return `no such key: ${noKey[1]}`;
  if (/^no such overload/i.test(summary)) return `no such overload`;
  return summary;
}

/**
 * Compiles `source`: checked in `typed` (throws CelCompileError with cel-go's wording),
 * evaluated in `untyped`, where the same variables are `dyn`.
 */
export function compile(original: string, typed: Environment, untyped: Environment): CompiledExpression {
  const source = withBoundHas(original, untyped);
  const checked = typed.check(source);
  if (!checked.valid) {
    const err = checked.error as CelErrorLike;
    throw new CelCompileError(`ERROR: ${location(source, err.range?.start)}: ${celGoWording(err)}`);
  }
  const parsed = untyped.parse(source);
  const patternProblem = checkPatterns(parsed.ast);
  if (patternProblem) throw new CelCompileError(`ERROR: ${location(source, patternProblem.offset)}: ${patternProblem.message}`);
  const rewritten = withRE2Matches(source, parsed.ast);
  const program = rewritten === source ? parsed : untyped.parse(rewritten);
  return {
    source: original,
    type: checked.type ?? 'dyn',
    ast: program.ast,
    evaluate(vars) {
      try {
        return program(vars);
      } catch (err) {
        throw new CelEvaluationError(runtimeWording(err));
      }
    },
  };
}

/**
 * A compiler for expressions over `names`: `declareTyped` declares each with its type in the
 * environment that checks them; they are evaluated with each declared `dyn`. The environments
 * are made on first use.
 */
export function compilerFor(names: string[], declareTyped: (typed: Environment) => void): (source: string) => CompiledExpression {
  let envs: { typed: Environment; untyped: Environment } | undefined;
  return (source) => {
    if (!envs) {
      const typed = newEnvironment();
      const untyped = newEnvironment();
      declareTyped(typed);
      for (const name of names) untyped.registerVariable(name, 'dyn');
      envs = { typed, untyped };
    }
    return compile(source, envs.typed, envs.untyped);
  };
}

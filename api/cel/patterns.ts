// Literal patterns of matches / find / findAll are compiled when the expression is, as
// Kubernetes does: one RE2 refuses makes the expression fail to compile.
import { re2Pattern } from '../custom-resources/re2-pattern.js';
import { argsOf, stringLiteral, walk } from './ast.js';

const PATTERN_FUNCTIONS = new Set(['matches', 'find', 'findAll']);

/** The first pattern problem in an expression: where, and what. */
export function checkPatterns(ast: unknown): { offset: number | undefined; message: string } | undefined {
  let problem: { offset: number | undefined; message: string } | undefined;
  walk(ast, (node) => {
    if (problem || (node.op !== 'rcall' && node.op !== 'call')) return;
    const [name, ...rest] = argsOf(node);
    if (typeof name !== 'string' || !PATTERN_FUNCTIONS.has(name)) return;
    // rcall: [name, receiver, [args]]; call: [name, [args]]
    const args = (node.op === 'rcall' ? rest[1] : rest[0]) as unknown[] | undefined;
    const patternArg = node.op === 'rcall' ? args?.[0] : args?.[1];
    const literal = stringLiteral(patternArg);
    if (literal !== undefined) {
      const r = re2Pattern(literal);
      if (typeof r === 'string') problem = { offset: node.pos, message: `invalid matches argument: ${r}` };
    }
  });
  return problem;
}


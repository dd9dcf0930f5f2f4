// Source rewrites that give the CEL engine's parse of an expression the meaning cel-go gives
// it, where the engine differs: each keeps the expression's text and only respells one call.
import type { Environment } from '@marcbachmann/cel-js';
import { argsOf, walk, type AstNode } from './ast.js';

interface Spanned extends AstNode {
  start: number;
  end: number;
}

/**
 * `source` with every receiver-style `x.matches(p)` spelled `x.matchesRE2(p)`: the engine's own
 * string.matches compiles its pattern with JavaScript's backtracking RegExp, the library's
 * matchesRE2 with RE2. Receivers end where the AST says; only the name after them changes.
 */
export function withRE2Matches(source: string, ast: unknown): string {
  const ends: number[] = [];
  walk(ast, (node) => {
    if (node.op !== 'rcall') return;
    const [name, receiver] = argsOf(node);
    const end = (receiver as Partial<Spanned> | undefined)?.end;
    if (name === 'matches' && typeof end === 'number') ends.push(end);
  });
  let out = source;
  for (const end of ends.sort((a, b) => b - a)) {
    const m = /^(\s*\.\s*)matches\b/.exec(out.slice(end));
    if (m) out = `${out.slice(0, end)}${m[1]}matchesRE2${out.slice(end + m[0].length)}`;
  }
  return out;
}

/**
 * `source` with has(e.f) on a non-variable `e` (has(self.items[0].name)) spelled
 * cel.bind(v, e, has(v.f)): the engine's has() takes only selections rooted at a variable,
 * cel-go's any expression. Innermost first; at most 100 rewrites.
 */
export function withBoundHas(source: string, env: Environment): string {
  let out = source;
  for (let n = 0; n < 100; n++) {
    let ast: unknown;
    try {
      ast = env.parse(out).ast;
    } catch {
      return out;
    }
    let target: { call: Spanned; base: Spanned; arg: Spanned } | undefined;
    walk(ast, (node) => {
      if (node.op !== 'call' || argsOf(node)[0] !== 'has') return;
      const arg = (argsOf(node)[1] as unknown[] | undefined)?.[0] as Spanned | undefined;
      if (!arg || arg.op !== '.') return;
      let base = arg;
      while (base.op === '.' || base.op === '.?') base = argsOf(base)[0] as Spanned;
      if (base.op === 'id') return;
      const call = node as Spanned;
      if (!target || call.end - call.start < target.call.end - target.call.start) target = { call, base, arg };
    });
    if (!target) return out;
    const v = `__has${n}`;
    const { call, base, arg } = target;
    out = `${out.slice(0, call.start)}cel.bind(${v}, ${out.slice(base.start, base.end)}, has(${v}${out.slice(base.end, arg.end)}))${out.slice(call.end)}`;
  }
  return out;
}

// The CEL engine's parsed expressions, walked: nodes are `{op, args, pos}` where args hold
// child nodes, names and literal values (see the engine's parser).
export interface AstNode {
  op: string;
  args: unknown;
  pos?: number;
}

export function isNode(v: unknown): v is AstNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as AstNode).op === 'string' && 'args' in v;
}

/** The node's arguments as a list (the engine keeps a lone argument unwrapped). */
export function argsOf(node: AstNode): unknown[] {
  return Array.isArray(node.args) ? node.args : [node.args];
}

/** Calls `visit` on every node of the tree, parents first. Expressions are at most 100 deep. */
export function walk(root: unknown, visit: (node: AstNode) => void): void {
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (isNode(v)) {
      visit(v);
      if (v.op !== 'value') stack.push(v.args);
    }
  }
}

/** A string literal node's value, or undefined. */
export function stringLiteral(v: unknown): string | undefined {
  return isNode(v) && v.op === 'value' && typeof v.args === 'string' ? v.args : undefined;
}

/** Whether the expression names the variable `name` anywhere. */
export function usesVariable(root: unknown, name: string): boolean {
  let found = false;
  walk(root, (n) => {
    if (n.op === 'id' && n.args === name) found = true;
  });
  return found;
}

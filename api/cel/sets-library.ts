// CEL's sets extension (Kubernetes 1.29+): sets.contains(a, b) (every element of b is in a),
// sets.equivalent(a, b) (the same elements, duplicates and order aside) and
// sets.intersects(a, b) (an element in common), with CEL's equality (1 == 1.0 == 1u).
import type { Environment } from '@marcbachmann/cel-js';
import { celEquals } from './schema-types.js';

class SetsNamespace {}

const has = (list: unknown[], v: unknown) => list.some((x) => celEquals(x, v));
const contains = (a: unknown[], b: unknown[]) => b.every((v) => has(a, v));

export function registerSetsLibrary(env: Environment): void {
  env.registerType('kubernetes.SetsNamespace', SetsNamespace);
  env.registerConstant('sets', 'kubernetes.SetsNamespace', new SetsNamespace());
  env.registerFunction('kubernetes.SetsNamespace.contains(list<dyn>, list<dyn>): bool', (_ns: SetsNamespace, a: unknown[], b: unknown[]) => contains(a, b));
  env.registerFunction('kubernetes.SetsNamespace.equivalent(list<dyn>, list<dyn>): bool', (_ns: SetsNamespace, a: unknown[], b: unknown[]) => contains(a, b) && contains(b, a));
  env.registerFunction('kubernetes.SetsNamespace.intersects(list<dyn>, list<dyn>): bool', (_ns: SetsNamespace, a: unknown[], b: unknown[]) => a.some((v) => has(b, v)));
}

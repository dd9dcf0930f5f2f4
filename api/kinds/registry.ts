// Lookups over the kind modules: by group version and kind (bodies, stored objects), and by
// storage resource (the one module whose version is stored for a resource).
import { kinds } from './index.js';
import { defaultStrategy, withoutGeneration, type Strategy } from './strategy.js';
import type { KindModule, StrategyOptions } from './kind.js';

const gv = (k: KindModule) => (k.group ? `${k.group}/${k.version}` : k.version);

const byGVK = new Map<string, KindModule>(kinds.map((k) => [`${gv(k)}/${k.kind}`, k]));
const storedByPlural = new Map<string, KindModule>(kinds.filter((k) => !k.conversion).map((k) => [k.plural, k]));

/** The module of `<apiVersion>/<kind>`, if that is a served kind. */
export function kindOf(apiVersion: string, kind: string): KindModule | undefined {
  return byGVK.get(`${apiVersion}/${kind}`);
}

/** The module whose version a resource is stored in (its key segment is the plural). */
export function storedKind(plural: string): KindModule | undefined {
  return storedByPlural.get(plural);
}

/** The storage strategy of a stored kind. */
export function strategyOf(k: KindModule | undefined, opts: StrategyOptions): Strategy {
  const s = k?.strategy;
  const strategy = !s ? defaultStrategy : typeof s === 'function' ? s(opts) : s;
  return k?.generation ? strategy : withoutGeneration(strategy);
}

// Loads extras.ts on demand. Kinds whose objects need it say so (KindModule.loadFor), and the
// apiserver awaits that before validating; everything after is synchronous.
import { isObject } from '../codec/values.js';
import type { JSONSchemaProps } from '../custom-resources/structural-schema.js';

type Extras = typeof import('./extras.js');

let loaded: Extras | undefined;
let loading: Promise<Extras> | undefined;

/** The extras, once loaded. */
export function extras(): Extras | undefined {
  return loaded;
}

/** The extras, or an error naming the caller that did not load them first (a bug). */
export function requireExtras(): Extras {
  if (!loaded) throw new Error('schema extras used before they were loaded (KindModule.loadFor)');
  return loaded;
}

export function loadExtras(): Promise<Extras> {
  loading ??= import('./extras.js').then((m) => (loaded = m));
  return loading;
}

/** Whether a schema has CEL rules or patterns anywhere (64 levels at most, as schemas are walked). */
export function needsExtras(schema: unknown, depth = 0): boolean {
  if (!isObject(schema) || depth > 64) return false;
  const s = schema as JSONSchemaProps;
  if ((Array.isArray(s['x-kubernetes-validations']) && s['x-kubernetes-validations'].length > 0) || s.pattern !== undefined) return true;
  const children: unknown[] = [...Object.values(s.properties ?? {}), s.items, s.additionalProperties, ...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? []), s.not];
  return children.some((c) => needsExtras(c, depth + 1));
}

/** Loads the extras if `schemas` need them. */
export function loadExtrasFor(schemas: unknown[]): Promise<unknown> | undefined {
  return !loaded && schemas.some((s) => needsExtras(s)) ? loadExtras() : undefined;
}

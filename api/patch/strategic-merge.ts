// Strategic merge patch: a merge patch that knows, from the kind's schema, which lists merge
// by a key (containers by name, ports by containerPort, ...) and which primitive lists are
// sets (finalizers), and that honours the directives $patch, $retainKeys,
// $setElementOrder/<list> and $deleteFromPrimitiveList/<list>.
import { child, type ArraySchema, type Schema } from '../schema/dsl.js';
import { StatusError } from '../status.js';
import { deepEqual } from './json-patch.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function fail(message: string): never {
  throw new StatusError(422, 'Invalid', message);
}

const DELETE = Symbol('delete');

export function applyStrategicMergePatch(original: unknown, patch: unknown, schema: Schema | undefined): unknown {
  const out = mergeValue(structuredClone(original), patch, schema);
  return out === DELETE ? {} : out;
}

function mergeValue(original: unknown, patch: unknown, schema: Schema | undefined): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  return mergeMap(isObj(original) ? original : {}, patch, schema);
}

function mergeMap(original: Obj, patch: Obj, schema: Schema | undefined): Obj | typeof DELETE {
  const directive = patch.$patch;
  if (directive === 'delete') return DELETE;
  if (directive === 'replace') {
    const copy = structuredClone(patch);
    delete copy.$patch;
    return stripDirectives(copy);
  }
  if (directive !== undefined && directive !== 'merge') fail(`Unknown patch type: ${String(directive)}`);

  const result: Obj = original;
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const k of Object.keys(result)) if (!keep.has(k)) delete result[k];
  }

  const orders: Array<[string, unknown[]]> = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith('$setElementOrder/')) {
      if (!Array.isArray(value)) fail(`invalid $setElementOrder for ${key}`);
      orders.push([key.slice('$setElementOrder/'.length), value]);
      continue;
    }
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      if (!Array.isArray(value)) fail(`invalid ${key}: must be a list`);
      const current = result[field];
      if (Array.isArray(current)) result[field] = current.filter((x) => !value.some((v) => deepEqual(v, x)));
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    const fieldSchema = child(schema, key);
    if (Array.isArray(value)) {
      result[key] = mergeList(result[key], value, fieldSchema);
      continue;
    }
    if (isObj(value)) {
      const merged = mergeMap(isObj(result[key]) ? (result[key] as Obj) : {}, value, fieldSchema);
      if (merged === DELETE) delete result[key];
      else result[key] = merged;
      continue;
    }
    result[key] = value;
  }

  for (const [field, order] of orders) {
    const list = result[field];
    if (Array.isArray(list)) result[field] = applyOrder(list, order, child(schema, field));
  }
  return result;
}

function stripDirectives(v: unknown): any {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}

function mergeList(original: unknown, patch: unknown[], schema: Schema | undefined): unknown[] {
  const arr = schema?.t === 'array' ? (schema as ArraySchema) : undefined;
  const current = Array.isArray(original) ? original : [];

  if (arr?.mergePrimitives) {
    const out = [...current];
    for (const v of patch) if (!out.some((x) => deepEqual(x, v))) out.push(v);
    return out;
  }
  const key = arr?.mergeKey;
  if (!key) {
    // Lists without a merge key are replaced; a `$patch: replace` element is just a marker.
    return patch.filter((e) => !(isObj(e) && e.$patch === 'replace')).map(stripDirectives);
  }
  if (patch.some((e) => isObj(e) && e.$patch === 'replace' && Object.keys(e).length === 1)) {
    return patch.filter((e) => !(isObj(e) && e.$patch === 'replace')).map(stripDirectives);
  }

  const out: unknown[] = [...current];
  for (const element of patch) {
    if (!isObj(element)) fail(`strategic merge patch: list "${key}" element is not an object`);
    const keyValue = element[key];
    const idx = out.findIndex((o) => isObj(o) && keyValue !== undefined && deepEqual(o[key], keyValue));
    if (element.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) {
      const merged = mergeMap(out[idx] as Obj, element, arr.items);
      if (merged === DELETE) out.splice(idx, 1);
      else out[idx] = merged;
    } else {
      out.push(stripDirectives(element));
    }
  }
  return out;
}

/** Orders a merged list as `$setElementOrder` says; elements it does not name keep their place after. */
function applyOrder(list: unknown[], order: unknown[], schema: Schema | undefined): unknown[] {
  const key = schema?.t === 'array' ? (schema as ArraySchema).mergeKey : undefined;
  const identity = (e: unknown) => (key && isObj(e) ? e[key] : e);
  const wanted = order.map((o) => (key && isObj(o) ? o[key] : o));
  const rank = (e: unknown) => {
    const i = wanted.findIndex((w) => deepEqual(w, identity(e)));
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return list
    .map((e, i) => ({ e, i, r: rank(e) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.e);
}

// Strategic merge patch: a merge patch that knows, from the kind's schema, which lists merge
// by a key (containers by name, ports by containerPort, ...) and which primitive lists are
// sets (finalizers), and that honours the directives $patch, $retainKeys,
// $setElementOrder/<list> and $deleteFromPrimitiveList/<list>.
//
// Maps are merged in place on a copy of the original, one (target, patch) pair at a time from
// an explicit stack: patches may nest 10,000 levels. Keys are read and written as own
// properties only.
import { asText, clone, deepEqual, isObject, own, setOwn, type JsonObject } from '../codec/values.js';
import { child, type ArraySchema, type Schema } from '../schema/dsl.js';
import { StatusError } from '../status.js';

type Obj = JsonObject;
type Task = [target: Obj, patch: Obj, schema: Schema | undefined];

function fail(message: string): never {
  throw new StatusError(422, 'Invalid', message);
}

export function applyStrategicMergePatch(original: unknown, patch: unknown, schema: Schema | undefined): unknown {
  if (!isObject(patch)) return clone(patch);
  const directive = own(patch, '$patch');
  if (directive === 'delete') return {};
  if (directive === 'replace') return withoutDirectives(patch);
  checkDirective(directive);
  const result: Obj = isObject(original) ? clone(original) : {};
  const stack: Task[] = [[result, patch, schema]];
  while (stack.length > 0) mergeMap(...stack.pop()!, stack);
  return result;
}

function checkDirective(directive: unknown): void {
  if (directive !== undefined && directive !== 'merge') fail(`Unknown patch type: ${asText(directive)}`);
}

/** Merges `patch` into `result` (whose own `$patch` directive has been handled); child maps are queued. */
function mergeMap(result: Obj, patch: Obj, schema: Schema | undefined, stack: Task[]): void {
  const retain = own(patch, '$retainKeys');
  if (retain !== undefined) {
    if (!Array.isArray(retain) || retain.some((k) => typeof k !== 'string')) {
      throw new StatusError(400, 'BadRequest', 'invalid patch format of retainKeys');
    }
    const keep = new Set(retain as string[]);
    for (const k of Object.keys(result)) if (!keep.has(k)) delete result[k];
  }

  const orders: Array<[string, unknown[]]> = [];
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith('$setElementOrder/')) {
      if (!Array.isArray(value)) fail(`invalid ${key}: must be a list`);
      orders.push([key.slice('$setElementOrder/'.length), value]);
      continue;
    }
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      if (!Array.isArray(value)) fail(`invalid ${key}: must be a list`);
      const current = own(result, field);
      const remove = new ValueSet(value);
      if (Array.isArray(current)) setOwn(result, field, current.filter((x) => !remove.has(x)));
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    if (value === undefined) continue;
    const fieldSchema = child(schema, key);
    if (Array.isArray(value)) {
      setOwn(result, key, mergeList(own(result, key), value, fieldSchema, stack));
      continue;
    }
    if (isObject(value)) {
      const directive = own(value, '$patch');
      if (directive === 'delete') {
        delete result[key];
      } else if (directive === 'replace') {
        setOwn(result, key, withoutDirectives(value));
      } else {
        checkDirective(directive);
        let target = own(result, key);
        if (!isObject(target)) {
          target = {};
          setOwn(result, key, target);
        }
        stack.push([target as Obj, value, fieldSchema]);
      }
      continue;
    }
    setOwn(result, key, value);
  }

  // Ordering only moves elements; merges still queued change their contents, not their identity.
  for (const [field, order] of orders) {
    const list = own(result, field);
    if (Array.isArray(list)) setOwn(result, field, applyOrder(list, order, child(schema, field)));
  }
}

/** A copy of a patch value with every `$...` directive key removed, at any depth. */
function withoutDirectives(value: unknown): unknown {
  const copy = clone(value);
  const stack: unknown[] = [copy];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === 'object') stack.push(x);
    } else if (isObject(v)) {
      for (const k of Object.keys(v)) {
        if (k.startsWith('$')) delete v[k];
        else if (v[k] !== null && typeof v[k] === 'object') stack.push(v[k]);
      }
    }
  }
  return copy;
}

/**
 * A lookup key for a scalar (merge keys, finalizers, primitive list items), so lists merge in
 * linear time; undefined for objects and arrays, which are compared one by one.
 */
function scalarKey(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object') return `${typeof v}:${String(v)}`;
  return undefined;
}

/** A set of JSON values: hashed scalars, plus a (rarely used) list of composite values. */
class ValueSet {
  private scalars = new Set<string>();
  private composites: unknown[] = [];

  constructor(values: unknown[] = []) {
    for (const v of values) this.add(v);
  }

  add(v: unknown): void {
    const k = scalarKey(v);
    if (k !== undefined) this.scalars.add(k);
    else this.composites.push(v);
  }

  has(v: unknown): boolean {
    const k = scalarKey(v);
    return k !== undefined ? this.scalars.has(k) : this.composites.some((c) => deepEqual(c, v));
  }
}

function isReplaceMarker(e: unknown): boolean {
  return isObject(e) && own(e, '$patch') === 'replace';
}

function mergeList(original: unknown, patch: unknown[], schema: Schema | undefined, stack: Task[]): unknown[] {
  const arr = schema?.t === 'array' ? (schema as ArraySchema) : undefined;
  const current = Array.isArray(original) ? original : [];

  if (arr?.mergePrimitives) {
    const out = [...current];
    const present = new ValueSet(out);
    for (const v of patch) {
      if (present.has(v)) continue;
      present.add(v);
      out.push(clone(v));
    }
    return out;
  }
  const key = arr?.mergeKey;
  // Lists without a merge key are replaced; a lone `{$patch: replace}` element replaces a keyed list.
  if (!key || patch.some((e) => isReplaceMarker(e) && Object.keys(e as Obj).length === 1)) {
    return patch.filter((e) => !isReplaceMarker(e)).map(withoutDirectives);
  }

  // Slots keep positions stable while elements are deleted; merge-key values index them
  // (every position per value, in order, so a duplicate takes over when the first goes).
  const slots: Array<{ value: unknown } | undefined> = current.map((value) => ({ value }));
  const index = new Map<string, number[]>();
  const composite: number[] = [];
  const remember = (i: number) => {
    const v = own(slots[i]!.value, key);
    if (v === undefined) return;
    const k = scalarKey(v);
    if (k === undefined) composite.push(i);
    else {
      const positions = index.get(k);
      if (positions) positions.push(i);
      else index.set(k, [i]);
    }
  };
  const find = (keyValue: unknown): number => {
    if (keyValue === undefined) return -1;
    const k = scalarKey(keyValue);
    if (k !== undefined) {
      const positions = index.get(k);
      while (positions && positions.length > 0 && slots[positions[0]!] === undefined) positions.shift();
      return positions?.[0] ?? -1;
    }
    return composite.find((i) => slots[i] !== undefined && deepEqual(own(slots[i]!.value, key), keyValue)) ?? -1;
  };
  for (let i = 0; i < slots.length; i++) if (isObject(slots[i]!.value)) remember(i);

  for (const element of patch) {
    if (!isObject(element)) fail(`strategic merge patch: list "${key}" element is not an object`);
    const idx = find(own(element, key));
    const directive = own(element, '$patch');
    if (directive === 'delete') {
      if (idx >= 0) slots[idx] = undefined;
      continue;
    }
    if (idx >= 0) {
      if (directive === 'replace') {
        slots[idx] = { value: withoutDirectives(element) };
      } else {
        checkDirective(directive);
        stack.push([slots[idx]!.value as Obj, element, arr.items]);
      }
    } else {
      slots.push({ value: withoutDirectives(element) });
      remember(slots.length - 1);
    }
  }
  return slots.filter((s): s is { value: unknown } => s !== undefined).map((s) => s.value);
}

/** Orders a merged list as `$setElementOrder` says; elements it does not name keep their place after. */
function applyOrder(list: unknown[], order: unknown[], schema: Schema | undefined): unknown[] {
  const key = schema?.t === 'array' ? (schema as ArraySchema).mergeKey : undefined;
  const identity = (e: unknown) => (key && isObject(e) ? own(e, key) : e);
  const wanted = order.map((o) => (key && isObject(o) ? own(o, key) : o));
  const ranks = new Map<string, number>();
  wanted.forEach((w, i) => {
    const k = scalarKey(w);
    if (k !== undefined && !ranks.has(k)) ranks.set(k, i);
  });
  const rank = (e: unknown) => {
    const id = identity(e);
    const k = scalarKey(id);
    const i = k !== undefined ? (ranks.get(k) ?? -1) : wanted.findIndex((w) => deepEqual(w, id));
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return list
    .map((e, i) => ({ e, i, r: rank(e) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.e);
}

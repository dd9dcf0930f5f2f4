// Sets of field paths, as server-side apply tracks ownership: a path is a list of path
// elements in Kubernetes' FieldsV1 notation (`f:name` a field, `k:{"name":"c"}` the item of
// an associative list with those keys, `v:"x"` a member of a set, `i:3` an item of a list
// without keys). A set is kept as strings (the JSON of each path), and written as the nested
// FieldsV1 object, where `.` marks a node that is a member itself and also has members below.
import { deepEqual, isObject, own, setOwn } from '../codec/values.js';

/**
 * How a value is merged and owned: field by field, as keyed items, as a set, or as a whole.
 * A struct of a built-in kind also knows each field's value in an empty Go object (`zero`,
 * undefined when Go leaves the field out; api/protobuf/go-zero.ts says why that matters).
 */
export type Shape =
  | { kind: 'struct'; child(name: string): Shape; zero?(name: string): unknown }
  | { kind: 'listMap'; keys: string[]; item: Shape }
  | { kind: 'set' }
  | { kind: 'atomic' };

export const ATOMIC: Shape = { kind: 'atomic' };
/** What Kubernetes deduces with no schema: objects field by field, lists as a whole. */
export const DEDUCED: Shape = { kind: 'struct', child: () => DEDUCED };

export type FieldPath = string[];
/** Members as strings: their path elements joined by SEP (cheap to build, compare and sort). */
export type FieldSet = Set<string>;

/** A character no path element of Kubernetes objects carries. */
export const SEP = '\u0000';
export const key = (path: FieldPath): string => path.join(SEP);
export const unkey = (k: string): FieldPath => (k === '' ? [] : k.split(SEP));
/** Whether member `o` lies below member `k`. */
export const below = (o: string, k: string): boolean => o.length > k.length && o.startsWith(k) && o[k.length] === SEP;
/**
 * Every member some member of `keys` lies below: `below(o, k)` for some o in `keys` is
 * `ancestorsOf(keys).has(k)`, one look-up instead of a walk of the set (sets of 60,000
 * fields were compared pairwise).
 */
export function ancestorsOf(keys: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const o of keys) for (let i = o.indexOf(SEP); i >= 0; i = o.indexOf(SEP, i + 1)) out.add(o.slice(0, i));
  return out;
}

/** Whether `k` lies below some member of `set`. */
export function belowAny(k: string, set: ReadonlySet<string>): boolean {
  if (set.size === 0) return false;
  for (let i = k.indexOf(SEP); i >= 0; i = k.indexOf(SEP, i + 1)) if (set.has(k.slice(0, i))) return true;
  return false;
}

const join = (prefix: string, pe: string) => (prefix ? `${prefix}${SEP}${pe}` : pe);

/** List-map keys Kubernetes defaults when an item lacks them: a port's protocol is TCP. */
const KEY_DEFAULTS: Readonly<Record<string, unknown>> = { protocol: 'TCP' };

/** The value of list-map key `k` of an item, its default when the item lacks it. */
export function keyValue(item: Record<string, unknown>, k: string): unknown {
  const v = own(item, k);
  return v === undefined && Object.hasOwn(KEY_DEFAULTS, k) ? KEY_DEFAULTS[k] : v;
}

/** The path element of a list item: its keys when the list has them and it carries them. */
function itemElement(item: unknown, shape: Extract<Shape, { kind: 'listMap' }>, index: number): string {
  if (!isObject(item)) return `i:${index}`;
  // The JSON of an object of the keys in sorted order, written directly.
  const keys = sortedKeys(shape);
  let pe = 'k:{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = keyValue(item, k);
    if (v === undefined) return `i:${index}`;
    pe += `${i ? ',' : ''}${JSON.stringify(k)}:${JSON.stringify(v)}`;
  }
  return `${pe}}`;
}

/** A list map's keys in sorted order, sorted once per shape. */
const sortedKeysOf = new WeakMap<Extract<Shape, { kind: 'listMap' }>, readonly string[]>();
function sortedKeys(shape: Extract<Shape, { kind: 'listMap' }>): readonly string[] {
  let keys = sortedKeysOf.get(shape);
  if (!keys) sortedKeysOf.set(shape, (keys = [...shape.keys].sort()));
  return keys;
}

/**
 * Nodes deeper than this are not members of their own: a member is its whole path as a string,
 * so owning every node of a value nested N deep would cost N^2 (200 MB for the 10,000 levels a
 * request may nest). Only hostile objects nest this deep; their leaves are still owned.
 */
const MAX_NODE_DEPTH = 500;

/**
 * Every field `value` sets: leaves (scalars, atomic values, empty objects) and keyed list
 * items, under `prefix`; with `nodes`, also every object and list holding them (what a write
 * that adds `value` whole owns: Kubernetes' comparison counts each added node).
 */
export function fieldsOf(value: unknown, shape: Shape, prefix: FieldPath = [], out: FieldSet = new Set(), nodes = false): FieldSet {
  const stack: Array<{ v: unknown; s: Shape; path: string; depth: number }> = [{ v: value, s: shape, path: key(prefix), depth: prefix.length }];
  while (stack.length) {
    const { v, s, path, depth } = stack.pop()!;
    if (nodes && path && depth <= MAX_NODE_DEPTH && s.kind !== 'atomic' && (isObject(v) || Array.isArray(v))) out.add(path);
    if (s.kind === 'struct' && isObject(v)) {
      const keys = Object.keys(v);
      if (keys.length === 0 && path) out.add(path);
      for (const k of keys) stack.push({ v: v[k], s: s.child(k), path: join(path, `f:${k}`), depth: depth + 1 });
    } else if (s.kind === 'listMap' && Array.isArray(v)) {
      if (v.length === 0 && path) out.add(path);
      v.forEach((item, i) => {
        const p = join(path, itemElement(item, s, i));
        out.add(p);
        stack.push({ v: item, s: s.item, path: p, depth: depth + 1 });
      });
    } else if (s.kind === 'set' && Array.isArray(v)) {
      if (v.length === 0 && path) out.add(path);
      for (const item of v) out.add(join(path, `v:${JSON.stringify(item)}`));
    } else if (path) {
      out.add(path);
    }
  }
  return out;
}

/** The shape of the value at `path` (for walking an object along it). */
function step(shape: Shape, pe: string): Shape {
  if (shape.kind === 'struct' && pe.startsWith('f:')) return shape.child(pe.slice(2));
  if (shape.kind === 'listMap') return shape.item;
  return ATOMIC;
}

/**
 * Where each item of a long list is, by its element (JSON of its keys, or of itself): a walk of
 * every field of an applied list looks items up one by one, and a scan per look-up made that
 * quadratic. Kept per list while its length stays (`spliceItem` keeps it across removals);
 * every hit is checked against the item itself, and a miss falls back to a scan.
 */
const itemIndexes = new WeakMap<unknown[], { length: number; names: string; index: Map<string, number> }>();
const INDEXED_LENGTH = 16;

function indexedItem(list: unknown[], names: string, want: string, elementOf: (x: unknown) => string | undefined, matches: (x: unknown) => boolean): number {
  if (list.length <= INDEXED_LENGTH) return list.findIndex(matches);
  let cached = itemIndexes.get(list);
  if (!cached || cached.length !== list.length || cached.names !== names) {
    const index = new Map<string, number>();
    list.forEach((x, i) => {
      const e = elementOf(x);
      if (e !== undefined && !index.has(e)) index.set(e, i);
    });
    itemIndexes.set(list, (cached = { length: list.length, names, index }));
  }
  const i = cached.index.get(want);
  return i !== undefined && matches(list[i]) ? i : list.findIndex(matches);
}

/** Removes item `i` of a list, keeping its index (if it has one) true. */
function spliceItem(list: unknown[], i: number): void {
  list.splice(i, 1);
  const cached = itemIndexes.get(list);
  if (!cached) return;
  for (const [e, at] of cached.index) {
    if (at === i) cached.index.delete(e);
    else if (at > i) cached.index.set(e, at - 1);
  }
  cached.length = list.length;
}

/** Finds the index of the item a `k:` / `i:` / `v:` element names. */
function findItem(list: unknown[], pe: string): number {
  if (pe.startsWith('i:')) return Number(pe.slice(2));
  if (pe.startsWith('v:')) {
    const want = pe.slice(2);
    return indexedItem(list, '', want, (x) => JSON.stringify(x), (x) => JSON.stringify(x) === want);
  }
  if (pe.startsWith('k:')) {
    const keys = JSON.parse(pe.slice(2)) as Record<string, unknown>;
    const names = Object.keys(keys);
    const matches = (x: unknown) => isObject(x) && names.every((k) => deepEqual(keyValue(x, k), keys[k]));
    const elementOf = (x: unknown) => (isObject(x) ? JSON.stringify(Object.fromEntries(names.map((k) => [k, keyValue(x, k)]))) : undefined);
    return indexedItem(list, `k${SEP}${names.join(SEP)}`, JSON.stringify(keys), elementOf, matches);
  }
  return -1;
}

/** The value at a path, if it is there. */
export function valueAt(obj: unknown, path: FieldPath): { found: boolean; value?: unknown } {
  let v: unknown = obj;
  for (const pe of path) {
    if (pe.startsWith('f:')) {
      if (!isObject(v) || !Object.hasOwn(v, pe.slice(2))) return { found: false };
      v = v[pe.slice(2)];
    } else {
      if (!Array.isArray(v)) return { found: false };
      const i = findItem(v, pe);
      if (i < 0 || i >= v.length) return { found: false };
      v = v[i];
    }
  }
  return { found: true, value: v };
}

/** Removes the field or item at a path; nothing if it is not there. */
export function removeAt(obj: unknown, path: FieldPath): void {
  const parent = valueAt(obj, path.slice(0, -1));
  if (!parent.found) return;
  const last = path[path.length - 1]!;
  if (last.startsWith('f:') && isObject(parent.value)) delete parent.value[last.slice(2)];
  else if (Array.isArray(parent.value)) {
    const i = findItem(parent.value, last);
    if (i >= 0) spliceItem(parent.value, i);
  }
}

/** Whether a value of this shape is one Kubernetes walks into (a node that may hold members). */
const walksInto = (v: unknown, s: Shape): boolean => (s.kind === 'struct' && isObject(v)) || ((s.kind === 'listMap' || s.kind === 'set') && Array.isArray(v));

/** A struct's zero fields; at the root, metadata is always there (Kubernetes strips that node). */
function zeroOf(s: Extract<Shape, { kind: 'struct' }>, name: string, root: boolean): unknown {
  return root && name === 'metadata' ? {} : s.zero?.(name);
}

/**
 * Members whose value differs between two objects: added or changed (members of `next`) and
 * removed (members of `prev` only). One walk over both, side by side. A field Go writes for
 * an empty object counts as there, with its zero value, in an object that lacks it; an object
 * or list that is not there before is added whole, and is a member itself as well as what is
 * below it (Kubernetes compares typed values converted from Go structs).
 */
export function changedFields(prev: unknown, next: unknown, shape: Shape): { changed: FieldSet; removed: FieldSet } {
  const changed: FieldSet = new Set();
  const removed: FieldSet = new Set();
  const stack: Array<{ a: unknown; b: unknown; s: Shape; path: string }> = [{ a: prev, b: next, s: shape, path: '' }];
  while (stack.length) {
    const { a, b, s, path } = stack.pop()!;
    if (a === undefined) {
      if (b !== undefined) fieldsOf(b, s, unkey(path), changed, true);
      continue;
    }
    if (b === undefined) {
      fieldsOf(a, s, unkey(path), removed, true);
      continue;
    }
    if (s.kind === 'struct' && isObject(a) && isObject(b)) {
      const bk = Object.keys(b);
      if (bk.length === 0 && path && Object.keys(a).length !== 0) changed.add(path);
      for (const k of bk) {
        const before = own(a, k);
        stack.push({ a: before === undefined ? zeroOf(s, k, !path) : before, b: b[k], s: s.child(k), path: join(path, `f:${k}`) });
      }
      for (const k of Object.keys(a)) if (!Object.hasOwn(b, k)) stack.push({ a: a[k], b: zeroOf(s, k, !path), s: s.child(k), path: join(path, `f:${k}`) });
    } else if (s.kind === 'listMap' && Array.isArray(a) && Array.isArray(b)) {
      const before = new Map(a.map((item, i) => [itemElement(item, s, i), item] as const));
      const seen = new Set<string>();
      b.forEach((item, i) => {
        const pe = itemElement(item, s, i);
        seen.add(pe);
        const p = join(path, pe);
        if (!before.has(pe)) changed.add(p);
        stack.push({ a: before.get(pe), b: item, s: s.item, path: p });
      });
      for (const [pe, item] of before) {
        if (seen.has(pe)) continue;
        removed.add(join(path, pe));
        stack.push({ a: item, b: undefined, s: s.item, path: join(path, pe) });
      }
    } else if (s.kind === 'set' && Array.isArray(a) && Array.isArray(b)) {
      const before = new Set(a.map((x) => JSON.stringify(x)));
      const after = new Set(b.map((x) => JSON.stringify(x)));
      for (const x of after) if (!before.has(x)) changed.add(join(path, `v:${x}`));
      for (const x of before) if (!after.has(x)) removed.add(join(path, `v:${x}`));
    } else if (a === null && walksInto(b, s) && (Array.isArray(b) ? b.length > 0 : hasKeys(b as Record<string, unknown>))) {
      // A list, map or pointer Go writes as null: the field was there, what is in it now is added.
      if (Array.isArray(b)) stack.push({ a: [], b, s, path });
      else for (const k of Object.keys(b as Record<string, unknown>)) stack.push({ a: undefined, b: (b as Record<string, unknown>)[k], s: (s as Extract<Shape, { kind: 'struct' }>).child(k), path: join(path, `f:${k}`) });
    } else if (!deepEqual(a, b)) {
      // A leaf, or a value whose shape changed: the new one is the writer's, the old members go.
      if (path) {
        const old = fieldsOf(a, s, unkey(path));
        const now = fieldsOf(b, s, unkey(path));
        for (const m of now) changed.add(m);
        for (const m of old) if (!now.has(m)) removed.add(m);
        if (!now.size) changed.add(path);
      }
    }
  }
  return { changed, removed };
}

/** The members a create gives its writer: what `value` adds to an empty object of its kind. */
export function fieldsOfCreate(value: unknown, shape: Shape): FieldSet {
  return changedFields({}, value, shape).changed;
}

/** The nested FieldsV1 object of a set. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  // Sorted as strings: SEP sorts first, so parents come right before their children and
  // siblings are in order; a member followed by one below it is a parent, marked `.`.
  const members = [...set].sort();
  // The nodes along the previous member's path (and where each element ends in its string):
  // consecutive members share most of their path, which is walked once.
  const trail: Array<{ end: number; node: Record<string, unknown> }> = [{ end: -1, node: root }];
  let previous = '';
  for (let i = 0; i < members.length; i++) {
    const member = members[i]!;
    let common = 0;
    while (common < member.length && common < previous.length && member.charCodeAt(common) === previous.charCodeAt(common)) common++;
    // Keep the elements that end inside the common prefix, on an element boundary of both.
    while (trail.length > 1) {
      const end = trail[trail.length - 1]!.end;
      if (end <= common && (end === member.length || member[end] === SEP) && (end === previous.length || previous[end] === SEP)) break;
      trail.pop();
    }
    let { end, node } = trail[trail.length - 1]!;
    while (end < member.length) {
      const start = end + 1;
      const stop = member.indexOf(SEP, start);
      end = stop < 0 ? member.length : stop;
      const pe = member.slice(start, end);
      let next = Object.hasOwn(node, pe) ? (node[pe] as Record<string, unknown>) : undefined;
      if (!next) setOwn(node, pe, (next = {}));
      node = next;
      trail.push({ end, node });
    }
    const following = members[i + 1];
    if (following !== undefined && below(following, member)) setOwn(node, '.', {});
    previous = member;
  }
  return root;
}

/** Thrown inside fieldsV1Of when only the general path gives the right answer. */
const GENERAL_PATH = Symbol('general path');
/** Past this depth fieldsV1Of leaves the value to the general (iterative) path. */
const MAX_DIRECT_DEPTH = 100;

/**
 * `toFieldsV1(fieldsOfCreate(value, shape))` in one walk, key for key and in the same order:
 * the fields of a write nobody owned fields of before (a create), without building, sorting and
 * splitting a path string per field (a tenth of a create's CPU). Undefined when only the
 * general path is right: a key holding SEP, two list items with the same keys, or nesting
 * deeper than MAX_DIRECT_DEPTH.
 */
export function fieldsV1Of(value: unknown, shape: Shape): Record<string, unknown> | undefined {
  if (shape.kind !== 'struct' || !isObject(value)) return {};
  try {
    return childrenOf(value, shape, 0, false);
  } catch (err) {
    if (err === GENERAL_PATH) return undefined;
    throw err;
  }
}

/**
 * The FieldsV1 node of the value at a (non-root) path: `{}` when the path is a leaf. `added`:
 * the value's parent was not there before, so nothing below has a zero to compare with.
 */
function nodeOf(v: unknown, s: Shape, depth: number, added: boolean, into?: Record<string, unknown>): Record<string, unknown> {
  if (depth > MAX_DIRECT_DEPTH) throw GENERAL_PATH;
  if (s.kind === 'struct' && isObject(v)) return childrenOf(v, s, depth, added, into);
  if (s.kind === 'listMap' && Array.isArray(v)) {
    const items = v.map((item, i) => ({ pe: itemElement(item, s, i), item }));
    items.sort((a, b) => (a.pe < b.pe ? -1 : a.pe > b.pe ? 1 : 0));
    const node: Record<string, unknown> = into ?? {};
    for (let i = 0; i < items.length; i++) {
      const { pe, item } = items[i]!;
      if (i > 0 && items[i - 1]!.pe === pe) throw GENERAL_PATH;
      // Every item is new, so a member itself: `.` marks one that also has members below it.
      node[pe] = memberNode(item, s.item, depth + 1, true);
    }
    return node;
  }
  if (s.kind === 'set' && Array.isArray(v)) {
    const members = v.map((item) => `v:${JSON.stringify(item)}`).sort();
    const node: Record<string, unknown> = into ?? {};
    for (const m of members) node[m] = {};
    return node;
  }
  return into ?? {};
}

/**
 * The node of a value that is new, so a member itself: `{}` for a leaf, else `.` and then its
 * members, written straight into the node that starts with `.` (no copy of what is below).
 */
function memberNode(v: unknown, s: Shape, depth: number, added: boolean): Record<string, unknown> {
  const node: Record<string, unknown> = { '.': {} };
  nodeOf(v, s, depth, added, node);
  for (const k in node) if (k !== '.') return node;
  return {};
}

/** `f:<name>` for the field names objects repeat, made once each (bounded: user keys vary without end). */
const fieldElements = new Map<string, string>();
function fieldElement(name: string): string {
  let pe = fieldElements.get(name);
  if (pe === undefined) {
    pe = `f:${name}`;
    if (fieldElements.size < 4096) fieldElements.set(name, pe);
  }
  return pe;
}

/** The fields of an object, each as `f:<key>`, in sorted order. */
function childrenOf(v: Record<string, unknown>, s: Extract<Shape, { kind: 'struct' }>, depth: number, added: boolean, into?: Record<string, unknown>): Record<string, unknown> {
  const keys = sortedInPlace(Object.keys(v));
  const node: Record<string, unknown> = into ?? {};
  for (const k of keys) {
    if (k.includes(SEP)) throw GENERAL_PATH;
    const zero = added ? undefined : zeroOf(s, k, depth === 0);
    const value = v[k];
    // A field at its Go zero was there already: not a change.
    if (zero !== undefined && deepEqual(value, zero)) continue;
    const fresh = zero === undefined;
    // A list, map or pointer Go writes as null: the field was there, what is in it is new.
    const child = s.child(k);
    if (fresh) {
      // `f:` + key is never `__proto__`: plain assignment makes an own property.
      node[fieldElement(k)] = memberNode(value, child, depth + 1, true);
      continue;
    }
    const below = nodeOf(value, child, depth + 1, zero === null);
    // A struct that was there (at its zero) and whose fields all stayed at theirs changed
    // nothing. An atomic one (an ObjectReference) is a leaf: not at its zero, it is set.
    if (child.kind === 'struct' && isObject(zero) && isObject(value) && hasKeys(value) && !hasKeys(below)) continue;
    node[fieldElement(k)] = below;
  }
  return node;
}

/**
 * `a` sorted as sort() would sort it, in place: an object's few keys by insertion, since
 * Array.prototype.sort allocates working storage on every call and a write sorts the keys of
 * every object in it (a third of what recording a pod's managedFields allocated).
 */
function sortedInPlace(a: string[]): string[] {
  if (a.length > 32) return a.sort();
  for (let i = 1; i < a.length; i++) {
    const x = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > x) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
  return a;
}

/** Whether an object has any enumerable key, without making an array of them. */
export function hasKeys(o: Record<string, unknown>): boolean {
  for (const _ in o) return true;
  return false;
}

/** A set from its FieldsV1 object. */
export function fromFieldsV1(fields: unknown): FieldSet {
  const out: FieldSet = new Set();
  const stack: Array<{ node: unknown; path: string }> = [{ node: fields, path: '' }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    if (!isObject(node)) continue;
    const children = Object.keys(node).filter((k) => k !== '.');
    if (path && (children.length === 0 || Object.hasOwn(node, '.'))) out.add(path);
    for (const c of children) stack.push({ node: node[c], path: join(path, c) });
  }
  return out;
}

/** `.spec.containers[name="c"].image`: a path as Kubernetes writes it in conflict messages. */
export function describePath(path: FieldPath): string {
  let out = '';
  for (const pe of path) {
    if (pe.startsWith('f:')) out += `.${pe.slice(2)}`;
    else if (pe.startsWith('k:')) {
      const keys = JSON.parse(pe.slice(2)) as Record<string, unknown>;
      out += `[${Object.entries(keys).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    } else if (pe.startsWith('v:')) out += `[=${pe.slice(2)}]`;
    else out += `[${pe.slice(2)}]`;
  }
  return out;
}

export { step as shapeStep };

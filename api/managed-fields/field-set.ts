// Sets of field paths, as server-side apply tracks ownership: a path is a list of path
// elements in Kubernetes' FieldsV1 notation (`f:name` a field, `k:{"name":"c"}` the item of
// an associative list with those keys, `v:"x"` a member of a set, `i:3` an item of a list
// without keys). A set is kept as strings (the JSON of each path), and written as the nested
// FieldsV1 object, where `.` marks a node that is a member itself and also has members below.
import { deepEqual, isObject, own, setOwn } from '../codec/values.js';

/** How a value is merged and owned: field by field, as keyed items, as a set, or as a whole. */
export type Shape =
  | { kind: 'struct'; child(name: string): Shape }
  | { kind: 'listMap'; keys: string[]; item: Shape }
  | { kind: 'set' }
  | { kind: 'atomic' };

export const ATOMIC: Shape = { kind: 'atomic' };
/** What Kubernetes deduces with no schema: objects field by field, lists as a whole. */
export const DEDUCED: Shape = { kind: 'struct', child: () => DEDUCED };

export type FieldPath = string[];
export type FieldSet = Set<string>;

export const key = (path: FieldPath): string => JSON.stringify(path);
export const unkey = (k: string): FieldPath => JSON.parse(k) as FieldPath;

/** The path element of a list item: its keys when the list has them and it carries them. */
function itemElement(item: unknown, shape: Extract<Shape, { kind: 'listMap' }>, index: number): string {
  if (isObject(item) && shape.keys.every((k) => own(item, k) !== undefined)) {
    const keys: Record<string, unknown> = {};
    for (const k of [...shape.keys].sort()) setOwn(keys, k, own(item, k));
    return `k:${JSON.stringify(keys)}`;
  }
  return `i:${index}`;
}

/**
 * Every field `value` sets: leaves (scalars, atomic values, empty objects) and keyed list
 * items, under `prefix`.
 */
export function fieldsOf(value: unknown, shape: Shape, prefix: FieldPath = [], out: FieldSet = new Set()): FieldSet {
  const stack: Array<{ v: unknown; s: Shape; path: FieldPath }> = [{ v: value, s: shape, path: prefix }];
  while (stack.length) {
    const { v, s, path } = stack.pop()!;
    if (s.kind === 'struct' && isObject(v)) {
      const keys = Object.keys(v);
      if (keys.length === 0 && path.length) out.add(key(path));
      for (const k of keys) stack.push({ v: v[k], s: s.child(k), path: [...path, `f:${k}`] });
    } else if (s.kind === 'listMap' && Array.isArray(v)) {
      if (v.length === 0 && path.length) out.add(key(path));
      v.forEach((item, i) => {
        const p = [...path, itemElement(item, s, i)];
        out.add(key(p));
        stack.push({ v: item, s: s.item, path: p });
      });
    } else if (s.kind === 'set' && Array.isArray(v)) {
      if (v.length === 0 && path.length) out.add(key(path));
      for (const item of v) out.add(key([...path, `v:${JSON.stringify(item)}`]));
    } else if (path.length) {
      out.add(key(path));
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

/** Finds the index of the item a `k:` / `i:` / `v:` element names. */
function findItem(list: unknown[], pe: string): number {
  if (pe.startsWith('i:')) return Number(pe.slice(2));
  if (pe.startsWith('v:')) {
    const want = pe.slice(2);
    return list.findIndex((x) => JSON.stringify(x) === want);
  }
  if (pe.startsWith('k:')) {
    const keys = JSON.parse(pe.slice(2)) as Record<string, unknown>;
    return list.findIndex((x) => isObject(x) && Object.entries(keys).every(([k, v]) => deepEqual(own(x, k), v)));
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
    if (i >= 0) parent.value.splice(i, 1);
  }
}

/** Paths whose value differs between two objects (added, changed or removed), as members of either. */
export function changedFields(prev: unknown, next: unknown, shape: Shape): { changed: FieldSet; removed: FieldSet } {
  const before = fieldsOf(prev, shape);
  const after = fieldsOf(next, shape);
  const changed: FieldSet = new Set();
  const removed: FieldSet = new Set();
  for (const k of after) {
    const path = unkey(k);
    const was = valueAt(prev, path);
    if (!was.found) changed.add(k);
    else if (!isItem(path) && !deepEqual(was.value, valueAt(next, path).value)) changed.add(k);
  }
  for (const k of before) if (!after.has(k)) removed.add(k);
  return { changed, removed };
}

const isItem = (path: FieldPath) => /^[kiv]:/.test(path[path.length - 1] ?? '');

/** The nested FieldsV1 object of a set. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  // Sorted element by element: parents before children, siblings in order (stable output).
  const paths = [...set].map(unkey).sort((a, b) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return a.length - b.length;
  });
  for (const path of paths) {
    let node = root;
    for (const pe of path) {
      if (!Object.hasOwn(node, pe)) setOwn(node, pe, {});
      node = node[pe] as Record<string, unknown>;
    }
    // A member with members below it is marked; a leaf is an empty object.
    setOwn(node, '.', {});
  }
  // Leaves carry no `.`: only nodes that also have children keep it.
  const stack: Array<Record<string, unknown>> = [root];
  while (stack.length) {
    const node = stack.pop()!;
    const children = Object.keys(node).filter((k) => k !== '.');
    if (children.length === 0) delete node['.'];
    for (const c of children) stack.push(node[c] as Record<string, unknown>);
  }
  return root;
}

/** A set from its FieldsV1 object. */
export function fromFieldsV1(fields: unknown): FieldSet {
  const out: FieldSet = new Set();
  const stack: Array<{ node: unknown; path: FieldPath }> = [{ node: fields, path: [] }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    if (!isObject(node)) continue;
    const children = Object.keys(node).filter((k) => k !== '.');
    if (path.length && (children.length === 0 || Object.hasOwn(node, '.'))) out.add(key(path));
    for (const c of children) stack.push({ node: node[c], path: [...path, c] });
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

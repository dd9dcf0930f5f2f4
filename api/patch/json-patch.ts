// RFC 6902 JSON Patch. Operations apply to a deep copy; any failure leaves the input untouched.
import { StatusError } from '../status.js';

export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

function fail(message: string): never {
  throw new StatusError(422, 'Invalid', message);
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) fail(`invalid JSON pointer "${pointer}": must start with /`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

function resolveParent(doc: unknown, tokens: string[], op: string, path: string): { parent: Container; key: string } {
  let node: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(node)) {
      const i = Number(t);
      if (!/^\d+$/.test(t) || i >= node.length) fail(`${op} operation does not apply: doc is missing path: "${path}"`);
      node = node[i];
    } else if (node && typeof node === 'object' && t in (node as object)) {
      node = (node as Record<string, unknown>)[t];
    } else {
      fail(`${op} operation does not apply: doc is missing path: "${path}"`);
    }
  }
  if (!node || typeof node !== 'object') fail(`${op} operation does not apply: doc is missing path: "${path}"`);
  return { parent: node as Container, key: tokens[tokens.length - 1]! };
}

function get(doc: unknown, path: string, op: string): unknown {
  let node: unknown = doc;
  for (const t of parsePointer(path)) {
    if (Array.isArray(node) && /^\d+$/.test(t) && Number(t) < node.length) node = node[Number(t)];
    else if (node && typeof node === 'object' && !Array.isArray(node) && t in (node as object)) node = (node as Record<string, unknown>)[t];
    else fail(`${op} operation does not apply: doc is missing path: "${path}"`);
  }
  return node;
}

function add(doc: unknown, path: string, value: unknown, op = 'add'): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const { parent, key } = resolveParent(doc, tokens, op, path);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!/^\d+$/.test(key) && key !== '-') fail(`${op} operation does not apply: invalid array index "${key}"`);
    if (i > parent.length) fail(`${op} operation does not apply: index out of bounds: ${i}`);
    parent.splice(i, 0, value);
  } else parent[key] = value;
  return doc;
}

function remove(doc: unknown, path: string, op = 'remove'): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) fail('remove operation does not apply: cannot remove the whole document');
  const { parent, key } = resolveParent(doc, tokens, op, path);
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!/^\d+$/.test(key) || i >= parent.length) fail(`${op} operation does not apply: doc is missing path: "${path}"`);
    parent.splice(i, 1);
  } else {
    if (!(key in parent)) fail(`${op} operation does not apply: doc is missing path: "${path}"`);
    delete parent[key];
  }
  return doc;
}

export function applyJsonPatch(original: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) fail('json patch must be an array of operations');
  let doc: unknown = structuredClone(original);
  for (const raw of ops as JsonPatchOp[]) {
    if (!raw || typeof raw !== 'object' || typeof raw.path !== 'string') fail('invalid json patch operation: missing path');
    switch (raw.op) {
      case 'add':
        if (!('value' in raw)) fail('add operation does not apply: missing value');
        doc = add(doc, raw.path, structuredClone(raw.value));
        break;
      case 'remove':
        doc = remove(doc, raw.path);
        break;
      case 'replace':
        if (!('value' in raw)) fail('replace operation does not apply: missing value');
        get(doc, raw.path, 'replace');
        if (parsePointer(raw.path).length === 0) doc = structuredClone(raw.value);
        else {
          const { parent, key } = resolveParent(doc, parsePointer(raw.path), 'replace', raw.path);
          if (Array.isArray(parent)) parent[Number(key)] = structuredClone(raw.value);
          else parent[key] = structuredClone(raw.value);
        }
        break;
      case 'move': {
        if (typeof raw.from !== 'string') fail('move operation does not apply: missing from');
        const value = get(doc, raw.from, 'move');
        doc = remove(doc, raw.from, 'move');
        doc = add(doc, raw.path, value, 'move');
        break;
      }
      case 'copy': {
        if (typeof raw.from !== 'string') fail('copy operation does not apply: missing from');
        doc = add(doc, raw.path, structuredClone(get(doc, raw.from, 'copy')), 'copy');
        break;
      }
      case 'test': {
        const actual = get(doc, raw.path, 'test');
        if (!deepEqual(actual, raw.value)) fail(`testing value ${raw.path} failed: test failed`);
        break;
      }
      default:
        fail(`Unexpected kind: ${String((raw as { op?: unknown }).op)}`);
    }
  }
  return doc;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ak = Object.keys(a as object);
  const bk = Object.keys(b as object);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as any)[k], (b as any)[k]));
}

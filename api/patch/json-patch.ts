// RFC 6902 JSON Patch with Kubernetes' limits: at most 10,000 operations (413), and `copy`
// may add at most MAX_COPY_BYTES of JSON in one patch (a few copies of a growing value
// would otherwise take gigabytes). Operations apply to a deep copy, so a failure leaves the
// input untouched; only own properties are followed, so `/__proto__/x` or
// `/constructor/prototype/x` name keys that do not exist rather than Object.prototype.
import { stringify } from '../codec/json.js';
import { clone, deepEqual, hasOwn, isObject, own, setOwn, type JsonObject } from '../codec/values.js';
import { StatusError } from '../status.js';

export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

/** Kubernetes' maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10_000;
/** Kubernetes caps the bytes `copy` operations may add at the request body limit (3 MiB). */
export const MAX_COPY_BYTES = 3 * 1024 * 1024;

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

type Container = JsonObject | unknown[];

/** An array index as evanphx/json-patch reads it: digits, or a negative offset from the end. */
function arrayIndex(token: string, length: number, forInsert: boolean): number | undefined {
  if (!/^-?\d{1,9}$/.test(token)) return undefined;
  let i = Number(token);
  const max = forInsert ? length : length - 1;
  if (i < 0) i += length;
  if (i < 0 || i > max) return undefined;
  return i;
}

function missing(op: string, path: string): never {
  fail(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
}

function resolveParent(doc: unknown, tokens: string[], op: string, path: string): { parent: Container; key: string } {
  let node: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(node)) {
      const i = arrayIndex(t, node.length, false);
      if (i === undefined) missing(op, path);
      node = node[i];
    } else if (isObject(node) && hasOwn(node, t)) {
      node = node[t];
    } else {
      missing(op, path);
    }
  }
  if (!node || typeof node !== 'object') missing(op, path);
  return { parent: node as Container, key: tokens[tokens.length - 1]! };
}

function get(doc: unknown, path: string, op: string): unknown {
  let node: unknown = doc;
  for (const t of parsePointer(path)) {
    if (Array.isArray(node)) {
      const i = arrayIndex(t, node.length, false);
      if (i === undefined) missing(op, path);
      node = node[i];
    } else if (isObject(node) && hasOwn(node, t)) node = node[t];
    else missing(op, path);
  }
  return node;
}

function add(doc: unknown, path: string, value: unknown, op = 'add'): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const { parent, key } = resolveParent(doc, tokens, op, path);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : arrayIndex(key, parent.length, true);
    if (i === undefined) fail(`${op} operation does not apply: index out of bounds: ${key}`);
    parent.splice(i, 0, value);
  } else setOwn(parent, key, value);
  return doc;
}

function remove(doc: unknown, path: string, op = 'remove'): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) fail(`${op} operation does not apply: cannot remove the whole document`);
  const { parent, key } = resolveParent(doc, tokens, op, path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length, false);
    if (i === undefined) missing(op, path);
    parent.splice(i, 1);
  } else {
    if (!hasOwn(parent, key)) missing(op, path);
    delete parent[key];
  }
  return doc;
}

function replace(doc: unknown, path: string, value: unknown): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const { parent, key } = resolveParent(doc, tokens, 'replace', path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length, false);
    if (i === undefined) missing('replace', path);
    parent[i] = value;
  } else {
    if (!hasOwn(parent, key)) missing('replace', path);
    setOwn(parent, key, value);
  }
  return doc;
}

/** Checks the document is a list of operations and not too long (413, as Kubernetes answers). */
export function checkJsonPatch(ops: unknown): asserts ops is unknown[] {
  if (!Array.isArray(ops)) throw new StatusError(400, 'BadRequest', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(413, 'RequestEntityTooLarge', `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
}

function field(raw: JsonObject, name: string, op: string): string {
  const v = own(raw, name);
  if (typeof v !== 'string') fail(`${op} operation does not apply: missing ${name}`);
  return v;
}

export function applyJsonPatch(original: unknown, ops: unknown, maxCopyBytes = MAX_COPY_BYTES): unknown {
  checkJsonPatch(ops);
  let doc: unknown = clone(original);
  let copied = 0;
  for (const raw of ops) {
    if (!isObject(raw)) fail('invalid JSON patch operation: must be an object');
    const op = own(raw, 'op');
    switch (op) {
      case 'add':
        if (!hasOwn(raw, 'value')) fail('add operation does not apply: missing value');
        doc = add(doc, field(raw, 'path', op), clone(raw.value));
        break;
      case 'remove':
        doc = remove(doc, field(raw, 'path', op));
        break;
      case 'replace':
        if (!hasOwn(raw, 'value')) fail('replace operation does not apply: missing value');
        doc = replace(doc, field(raw, 'path', op), clone(raw.value));
        break;
      case 'move': {
        const from = field(raw, 'from', op);
        const path = field(raw, 'path', op);
        if (path !== from && path.startsWith(`${from}/`)) fail(`move operation does not apply: a value cannot be moved into one of its children`);
        const value = get(doc, from, op);
        doc = remove(doc, from, op);
        doc = add(doc, path, value, op);
        break;
      }
      case 'copy': {
        const value = get(doc, field(raw, 'from', op), op);
        copied += Buffer.byteLength(stringify(value) ?? 'null');
        if (copied > maxCopyBytes) {
          fail(`Unable to complete the copy, the accumulated size increase of copy is ${copied}, exceeding the limit ${maxCopyBytes}`);
        }
        doc = add(doc, field(raw, 'path', op), clone(value), op);
        break;
      }
      case 'test': {
        const path = field(raw, 'path', op);
        if (!deepEqual(get(doc, path, op), own(raw, 'value') ?? null)) fail(`testing value ${path} failed: test failed`);
        break;
      }
      default:
        fail(`Unexpected kind: ${typeof op === 'string' ? op : JSON.stringify(op ?? null)}`);
    }
  }
  return doc;
}


// RFC 7386 JSON Merge Patch: objects merge recursively, null deletes, anything else replaces.
// Applied with an explicit stack (patches may nest 10,000 levels) and own-property writes.
import { clone, isObject, own, setOwn, type JsonObject } from '../codec/values.js';

export function applyMergePatch(original: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(original) ? clone(original) : {};
  const stack: Array<[JsonObject, JsonObject]> = [[result, patch]];
  while (stack.length > 0) {
    const [target, p] = stack.pop()!;
    for (const key of Object.keys(p)) {
      const value = p[key];
      if (value === null) {
        delete target[key];
      } else if (isObject(value)) {
        let child = own(target, key);
        if (!isObject(child)) {
          child = {};
          setOwn(target, key, child);
        }
        stack.push([child as JsonObject, value]);
      } else if (value !== undefined) {
        setOwn(target, key, clone(value));
      }
    }
  }
  return result;
}

// Plain JSON values handled without recursion and without touching prototypes. Request bodies
// may nest up to 10,000 levels (Kubernetes' decoder limit), deeper than the JavaScript stack
// allows recursive code (and structuredClone) to go, and they may use `__proto__`,
// `constructor` or `prototype` as ordinary keys: every helper here reads own properties only
// and writes with define semantics, so such keys stay data and never reach Object.prototype.

import type { Unstructured } from '../types/meta.js';

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A list's items as objects ({} for what is not one), or none if it is not a list: for validating hostile input. */
export function objectItems(v: unknown): Unstructured[] {
  return Array.isArray(v) ? v.map((x) => (isObject(x) ? x : {})) : [];
}

/** The own property `key` of `o` (never an inherited one such as `__proto__` or `constructor`). */
export function own(o: unknown, key: string): unknown {
  return o !== null && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, key) ? (o as JsonObject)[key] : undefined;
}

export function hasOwn(o: unknown, key: string): boolean {
  return o !== null && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, key);
}

/** Sets an own data property; `__proto__` becomes a key like any other instead of a prototype. */
export function setOwn(o: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

/** A deep copy of a JSON value, built iteratively (any depth). `undefined` members are dropped. */
export function clone<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  const root: unknown = Array.isArray(value) ? new Array(value.length) : {};
  const stack: Array<[unknown, unknown]> = [[value, root]];
  while (stack.length > 0) {
    const [src, dst] = stack.pop()!;
    if (Array.isArray(src)) {
      const out = dst as unknown[];
      for (let i = 0; i < src.length; i++) {
        const v = src[i];
        if (v !== null && typeof v === 'object') {
          const c = Array.isArray(v) ? new Array(v.length) : {};
          out[i] = c;
          stack.push([v, c]);
        } else out[i] = v === undefined ? null : v;
      }
    } else {
      const out = dst as JsonObject;
      for (const k of Object.keys(src as object)) {
        const v = (src as JsonObject)[k];
        if (v === undefined) continue;
        if (v !== null && typeof v === 'object') {
          const c = Array.isArray(v) ? new Array(v.length) : {};
          setOwn(out, k, c);
          stack.push([v, c]);
        } else setOwn(out, k, v);
      }
    }
  }
  return root as T;
}

/** Structural equality of JSON values (objects compared by own keys; `undefined` members ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  const stack: Array<[unknown, unknown]> = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x === y) continue;
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return false;
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) stack.push([x[i], y[i]]);
      continue;
    }
    if (Array.isArray(y)) return false;
    const xk = Object.keys(x).filter((k) => (x as JsonObject)[k] !== undefined);
    const yk = Object.keys(y).filter((k) => (y as JsonObject)[k] !== undefined);
    if (xk.length !== yk.length) return false;
    for (const k of xk) {
      if (!hasOwn(y, k)) return false;
      stack.push([(x as JsonObject)[k], (y as JsonObject)[k]]);
    }
  }
  return true;
}

/** How deeply a value nests (a scalar is 0, `{}` and `[]` are 1), measured iteratively. */
export function depthOf(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > max) max = d + 1;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const c of children) if (c !== null && typeof c === 'object') stack.push([c, d + 1]);
  }
  return max;
}

/** Object.assign with own-property writes (a `__proto__` key in `source` stays a key). */
export function assignOwn<T extends object>(target: T, source: object): T {
  for (const k of Object.keys(source)) setOwn(target as JsonObject, k, (source as JsonObject)[k]);
  return target;
}

/**
 * A value as text for messages and table cells. String() would call a `toString` the data
 * itself may carry (`{"toString": {}}` throws), so objects are written as JSON instead.
 */
export function asText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v) ?? '';
  return String(v);
}

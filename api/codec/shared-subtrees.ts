// One copy of each repeated part among decoded objects of one family (the pods of one
// ReplicaSet, say), for caches that hold thousands of them. Pods made from one template repeat
// their labels, owner references, containers, tolerations and security context, and pods
// started in the same second repeat their conditions; JSON decoding gives each its own
// objects. Each arriving object is compared with the last one of its family, in one walk:
// every part equal to that one's is replaced by it, so the two share it.
//
// A shared part is frozen: it belongs to many objects, and a reader that changed it in place
// would change them all. Readers of a cache never change what it holds (client-go's rule);
// freezing turns a reader that would into an error at the spot rather than silent damage.

/** Decoded API objects the apiserver accepted nest far less; deeper parts are left as they are. */
const MAX_DEPTH = 64;

type Json = unknown;

export class SubtreeSharer {
  // Held weakly: the last pod of a ReplicaSet long gone is not kept alive by this table.
  private last = new Map<string, WeakRef<object>>();

  constructor(private readonly maxFamilies = 4096) {}

  /**
   * `value` with every part equal to the matching part of the last value of `family` replaced
   * by that (frozen) part; the value itself becomes the family's last. Returns `value`.
   */
  share<T>(value: T, family: string): T {
    if (value === null || typeof value !== 'object') return value;
    const previous = this.last.get(family)?.deref();
    if (previous !== undefined && previous !== value) shareInto(value, previous, 0);
    if (this.last.size >= this.maxFamilies && !this.last.has(family)) this.last = new Map();
    this.last.set(family, new WeakRef(value));
    return value;
  }

  get families(): number {
    return this.last.size;
  }
}

const isPlainObject = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Replaces, in `value`, the parts equal to `model`'s with `model`'s own. True when the whole of
 * `value` equals `model` (the caller then takes `model` in its place).
 */
function shareInto(value: Json, model: Json, depth: number): boolean {
  if (value === model) return true;
  if (value === null || model === null || typeof value !== 'object' || typeof model !== 'object') return false;
  if (depth > MAX_DEPTH || Object.isFrozen(value)) return false;
  if (Array.isArray(value)) {
    if (!Array.isArray(model)) return false;
    let equal = value.length === model.length;
    const n = Math.min(value.length, model.length);
    for (let i = 0; i < n; i++) {
      const part: Json = model[i];
      if (!shareInto(value[i], part, depth + 1)) equal = false;
      else if (part !== null && typeof part === 'object' && value[i] !== part) value[i] = adopt(part);
    }
    return equal;
  }
  if (!isPlainObject(model)) return false;
  const v = value as Record<string, Json>;
  let equal = true;
  let count = 0;
  for (const key in v) {
    if (!Object.hasOwn(v, key)) continue;
    count++;
    if (!Object.hasOwn(model, key)) {
      equal = false;
      continue;
    }
    const part = model[key];
    if (shareInto(v[key], part, depth + 1)) {
      // A `__proto__` key JSON.parse made is an own property that assignment would not reach.
      if (part !== null && typeof part === 'object' && v[key] !== part && key !== '__proto__') v[key] = adopt(part);
    } else equal = false;
  }
  if (equal) for (const key in model) if (Object.hasOwn(model, key)) count--;
  return equal && count === 0;
}

/** A part about to be shared: frozen, all the way down. */
function adopt(part: Json): Json {
  if (part === null || typeof part !== 'object' || Object.isFrozen(part)) return part;
  const stack: object[] = [part];
  while (stack.length > 0) {
    const o = stack.pop()!;
    if (Object.isFrozen(o)) continue;
    Object.freeze(o);
    for (const key in o) {
      const child = (o as Record<string, Json>)[key];
      if (child !== null && typeof child === 'object') stack.push(child);
    }
  }
  return part;
}

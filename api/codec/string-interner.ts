// One copy of each repeated string in a cache of decoded objects (an informer's, what the
// apiserver keeps per cached object for selectors). JSON decoding gives every occurrence of a
// value its own string, and a cache of thousands of objects repeats the same values over and
// over: image names, default tolerations, condition types, node names, owner names,
// timestamps of the same second. At 5,000 pods that was two thirds of the strings in the
// scheduler's and controller-manager's heaps (about 7-8 MB each).
//
// The table is bounded: once it holds `maxEntries` strings it starts over, so values seen once
// (uids, names of deleted objects) are not kept for good. Strings already shared stay shared.
// The bound is also the table's own weight: a Map's hash table of 16,384 entries is 0.45 MB,
// of 50,000 (the bound until 2026-12-04) 1.8 MB, and what a start-over costs is one more copy
// of each value that repeats (node names, images, times), re-shared from the next arrival.

/** Values longer than this rarely repeat (certificates, data, annotations of applied configs). */
const MAX_INTERNED_LENGTH = 128;

/** Decoded API objects the apiserver accepted nest far less; deeper parts are left as they are. */
const MAX_DEPTH = 64;

export class StringInterner {
  private table = new Map<string, string>();

  constructor(private readonly maxEntries = 16_384) {}

  /** The shared copy of `s`. */
  intern(s: string): string {
    if (s.length > MAX_INTERNED_LENGTH) return s;
    const shared = this.table.get(s);
    if (shared !== undefined) return shared;
    if (this.table.size >= this.maxEntries) this.table = new Map();
    this.table.set(s, s);
    return s;
  }

  /** Replaces, in place, every string value inside a decoded JSON value with its shared copy. */
  internValues(value: unknown, depth = 0): void {
    if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const v = value[i];
        if (typeof v === 'string') value[i] = this.intern(v);
        else if (v !== null && typeof v === 'object') this.internValues(v, depth + 1);
      }
      return;
    }
    const obj = value as Record<string, unknown>;
    // for-in over a decoded object (own keys only, no prototype chain to speak of) makes no
    // array of keys per object, which a cache of thousands of objects would pay in collections.
    for (const key in obj) {
      if (!Object.hasOwn(obj, key)) continue;
      const v = obj[key];
      // A `__proto__` key JSON.parse made is an own property that assignment would not reach
      // (it would call Object.prototype's setter): left as it is.
      if (typeof v === 'string') {
        if (key !== '__proto__') obj[key] = this.intern(v);
      } else if (v !== null && typeof v === 'object') this.internValues(v, depth + 1);
    }
  }

  get size(): number {
    return this.table.size;
  }
}

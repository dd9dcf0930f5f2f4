// JSON text in and out with Kubernetes' nesting limit. JSON.parse copes with any depth, but
// JSON.stringify gives up somewhere past 4,000 levels (it recurses on the JavaScript stack):
// `stringify` falls back to an iterative writer for the rare value that deep, so an object
// the server accepted can always be stored and served.

/** Kubernetes' decoders refuse input nested deeper than this (sigs.k8s.io/json, yaml). */
export const MAX_NESTING_DEPTH = 10_000;

export class NestingTooDeepError extends Error {
  constructor(readonly limit: number) {
    super(`exceeded max depth of ${limit}`);
  }
}

/**
 * The deepest nesting of `[`/`{` in JSON text, scanning bytes outside strings. Stops with
 * NestingTooDeepError as soon as `limit` is passed, before any parser recursion can happen.
 */
export function jsonNestingDepth(text: string | Buffer, limit = MAX_NESTING_DEPTH): number {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) {
        max = depth;
        if (max > limit) throw new NestingTooDeepError(limit);
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** Go's encoding/json wording for what JSON.parse reports, as Kubernetes' messages carry it. */
export function goJSONError(err: unknown, text: string): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/end of (JSON )?input|Unterminated string/i.test(message)) return 'unexpected end of JSON input';
  const at = /position (\d+)/.exec(message);
  const ch = at ? text[Number(at[1])] : /Unexpected token '(.)'/.exec(message)?.[1];
  const shown = ch === undefined ? '' : ch === "'" ? "'\\''" : `'${ch}'`;
  if (!shown) return message;
  if (/after JSON/.test(message)) return `invalid character ${shown} after top-level value`;
  if (/after property name/.test(message)) return `invalid character ${shown} after object key`;
  if (/after property value|after array element/.test(message)) return `invalid character ${shown} after ${/array/.test(message) ? 'array element' : 'object key:value pair'}`;
  if (/property name/.test(message)) return `invalid character ${shown} looking for beginning of object key string`;
  return `invalid character ${shown} looking for beginning of value`;
}

/** JSON.parse after the nesting check. */
export function parseJSON(text: string | Buffer, limit = MAX_NESTING_DEPTH): unknown {
  // Each level of nesting takes a character: a text no longer than the limit is within it.
  if (text.length > limit) jsonNestingDepth(text, limit);
  return JSON.parse(typeof text === 'string' ? text : text.toString('utf8'));
}

/** JSON.stringify for plain JSON values of any depth. */
export function stringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (err instanceof RangeError) return stringifyIteratively(value);
    throw err;
  }
}

type Frame = { kind: 'array'; items: unknown[]; i: number } | { kind: 'object'; entries: Array<[string, unknown]>; i: number };

/** A non-object value as JSON.stringify writes it (undefined when it would be left out). */
function scalar(v: unknown): string | undefined {
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
  if (typeof v === 'number' && !Number.isFinite(v)) return 'null';
  return JSON.stringify(v);
}

/** Same text as JSON.stringify for plain data (no toJSON methods), with an explicit stack. */
export function stringifyIteratively(value: unknown): string {
  if (value === null || typeof value !== 'object') return scalar(value) ?? 'null';
  const out: string[] = [];
  const stack: Frame[] = [];
  const open = (v: object) => {
    if (Array.isArray(v)) {
      out.push('[');
      stack.push({ kind: 'array', items: v, i: 0 });
    } else {
      out.push('{');
      const kept = Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== 'function' && typeof x !== 'symbol');
      stack.push({ kind: 'object', entries: kept, i: 0 });
    }
  };
  open(value);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.kind === 'array') {
      if (top.i >= top.items.length) {
        out.push(']');
        stack.pop();
        continue;
      }
      if (top.i > 0) out.push(',');
      const v = top.items[top.i++];
      if (v !== null && typeof v === 'object') open(v);
      else out.push(scalar(v) ?? 'null');
    } else {
      if (top.i >= top.entries.length) {
        out.push('}');
        stack.pop();
        continue;
      }
      if (top.i > 0) out.push(',');
      const [k, v] = top.entries[top.i++]!;
      out.push(JSON.stringify(k), ':');
      if (v !== null && typeof v === 'object') open(v);
      else out.push(scalar(v)!);
    }
  }
  return out.join('');
}

// Indented JSON for people: Kubernetes pretty-prints a response when the request says
// ?pretty=true, or, without a say, when the client is curl, Wget or a browser (by its
// User-Agent), as Go's MarshalIndent writes it (two spaces, no newline after). The text is
// re-indented as it is, never parsed into numbers, so an int64 beyond 2^53 keeps its digits.

import { jsonWithNewline } from './negotiation.js';

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const PEOPLE = ['curl', 'Wget', 'Mozilla/5.0'];

/** Whether a request's answer is pretty-printed: its `pretty` parameter (Go's ParseBool; anything else is false), else its User-Agent. */
export function prettyRequested(url: string | undefined, userAgent: string | undefined): boolean {
  const q = url?.indexOf('?') ?? -1;
  if (q >= 0 && url!.includes('pretty', q)) {
    const value = new URLSearchParams(url!.slice(q + 1)).get('pretty');
    if (value) return GO_TRUE.has(value);
  }
  return PEOPLE.some((p) => userAgent?.startsWith(p));
}

/** JSON text indented as Go's json.MarshalIndent(v, "", "  ") writes it; empty objects and arrays stay `{}` and `[]`. */
export function indentJSON(text: string): string {
  let out = '';
  let depth = 0;
  let start = 0;
  const newline = () => '\n' + '  '.repeat(depth);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string, escapes and all, as it is.
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    if (c === 0x7b || c === 0x5b) {
      let k = i + 1;
      while (k < text.length && /\s/.test(text[k]!)) k++;
      const close = c === 0x7b ? 0x7d : 0x5d;
      if (text.charCodeAt(k) === close) {
        out += c === 0x7b ? '{}' : '[]';
        i = k;
        continue;
      }
      depth++;
      out += text[i] + newline();
      continue;
    }
    if (c === 0x7d || c === 0x5d) {
      depth--;
      out += newline() + text[i];
      continue;
    }
    if (c === 0x2c) {
      out += ',' + newline();
      continue;
    }
    if (c === 0x3a) {
      out += ': ';
      continue;
    }
    // A number, true, false or null: up to the next delimiter.
    start = i;
    while (i + 1 < text.length && !',:]}'.includes(text[i + 1]!) && !/\s/.test(text[i + 1]!)) i++;
    out += text.slice(start, i + 1);
  }
  return out;
}

/**
 * A whole JSON answer as it leaves: indented when the client asks for it (or is a person's
 * tool), else ending with Go's newline. /version is left as its route writes it (indented, no
 * newline, whoever asks); streams (watches, logs, proxied bodies) and the OpenAPI documents go
 * as they are.
 */
export function finishedAnswer(url: string, userAgent: string | undefined, contentType: unknown, payload: unknown): unknown {
  const path = url.split('?')[0]!;
  if (path === '/version' || path.startsWith('/version/')) return payload;
  const json = typeof contentType === 'string' && contentType.startsWith('application/json');
  if (json && (typeof payload === 'string' || Buffer.isBuffer(payload)) && !path.startsWith('/openapi/') && prettyRequested(url, userAgent)) return indentJSON(payload.toString());
  return jsonWithNewline(contentType, payload);
}

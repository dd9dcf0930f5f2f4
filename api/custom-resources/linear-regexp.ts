// CRD schemas carry their authors' `pattern`s, and every object's strings are tested against
// them. Kubernetes compiles them with RE2, which runs in linear time; JavaScript's engine
// backtracks, so a pattern like ^(a+)+$ could stall the apiserver on one request. V8's
// non-backtracking engine (the `l` flag) runs in linear time and, like RE2, refuses
// backreferences and lookaround: patterns are compiled with it or not at all.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--enable-experimental-regexp-engine');

const compiled = new Map<string, RegExp | string>();

/** The pattern compiled for linear-time matching, or why it cannot be. */
export function linearRegExp(pattern: string): RegExp | string {
  let r = compiled.get(pattern);
  if (r === undefined) {
    try {
      // eslint-disable-next-line no-invalid-regexp -- V8's linear-time engine flag, enabled above
      r = new RegExp(pattern, 'l');
    } catch (err) {
      r = (err as Error).message;
    }
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, r);
  }
  return r;
}

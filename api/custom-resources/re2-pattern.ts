// Regular expressions from users (CRD schemas' `pattern`, CEL's matches / find / findAll) are
// compiled as Kubernetes compiles them: with RE2's syntax and its linear-time matching, so a
// pattern like ^(a+)+$ cannot stall the apiserver, and what RE2 refuses (backreferences,
// lookaround) is refused with Go's words. re2js is a JavaScript port of RE2.
import { RE2JS } from 're2js';

export interface Re2Pattern {
  /** Whether the pattern matches anywhere in `s` (Go's MatchString). */
  test(s: string): boolean;
  /** The leftmost match, or undefined. */
  find(s: string): string | undefined;
  /** Every non-overlapping match, at most `limit` (all when negative). */
  findAll(s: string, limit?: number): string[];
}

const compiled = new Map<string, Re2Pattern | string>();

function wrap(re: RE2JS): Re2Pattern {
  return {
    test: (s) => re.matcher(s).find(),
    find: (s) => {
      const m = re.matcher(s);
      return m.find() ? (m.group() ?? '') : undefined;
    },
    findAll: (s, limit = -1) => {
      const out: string[] = [];
      const m = re.matcher(s);
      while ((limit < 0 || out.length < limit) && m.find()) out.push(m.group() ?? '');
      return out;
    },
  };
}

/** The pattern compiled for RE2 matching, or why it cannot be (Go's regexp error text). */
export function re2Pattern(pattern: string): Re2Pattern | string {
  let r = compiled.get(pattern);
  if (r === undefined) {
    try {
      r = wrap(RE2JS.compile(pattern));
    } catch (err) {
      r = (err as Error).message;
    }
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, r);
  }
  return r;
}

// The simple JSONPath of a CRD's additionalPrinterColumns (`.spec.replicas`,
// `.status.conditions[?(@.type=="Ready")].status`, `.spec.items[0].name`, `.spec.ports[*].port`,
// `.metadata.labels['app\.kubernetes\.io/name']`), evaluated over plain JSON. Own properties only.
import { own } from '../codec/values.js';

type Step =
  | { t: 'field'; name: string }
  | { t: 'index'; i: number }
  | { t: 'all' }
  | { t: 'filter'; path: string[]; op: '==' | '!='; value: unknown };

export class JSONPathError extends Error {}

function unquote(s: string): string {
  const t = s.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1).replace(/\\(.)/g, '$1');
  return t;
}

/** Parses a path; throws JSONPathError for one it does not support. `{...}` braces are optional. */
export function parseJSONPath(path: string): Step[] {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1).trim();
  if (p.startsWith('$')) p = p.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === '.') {
      let j = i + 1;
      let name = '';
      while (j < p.length && p[j] !== '.' && p[j] !== '[') {
        if (p[j] === '\\' && j + 1 < p.length) j++;
        name += p[j];
        j++;
      }
      if (!name) throw new JSONPathError(`empty field name in ${path}`);
      steps.push({ t: 'field', name });
      i = j;
    } else if (c === '[') {
      const end = p.indexOf(']', i);
      if (end < 0) throw new JSONPathError(`unclosed [ in ${path}`);
      let inner = p.slice(i + 1, end);
      // A filter's literal may itself contain ']' only when quoted; find the real end.
      if (inner.startsWith('?(')) {
        const close = p.indexOf(')]', i);
        if (close < 0) throw new JSONPathError(`unclosed filter in ${path}`);
        inner = p.slice(i + 1, close + 1);
        i = close + 2;
        // The literal is trimmed after the match: a lazy `(.+?)\s*\)` beside a long run of spaces takes quadratic time.
        const m = /^\?\(\s*@((?:\.[^.=!\s]+)+)\s*(==|!=)(.*)\)$/.exec(inner);
        const literal = m?.[3]!.trim();
        if (!m || !literal) throw new JSONPathError(`unsupported filter ${inner} in ${path}`);
        const value = /^["']/.test(literal) ? unquote(literal) : literal === 'true' ? true : literal === 'false' ? false : Number(literal);
        steps.push({ t: 'filter', path: m[1]!.slice(1).split('.'), op: m[2] as '==' | '!=', value });
        continue;
      }
      i = end + 1;
      if (inner === '*') steps.push({ t: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ t: 'index', i: Number(inner) });
      else if (/^["'].*["']$/.test(inner)) steps.push({ t: 'field', name: unquote(inner) });
      else throw new JSONPathError(`unsupported subscript [${inner}] in ${path}`);
    } else {
      throw new JSONPathError(`unexpected ${c} in ${path}`);
    }
  }
  return steps;
}

/** Every value the path selects, in document order. */
export function evaluateJSONPath(steps: Step[], value: unknown): unknown[] {
  let current: unknown[] = [value];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (step.t === 'field') {
        const x = own(v, step.name);
        if (x !== undefined) next.push(x);
      } else if (step.t === 'index') {
        if (Array.isArray(v)) {
          const x = v[step.i < 0 ? v.length + step.i : step.i];
          if (x !== undefined) next.push(x);
        }
      } else if (step.t === 'all') {
        if (Array.isArray(v)) next.push(...v);
        else if (v && typeof v === 'object') next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const item of v) {
          let x: unknown = item;
          for (const f of step.path) x = own(x, f);
          const equal = x === step.value || (x !== undefined && String(x) === String(step.value) && typeof step.value !== 'string' && typeof x !== 'string');
          if (step.op === '==' ? equal : !equal) next.push(item);
        }
      }
    }
    current = next;
  }
  return current;
}

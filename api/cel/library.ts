// The functions Kubernetes adds to CEL for validation rules and admission policies (its
// "libraries": lists, regex, URLs, IPs and CIDRs, quantities, extended strings, formats, sets), registered
// on an environment of the CEL engine. Regular expressions run on RE2, as in Kubernetes: an
// expression cannot stall the server.
import type { Environment } from '@marcbachmann/cel-js';
import { parseQuantity } from '../quantity.js';
import { re2Pattern, type Re2Pattern } from '../custom-resources/re2-pattern.js';
import { registerAuthorizerLibrary } from './authorizer-library.js';
import { registerFormatLibrary } from './format-library.js';
import { registerNetworkLibrary } from './network-library.js';
import { registerSetsLibrary } from './sets-library.js';
import { celEquals } from './schema-types.js';

import { CelRuntimeError } from './errors.js';

function pattern(p: string): Re2Pattern {
  const r = re2Pattern(p);
  if (typeof r === 'string') throw new CelRuntimeError(r);
  return r;
}

type Comparable = bigint | number | string | boolean | Date;

function compare(a: Comparable, b: Comparable): number {
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A Kubernetes resource quantity (`quantity("100m")`), held as its numeric value. */
export class Quantity {
  constructor(readonly value: number) {}
}

/** A parsed URL (`url("https://example.com:80/path")`), as Go's url.ParseRequestURI reads one. */
export class CelURL {
  constructor(readonly url: URL, readonly absolutePath: boolean) {}
}

function parseURL(s: string): CelURL | undefined {
  if (s.startsWith('/')) {
    try {
      return new CelURL(new URL(s, 'http://placeholder'), true);
    } catch {
      return undefined;
    }
  }
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s)) return undefined;
  try {
    return new CelURL(new URL(s), false);
  } catch {
    return undefined;
  }
}

function quantityOf(s: string): Quantity {
  const v = parseQuantity(s);
  if (v === undefined) throw new CelRuntimeError('quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'');
  return new Quantity(v);
}

function formatOne(verb: string, precision: number | undefined, arg: unknown): string {
  switch (verb) {
    case 's':
      return typeof arg === 'string' ? arg : arg instanceof Date ? arg.toISOString() : Array.isArray(arg) ? `[${arg.map((a) => formatOne('s', undefined, a)).join(', ')}]` : String(arg);
    case 'd':
      if (typeof arg !== 'bigint') throw new CelRuntimeError('error during formatting: decimal clause can only be used on integers');
      return arg.toString();
    case 'f':
    case 'e':
      if (typeof arg !== 'number' && typeof arg !== 'bigint') throw new CelRuntimeError('error during formatting: fixed-point clause can only be used on doubles');
      return verb === 'f' ? Number(arg).toFixed(precision ?? 6) : Number(arg).toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
    case 'x':
    case 'X': {
      const text = typeof arg === 'string' ? Buffer.from(arg).toString('hex') : typeof arg === 'bigint' ? arg.toString(16) : String(arg);
      return verb === 'X' ? text.toUpperCase() : text;
    }
    case 'o':
      return typeof arg === 'bigint' ? arg.toString(8) : String(arg);
    case 'b':
      return typeof arg === 'bigint' ? arg.toString(2) : String(arg);
    default:
      throw new CelRuntimeError(`error during formatting: unrecognized formatting clause "${verb}"`);
  }
}

function format(template: string, args: unknown[]): string {
  let next = 0;
  return template.replace(/%(?:\.(\d+))?([a-zA-Z%])/g, (_m, precision: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (next >= args.length) throw new CelRuntimeError('error during formatting: index out of range');
    return formatOne(verb, precision === undefined ? undefined : Number(precision), args[next++]);
  });
}

/** Registers Kubernetes' CEL libraries on `env` and returns it. */
/** cel-go's strings.quote: the string as a double-quoted CEL literal. */
function quote(s: string): string {
  const escapes: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"' };
  // Lone surrogates are not text: they become U+FFFD, as invalid UTF-8 does in cel-go.
  return `"${s.replace(/[\x07\b\f\n\r\t\v\\"]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => escapes[c] ?? '\ufffd')}"`;
}

class StringsNamespace {}

export function registerKubernetesLibrary(env: Environment): Environment {
  registerNetworkLibrary(env);
  registerFormatLibrary(env);
  registerSetsLibrary(env);
  registerAuthorizerLibrary(env);
  env.registerType('kubernetes.StringsNamespace', StringsNamespace);
  env.registerConstant('strings', 'kubernetes.StringsNamespace', new StringsNamespace());
  env.registerFunction('kubernetes.StringsNamespace.quote(string): string', (_ns: StringsNamespace, s: string) => quote(s));
  return (
    env
      // regex
      .registerFunction('matches(string, string): bool', (s: string, p: string) => pattern(p).test(s))
      .registerFunction('string.matchesRE2(string): bool', (s: string, p: string) => pattern(p).test(s))
      .registerFunction('string.find(string): string', (s: string, p: string) => pattern(p).find(s) ?? '')
      .registerFunction('string.findAll(string): list<string>', (s: string, p: string) => pattern(p).findAll(s))
      .registerFunction('string.findAll(string, int): list<string>', (s: string, p: string, n: bigint) => pattern(p).findAll(s, n < 0n ? -1 : Number(n)))
      // extended strings
      .registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
        const chars = [...s];
        if (i < 0n || i > BigInt(chars.length)) throw new CelRuntimeError(`index out of range: ${i}`);
        return chars[Number(i)] ?? '';
      })
      .registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) => s.split(a).join(b))
      .registerFunction('string.replace(string, string, int): string', (s: string, a: string, b: string, n: bigint) => {
        if (n < 0n) return s.split(a).join(b);
        const parts = s.split(a);
        const count = Math.min(Number(n), parts.length - 1);
        return parts.slice(0, count + 1).join(b) + (count < parts.length - 1 ? a + parts.slice(count + 1).join(a) : '');
      })
      .registerFunction('string.reverse(): string', (s: string) => [...s].reverse().join(''))
      .registerFunction('string.format(list<dyn>): string', (s: string, args: unknown[]) => format(s, args))
      // lists
      .registerFunction('list<A>.isSorted(): bool', (l: Comparable[]) => l.every((x, i) => i === 0 || compare(l[i - 1]!, x) <= 0))
      .registerFunction('list<A>.sum(): A', (l: Array<bigint | number>) => {
        if (l.length === 0) return 0n;
        let total: bigint | number = l[0]!;
        for (const x of l.slice(1)) total = typeof total === 'bigint' && typeof x === 'bigint' ? total + x : Number(total) + Number(x);
        return total;
      })
      .registerFunction('list<A>.min(): A', (l: Comparable[]) => {
        if (l.length === 0) throw new CelRuntimeError('min called on empty list');
        return l.reduce((m, x) => (compare(x, m) < 0 ? x : m));
      })
      .registerFunction('list<A>.max(): A', (l: Comparable[]) => {
        if (l.length === 0) throw new CelRuntimeError('max called on empty list');
        return l.reduce((m, x) => (compare(x, m) > 0 ? x : m));
      })
      .registerFunction('list<A>.indexOf(A): int', (l: unknown[], v: unknown) => BigInt(l.findIndex((x) => celEquals(x, v))))
      .registerFunction('list<A>.lastIndexOf(A): int', (l: unknown[], v: unknown) => {
        for (let i = l.length - 1; i >= 0; i--) if (celEquals(l[i], v)) return BigInt(i);
        return -1n;
      })
      // URLs
      .registerType('net.URL', CelURL)
      .registerFunction('url(string): net.URL', (s: string) => {
        const u = parseURL(s);
        if (!u) throw new CelRuntimeError(`URL parse error during conversion from string: parse "${s}": invalid URI for request`);
        return u;
      })
      .registerFunction('isURL(string): bool', (s: string) => parseURL(s) !== undefined)
      .registerFunction('net.URL.getScheme(): string', (u: CelURL) => (u.absolutePath ? '' : u.url.protocol.replace(/:$/, '')))
      .registerFunction('net.URL.getHost(): string', (u: CelURL) => (u.absolutePath ? '' : u.url.host))
      .registerFunction('net.URL.getHostname(): string', (u: CelURL) => (u.absolutePath ? '' : u.url.hostname.replace(/^\[(.*)\]$/, '$1')))
      .registerFunction('net.URL.getPort(): string', (u: CelURL) => (u.absolutePath ? '' : u.url.port))
      .registerFunction('net.URL.getEscapedPath(): string', (u: CelURL) => u.url.pathname)
      .registerFunction('net.URL.getQuery(): map<string, list<string>>', (u: CelURL) => {
        const out: Record<string, string[]> = {};
        for (const [k, v] of u.url.searchParams) (Object.hasOwn(out, k) ? out[k]! : (Object.defineProperty(out, k, { value: [], enumerable: true, writable: true, configurable: true }), out[k]!)).push(v);
        return out;
      })
      // quantities
      .registerType('kubernetes.Quantity', Quantity)
      .registerFunction('quantity(string): kubernetes.Quantity', quantityOf)
      .registerFunction('isQuantity(string): bool', (s: string) => parseQuantity(s) !== undefined)
      .registerFunction('kubernetes.Quantity.sign(): int', (q: Quantity) => BigInt(Math.sign(q.value)))
      .registerFunction('kubernetes.Quantity.isInteger(): bool', (q: Quantity) => Number.isSafeInteger(q.value))
      .registerFunction('kubernetes.Quantity.asInteger(): int', (q: Quantity) => {
        if (!Number.isSafeInteger(q.value)) throw new CelRuntimeError('cannot convert value to integer');
        return BigInt(q.value);
      })
      .registerFunction('kubernetes.Quantity.asApproximateFloat(): double', (q: Quantity) => q.value)
      .registerFunction('kubernetes.Quantity.add(kubernetes.Quantity): kubernetes.Quantity', (a: Quantity, b: Quantity) => new Quantity(a.value + b.value))
      .registerFunction('kubernetes.Quantity.add(int): kubernetes.Quantity', (a: Quantity, b: bigint) => new Quantity(a.value + Number(b)))
      .registerFunction('kubernetes.Quantity.sub(kubernetes.Quantity): kubernetes.Quantity', (a: Quantity, b: Quantity) => new Quantity(a.value - b.value))
      .registerFunction('kubernetes.Quantity.sub(int): kubernetes.Quantity', (a: Quantity, b: bigint) => new Quantity(a.value - Number(b)))
      .registerFunction('kubernetes.Quantity.isLessThan(kubernetes.Quantity): bool', (a: Quantity, b: Quantity) => a.value < b.value)
      .registerFunction('kubernetes.Quantity.isGreaterThan(kubernetes.Quantity): bool', (a: Quantity, b: Quantity) => a.value > b.value)
      .registerFunction('kubernetes.Quantity.compareTo(kubernetes.Quantity): int', (a: Quantity, b: Quantity) => BigInt(Math.sign(a.value - b.value)))
      .registerOperator('kubernetes.Quantity == kubernetes.Quantity', (a: Quantity, b: Quantity) => a.value === b.value)
  );
}

// A quantity as Kubernetes writes it back: the Go type parses "0.5" and writes "500m", "1024Mi"
// becomes "1Gi", "1000m" becomes "1", while a string already in its canonical form is kept
// exactly as sent. Every stored object's quantities go through this (a pod's resources, a
// node's capacity, a quota's hard limits), so `kubectl get -o yaml` shows what Kubernetes shows.
// Exact arithmetic on BigInt, following the Go parser's two paths: an int64 fast path that may
// keep the client's string, and an arbitrary-precision one that rounds up to nano units.

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_EXPONENT = new Map(Object.entries(BINARY_SUFFIXES).map(([s, e]) => [e, s]));

/** Longer strings are left as they are: BigInt parsing is quadratic, and no real quantity is this long. */
const MAX_LENGTH = 100;
/** Go's maxInt64Factors: digits an int64 always holds. */
const INT64_DIGITS = 18;
const INT64_MAX = (1n << 63n) - 1n;
const NANO = -9;

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** A value unscaled × 10^-scale. */
interface Decimal {
  unscaled: bigint;
  scale: number;
}

interface Parts {
  positive: boolean;
  /** The number as written, sign included, suffix excluded. */
  value: string;
  /** Digits before the point, leading zeros removed ("0" when none are left), and after it. */
  num: string;
  denom: string;
  suffix: string;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** Splits a quantity as Go's parseQuantityString does; undefined where Go reports an error. */
function split(str: string): Parts | undefined {
  let pos = 0;
  const end = str.length;
  let positive = true;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') pos++;
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  const num = str.slice(pos, i) || '0';
  if (i >= end) return { positive, value: str, num, denom: '', suffix: '' };
  pos = i;
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    if (i >= end) return { positive, value: str, num, denom, suffix: '' };
    pos = i;
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  i = pos;
  while (i < end && 'eEinumkKMGTP'.includes(str[i]!)) i++;
  if (i < end && (str[i] === '-' || str[i] === '+')) i++;
  while (i < end && isDigit(str[i])) i++;
  return i >= end ? { positive, value, num, denom, suffix: str.slice(suffixStart) } : undefined;
}

/** What a suffix means (Go's interpret); undefined when it is none Kubernetes knows. */
function interpret(suffix: string): { base: 10 | 2; exponent: number; format: Format } | undefined {
  if (Object.hasOwn(DECIMAL_SUFFIXES, suffix)) return { base: 10, exponent: DECIMAL_SUFFIXES[suffix]!, format: 'DecimalSI' };
  if (Object.hasOwn(BINARY_SUFFIXES, suffix)) return { base: 2, exponent: BINARY_SUFFIXES[suffix]!, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?\d{1,18}$/.test(suffix.slice(1))) {
    // Go parses the exponent as an int64 and keeps its low 32 bits.
    return { base: 10, exponent: Number(BigInt.asIntN(32, BigInt(suffix.slice(1)))), format: 'DecimalExponent' };
  }
  return undefined;
}

const pow10 = (n: number) => 10n ** BigInt(n);
const abs = (n: bigint) => (n < 0n ? -n : n);

/** `d` rounded away from zero to at most nano precision (Go: inf.RoundUp to scale 9). */
function roundUpToNano(d: Decimal): Decimal {
  const drop = d.scale + NANO;
  if (drop <= 0 || d.unscaled === 0n) return d;
  const sign = d.unscaled < 0n ? -1n : 1n;
  const magnitude = abs(d.unscaled);
  // More digits dropped than the number has: what is left is one nano unit.
  if (drop > magnitude.toString().length) return { unscaled: sign, scale: -NANO };
  const divisor = pow10(drop);
  const q = magnitude / divisor;
  return { unscaled: sign * (magnitude % divisor === 0n ? q : q + 1n), scale: -NANO };
}

/** Removes factors of `base` from `n` (its sign kept), counting them. */
function removeFactors(n: bigint, base: bigint): { rest: bigint; times: number } {
  let rest = n;
  let times = 0;
  while (rest !== 0n && rest % base === 0n) {
    rest /= base;
    times++;
  }
  return { rest, times };
}

/** Go's CanonicalizeBytes: the canonical text of the value `d` in `format`. */
function canonicalText(d: Decimal, format: Format): string {
  if (d.unscaled === 0n) return '0';
  let shown = format;
  let whole: bigint | undefined;
  if (format === 'BinarySI') {
    const isWhole = d.scale <= 0 || d.unscaled % pow10(d.scale) === 0n;
    whole = isWhole ? (d.scale <= 0 ? d.unscaled * pow10(-d.scale) : d.unscaled / pow10(d.scale)) : undefined;
    const small = whole !== undefined ? abs(whole) < 1024n : abs(d.unscaled) < 1024n * pow10(d.scale);
    if (small || whole === undefined) shown = 'DecimalSI';
  }
  if (shown === 'BinarySI') {
    const { rest, times } = removeFactors(whole!, 1024n);
    return `${rest}${BINARY_BY_EXPONENT.get(times * 10) ?? ''}`;
  }
  const factors = removeFactors(d.unscaled, 10n);
  let rest = factors.rest;
  let exponent = factors.times - d.scale;
  while (exponent % 3 !== 0) {
    rest *= 10n;
    exponent--;
  }
  if (shown === 'DecimalExponent') return exponent === 0 ? `${rest}` : `${rest}e${exponent}`;
  // Go writes no suffix for an exponent it has none for (beyond E).
  return `${rest}${DECIMAL_BY_EXPONENT.get(exponent) ?? ''}`;
}

/**
 * The quantity `input` as Kubernetes stores it (Go's ParseQuantity, then its JSON encoding),
 * or undefined when it is not a quantity (validation reports that) or too long to bother.
 */
export function canonicalQuantity(input: string | number): string | undefined {
  const str = (typeof input === 'number' ? String(input) : input).trim();
  if (str.length === 0 || str.length > MAX_LENGTH) return undefined;
  if (str === '0') return str;
  const parts = split(str);
  if (!parts) return undefined;
  const meaning = interpret(parts.suffix);
  if (!meaning) return undefined;
  const { num, denom, positive } = parts;
  const { base, exponent } = meaning;
  let { format } = meaning;

  // The int64 fast path, which keeps the client's own string when it is already canonical.
  let precision: number;
  let scale = 0;
  let mantissa = 1n;
  if (base === 10) {
    scale = exponent;
    precision = INT64_DIGITS - (num.length + denom.length);
  } else if (exponent >= 0 && denom.length === 0) {
    mantissa = 1n << BigInt(exponent);
    precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
  } else precision = -1;
  if (precision >= 0) {
    scale -= denom.length;
    if (scale >= NANO) {
      const shifted = num + denom;
      const value = BigInt(shifted);
      const product = value * mantissa;
      if (product <= INT64_MAX) {
        const canonical =
          format === 'BinarySI'
            ? exponent % 10 === 0 && (value & 7n) !== 0n
            : scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
        if (canonical) return str;
        return canonicalText({ unscaled: positive ? product : -product, scale: -scale }, format);
      }
    }
  }

  // Arbitrary precision: the value, rounded up to nano units (only a BinarySI value is capped).
  const digits = parts.value.replace(/^[+-]/, '');
  const point = digits.indexOf('.');
  let d: Decimal = { unscaled: BigInt(point < 0 ? digits : digits.slice(0, point) + digits.slice(point + 1) || '0'), scale: point < 0 ? 0 : digits.length - point - 1 };
  if (base === 10) d = { unscaled: d.unscaled, scale: d.scale - exponent };
  else d = { unscaled: d.unscaled << BigInt(exponent), scale: d.scale };
  d = roundUpToNano(d);
  if (format === 'BinarySI' && d.unscaled > INT64_MAX * pow10(d.scale)) d = { unscaled: INT64_MAX, scale: 0 };
  if (format === 'BinarySI' && d.unscaled > 0n && d.unscaled < pow10(d.scale)) format = 'DecimalSI';
  if (!positive) d = { unscaled: -d.unscaled, scale: d.scale };
  return canonicalText(d, format);
}

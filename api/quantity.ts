// Resource quantities ("100m", "128Mi", "1.5", "2e3"), as numbers in base units.
const SUFFIX: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

// `\d+(?:\.\d*)?`, not `\d+\.?\d*`: the latter splits a run of digits two ways, and a long
// run that fails at its end took quadratic time (100,000 digits: 21 s of a blocked event loop).
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

// The few quantities a cluster writes ("100m", "128Mi") are parsed on every pod write and
// scheduling decision: each parsed once (bounded in count and length, as any string may be
// sent: forgotten all at once when full, and long strings never kept).
const parsed = new Map<string, number | undefined>();
const PARSED_MAX = 1024;

/** Parses a quantity to base units; returns undefined when the string is not a quantity. */
export function parseQuantity(input: string | number | undefined | null): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) ? input : undefined;
  if (typeof input !== 'string') return undefined;
  if (parsed.has(input)) return parsed.get(input);
  const value = parseQuantityText(input);
  if (input.length > 64) return value;
  if (parsed.size >= PARSED_MAX) parsed.clear();
  parsed.set(input, value);
  return value;
}

function parseQuantityText(input: string): number | undefined {
  const m = QUANTITY.exec(input.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[3] !== undefined) return base * 10 ** Number(m[3]);
  return base * SUFFIX[m[2] ?? '']!;
}

export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const SUFFIX_ERROR = "unable to parse quantity's suffix";
const SUFFIX_LETTERS = new Set('eEinumkKMGTP');

/**
 * Why a string is not a quantity, in the words of Kubernetes' parser, or undefined when it is
 * one. A string of the general shape (number, then letters, sign and digits) whose suffix is
 * none Kubernetes knows ("1Qi" is not of the shape, "1mi" is) gets the suffix error. Scanned by
 * hand: the shape's own regular expression backtracks over long runs of digits.
 */
export function quantityError(input: string): string | undefined {
  if (parseQuantity(input) !== undefined) return undefined;
  const s = input.trim();
  let i = 0;
  if (s[i] === '+' || s[i] === '-') i++;
  const numberStart = i;
  while (i < s.length && ((s[i]! >= '0' && s[i]! <= '9') || s[i] === '.')) i++;
  if (i === numberStart) return QUANTITY_FORMAT_ERROR;
  const number = s.slice(numberStart, i);
  while (i < s.length && SUFFIX_LETTERS.has(s[i]!)) i++;
  if (s[i] === '+' || s[i] === '-') i++;
  while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
  if (i < s.length || !/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(number)) return QUANTITY_FORMAT_ERROR;
  return SUFFIX_ERROR;
}

export function isQuantity(input: unknown): boolean {
  return (typeof input === 'string' || typeof input === 'number') && parseQuantity(input) !== undefined;
}

/** A quantity in thousandths (CPU millicores), rounded up as Kubernetes does. */
export function milliValue(input: string | number | undefined | null): number {
  const v = parseQuantity(input);
  return v === undefined ? 0 : Math.ceil(v * 1000 - 1e-9);
}

const DECIMAL_SUFFIXES = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/**
 * A count of thousandths written as Kubernetes writes a decimal quantity made from it
 * (resource.NewMilliQuantity(v, DecimalSI)): "250m", "2", "1500m", "12k", "104857600".
 */
export function formatMilliQuantity(milli: number): string {
  const m = Math.trunc(milli);
  if (m === 0) return '0';
  if (m % 1000 !== 0) return `${m}m`;
  let v = m / 1000;
  let i = 0;
  while (i < DECIMAL_SUFFIXES.length - 1 && v % 1000 === 0) {
    v /= 1000;
    i++;
  }
  return `${v}${DECIMAL_SUFFIXES[i]}`;
}

const BINARY_SUFFIXES = ['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** Whether a quantity is written with a binary suffix (128Mi), as sums of it are then written. */
export function isBinaryQuantity(q: string | number | undefined): boolean {
  return typeof q === 'string' && BINARY_SUFFIXES.some((b) => q.endsWith(b));
}

/**
 * A value in base units written as Kubernetes writes a sum: with the largest binary suffix
 * that divides it when `binary` (1200Mi), else as a decimal quantity (1500m, 2, 12k).
 */
export function formatQuantity(value: number, binary: boolean): string {
  if (binary && value > 0) {
    for (let i = BINARY_SUFFIXES.length - 1; i >= 0; i--) {
      const unit = 1024 ** (i + 1);
      if (value % unit === 0) return `${value / unit}${BINARY_SUFFIXES[i]}`;
    }
  }
  return formatMilliQuantity(Math.round(value * 1000));
}

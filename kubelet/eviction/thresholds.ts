// Node-pressure eviction thresholds as Kubernetes' kubelet takes them: `--eviction-hard` and
// `--eviction-soft` ("memory.available<100Mi,nodefs.available<10%"), soft ones with a grace
// period each (`--eviction-soft-grace-period`, "memory.available=1m30s"), and a minimum reclaim
// (`--eviction-minimum-reclaim`, "nodefs.available=500Mi") that keeps a threshold met until that
// much more than it is free again. Errors are Kubernetes' own words.
import { parseGoDuration } from '../../api/go-duration.js';
import { parseQuantity, quantityError } from '../../api/quantity.js';

/** The signals this kubelet observes, each with the node condition it raises and what a pod is ranked by. */
export const SIGNALS = {
  'memory.available': { condition: 'MemoryPressure', resource: 'memory' },
  'nodefs.available': { condition: 'DiskPressure', resource: 'ephemeral-storage' },
  'nodefs.inodesFree': { condition: 'DiskPressure', resource: 'inodes' },
  'imagefs.available': { condition: 'DiskPressure', resource: 'ephemeral-storage' },
  'imagefs.inodesFree': { condition: 'DiskPressure', resource: 'inodes' },
  'pid.available': { condition: 'PIDPressure', resource: 'pids' },
} as const;

export type Signal = keyof typeof SIGNALS;
export type PressureCondition = (typeof SIGNALS)[Signal]['condition'];
export type StarvedResource = (typeof SIGNALS)[Signal]['resource'];

/** Kubernetes' default `--eviction-hard` on Linux. */
export const DEFAULT_EVICTION_HARD = 'imagefs.available<15%,imagefs.inodesFree<5%,memory.available<100Mi,nodefs.available<10%,nodefs.inodesFree<5%';

/** A quantity as written ("100Mi"), or a fraction of the signal's capacity. */
export type ThresholdValue = { quantity: number; text: string } | { percentage: number };

export interface Threshold {
  signal: Signal;
  value: ThresholdValue;
  /** 0 for a hard threshold: acted on as soon as it is observed. */
  gracePeriodMs: number;
  minReclaim?: ThresholdValue;
}

export class ThresholdError extends Error {}

const isSignal = (s: string): s is Signal => Object.hasOwn(SIGNALS, s);

function signalOf(name: string): Signal {
  if (!isSignal(name)) throw new ThresholdError(`unsupported eviction signal ${name}`);
  return name;
}

/** "a<b,c<d" or "a=b,c=d" into pairs (a repeated key: the last wins, as a Go map flag keeps it). */
function statements(spec: string, separator: '<' | '='): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of spec.split(',').map((s) => s.trim())) {
    if (!part) continue;
    const at = part.indexOf(separator);
    if (at <= 0) throw new ThresholdError(`malformed pair, expect string${separator}string: ${JSON.stringify(part)}`);
    out.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return out;
}

/** A percentage as Kubernetes holds it: a float32 fraction. */
function parsePercentage(text: string): number {
  const body = text.slice(0, -1);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(body)) throw new ThresholdError(`strconv.ParseFloat: parsing ${JSON.stringify(body)}: invalid syntax`);
  return Math.fround(Math.fround(Number(body)) / 100);
}

function parseQuantityValue(text: string): number {
  const err = quantityError(text);
  const q = err ? undefined : parseQuantity(text);
  if (q === undefined) throw new ThresholdError(err ?? `quantities must match the regular expression`);
  return q;
}

/** One threshold statement's value; undefined for 0% and 100%, which Kubernetes ignores. */
function thresholdValue(signal: Signal, text: string): ThresholdValue | undefined {
  if (text.endsWith('%')) {
    if (text === '0%' || text === '100%') return undefined;
    const percentage = parsePercentage(text);
    if (percentage < 0) throw new ThresholdError(`eviction percentage threshold ${signal} must be >= 0%: ${text}`);
    if (percentage > 1) throw new ThresholdError(`eviction percentage threshold ${signal} must be <= 100%: ${text}`);
    return { percentage };
  }
  const quantity = parseQuantityValue(text);
  if (quantity <= 0) throw new ThresholdError(`eviction threshold ${signal} must be positive: ${text}`);
  return { quantity, text };
}

function minReclaimValue(signal: Signal, text: string): ThresholdValue {
  if (text.endsWith('%')) {
    const percentage = parsePercentage(text);
    if (percentage <= 0) throw new ThresholdError(`eviction percentage minimum reclaim ${signal} must be positive: ${text}`);
    return { percentage };
  }
  const quantity = parseQuantityValue(text);
  if (quantity < 0) throw new ThresholdError(`negative eviction minimum reclaim specified for ${signal}`);
  return { quantity, text };
}

export interface ThresholdFlags {
  hard: string;
  soft?: string;
  softGracePeriod?: string;
  minimumReclaim?: string;
}

/** The thresholds the flags ask for: hard ones first, then soft ones, as Kubernetes lists them. */
export function parseThresholds(flags: ThresholdFlags): Threshold[] {
  const graces = new Map<Signal, number>();
  for (const [name, text] of statements(flags.softGracePeriod ?? '', '=')) {
    const signal = signalOf(name);
    let ms: number;
    try {
      ms = parseGoDuration(text);
    } catch (err) {
      throw new ThresholdError((err as Error).message);
    }
    if (ms < 0) throw new ThresholdError(`invalid eviction grace period specified: ${text}, must be a positive value`);
    graces.set(signal, ms);
  }
  const reclaims = new Map<Signal, ThresholdValue>();
  for (const [name, text] of statements(flags.minimumReclaim ?? '', '=')) {
    const signal = signalOf(name);
    reclaims.set(signal, minReclaimValue(signal, text));
  }
  const out: Threshold[] = [];
  for (const [name, text] of statements(flags.hard, '<')) {
    const signal = signalOf(name);
    const value = thresholdValue(signal, text);
    if (value) out.push({ signal, value, gracePeriodMs: 0 });
  }
  for (const [name, text] of statements(flags.soft ?? '', '<')) {
    const signal = signalOf(name);
    const value = thresholdValue(signal, text);
    if (!value) continue;
    const grace = graces.get(signal);
    if (grace === undefined) throw new ThresholdError(`grace period must be specified for the soft eviction threshold ${signal}`);
    out.push({ signal, value, gracePeriodMs: grace });
  }
  for (const t of out) {
    const r = reclaims.get(t.signal);
    if (r) t.minReclaim = r;
  }
  return out;
}

export const isHard = (t: Threshold): boolean => t.gracePeriodMs === 0;

/** The amount a value stands for against a signal's capacity (a percentage of it, truncated). */
export function thresholdQuantity(value: ThresholdValue, capacity: number): number {
  return 'quantity' in value ? value.quantity : Math.trunc(capacity * value.percentage);
}

/** How a threshold's amount is written in messages: as given, or as Kubernetes writes a computed one. */
export function thresholdQuantityText(value: ThresholdValue, capacity: number, resource: StarvedResource): string {
  return 'quantity' in value ? value.text : formatAmount(thresholdQuantity(value, capacity), resource);
}

/**
 * An amount as Go's resource.Quantity prints it: bytes in binary SI (the largest power of 1024
 * that divides them, else plain), counts in decimal SI (the largest power of 1000 that divides them).
 */
export function formatAmount(n: number, resource: StarvedResource): string {
  const whole = Math.trunc(n);
  const binary = resource === 'memory' || resource === 'ephemeral-storage';
  const base = binary ? 1024 : 1000;
  const suffixes = binary ? ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] : ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  if (whole === 0) return '0';
  let v = whole;
  let i = 0;
  while (i < suffixes.length - 1 && v % base === 0) {
    v /= base;
    i++;
  }
  // Go writes small binary amounts (below 1Ki) in decimal SI: 1000 bytes is "1k".
  if (binary && i === 0 && Math.abs(whole) < 1024) return formatAmount(whole, 'pids');
  return `${v}${suffixes[i]}`;
}

/**
 * What the hard thresholds hold back from pods, as Kubernetes subtracts it from the node's
 * allocatable: memory.available from memory, nodefs.available from ephemeral-storage.
 */
export function evictionReservation(thresholds: Threshold[], memoryCapacity: number, storageCapacity: number | undefined): { memory?: number; 'ephemeral-storage'?: number } {
  const out: { memory?: number; 'ephemeral-storage'?: number } = {};
  for (const t of thresholds) {
    if (!isHard(t)) continue;
    if (t.signal === 'memory.available') out.memory = thresholdQuantity(t.value, memoryCapacity);
    if (t.signal === 'nodefs.available' && storageCapacity !== undefined) out['ephemeral-storage'] = thresholdQuantity(t.value, storageCapacity);
  }
  return out;
}

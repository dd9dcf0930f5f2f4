// An object as it comes out of Kubernetes' Go types: decoded into the Go struct and encoded
// again, so fields the type does not have are gone, `omitempty` fields holding a zero are left
// out, fields Go always writes are there (a struct held by value as `{}`, a zero time as null:
// a pod template's `metadata.creationTimestamp: null`). Clients that compare what they read with
// their own re-encoding of it need exactly this; `kubectl rollout undo` compares a DaemonSet's or
// StatefulSet's template so with the data of a ControllerRevision, byte for byte, to tell a
// rollback that changes nothing.
import { goFields, scalarMessageZero, type GoField } from './go-zero.js';
import { canonicalQuantity } from '../quantity-canonical.js';
import { messageOf, schema, WELL_KNOWN } from './schema.js';

const OMIT = Symbol('omit');
const MAX_DEPTH = 64;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `value` (the JSON of a `message`, e.g. k8s.io.api.core.v1.PodTemplateSpec) as Go would write it. */
export function goJSON(message: string, value: unknown, depth = 0): unknown {
  const scalar = scalarMessageZero(message);
  if (scalar) {
    if (value === undefined || value === null) return scalar.zero;
    return message === WELL_KNOWN.quantity ? quantityJSON(value) : value;
  }
  const plan = planOf(message);
  // Named slices (ExtraValue) and messages the schema lacks go as they are.
  if (!plan || depth > MAX_DEPTH) return value;
  const src = isObject(value) ? value : {};
  // The fields present and those Go writes anyway, in the struct's order: cheaper than walking
  // every field of a large struct (a PodSpec has 40) for the handful an object sets.
  const picked: number[] = [];
  for (const k of Object.keys(src)) {
    const i = plan.index.get(k);
    if (i !== undefined) picked.push(i);
  }
  for (const i of plan.always) if (!Object.hasOwn(src, plan.names[i]!)) picked.push(i);
  picked.sort((a, b) => a - b);
  const out: Record<string, unknown> = {};
  for (const i of picked) {
    const name = plan.names[i]!;
    const v = goField(plan.fields[i]!, Object.hasOwn(src, name) ? src[name] : undefined, depth);
    if (v !== OMIT) out[name] = v;
  }
  return out;
}

/** A message's fields in Go's order, by JSON name, and which of them Go writes even when unset. */
interface Plan {
  names: string[];
  fields: GoField[];
  index: Map<string, number>;
  always: number[];
}

const plans = new Map<string, Plan | undefined>();

function planOf(message: string): Plan | undefined {
  if (plans.has(message)) return plans.get(message);
  const def = Object.hasOwn(schema.messages, message) ? schema.messages[message] : undefined;
  const fields = Array.isArray(def) ? goFields(message) : undefined;
  let plan: Plan | undefined;
  if (fields) {
    plan = { names: [...fields.keys()], fields: [...fields.values()], index: new Map(), always: [] };
    plan.names.forEach((name, i) => plan!.index.set(name, i));
    plan.always = plan.fields.flatMap((f, i) => (writtenUnset(f) ? [i] : []));
  }
  plans.set(message, plan);
  return plan;
}

/** Whether Go writes a field its object does not set (see goField's cases for undefined). */
function writtenUnset(f: GoField): boolean {
  if (f.shape === 'value') return f.message !== undefined || f.zero !== undefined;
  return !f.omitempty;
}

/** Go parses a quantity and writes it in its canonical form ("0.5" as "500m"). */
function quantityJSON(v: unknown): unknown {
  return typeof v === 'string' || typeof v === 'number' ? (canonicalQuantity(v) ?? v) : v;
}

function goItem(f: GoField, x: unknown, depth: number): unknown {
  return f.message ? goJSON(f.message, x, depth + 1) : f.quantity ? quantityJSON(x) : x;
}

function goField(f: GoField, v: unknown, depth: number): unknown {
  const item = (x: unknown) => goItem(f, x, depth);
  switch (f.shape) {
    case 'list':
      if (!Array.isArray(v)) return f.omitempty ? OMIT : null;
      return v.length === 0 && f.omitempty ? OMIT : v.map(item);
    case 'map':
      if (!isObject(v)) return f.omitempty ? OMIT : null;
      return Object.keys(v).length === 0 && f.omitempty ? OMIT : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, item(x)]));
    case 'pointer':
      return v === undefined || v === null ? (f.omitempty ? OMIT : null) : item(v);
    case 'value':
      // Go's omitempty never leaves out a struct held by value.
      if (f.message) return goJSON(f.message, v, depth + 1);
      // A field Go always writes has a zero (a scalar without omitempty, or a struct written
      // as a JSON scalar, such as a Time's null); one it may leave out has none.
      if (v === undefined || v === null) return f.zero === undefined ? OMIT : f.zero;
      if (f.quantity) return quantityJSON(v);
      return f.zero === undefined && (v === '' || v === 0 || v === false) ? OMIT : v;
  }
}

/** A copy with every object's keys in byte order, as Go's encoding/json writes a map[string]interface{}. */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (!isObject(value)) return value;
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((k) => [k, sortedKeys(value[k])]));
}

function messageOfObject(obj: { apiVersion?: unknown; kind?: unknown }): string | undefined {
  return typeof obj.apiVersion === 'string' && typeof obj.kind === 'string' ? messageOf(obj.apiVersion, obj.kind) : undefined;
}

/**
 * One top-level field of an object (its spec, say) as Go writes it, without shaping the rest;
 * as it is for kinds without a Go type here. Undefined where Go would leave it out.
 */
export function goTopField(obj: { apiVersion?: unknown; kind?: unknown }, name: string): unknown {
  const own = Object.hasOwn(obj, name) ? (obj as Record<string, unknown>)[name] : undefined;
  const message = messageOfObject(obj);
  if (!message) return own;
  const plan = planOf(message);
  const i = plan?.index.get(name);
  if (!plan || i === undefined) return plan ? undefined : own;
  const v = goField(plan.fields[i]!, own, 0);
  return v === OMIT ? undefined : v;
}

/**
 * A built-in kind's object as Kubernetes stores it: decoded into its Go type and encoded again
 * (goJSON of its kind's message), kind and apiVersion first. Objects of kinds without a Go type
 * here (custom resources) come back as they are.
 */
export function goObject<T extends { apiVersion?: unknown; kind?: unknown }>(obj: T): T {
  const message = messageOfObject(obj);
  if (!message) return obj;
  return { kind: obj.kind, apiVersion: obj.apiVersion, ...(goJSON(message, obj) as object) } as T;
}

/**
 * Removes, in place, the zeros Go could not tell from no value: a `0`, `''`, `false` or `null`
 * in a field Go leaves out when empty (`periodSeconds: 0`, `dnsPolicy: ''`). Kubernetes decodes a
 * request into its Go type before defaulting it, so such a field takes its default; only what Go
 * drops is dropped here, nothing is added or reordered.
 */
export function dropGoOmittedZeros(obj: { apiVersion?: unknown; kind?: unknown }): void {
  const go = goObject(obj);
  if (go !== obj) prune(obj, go, 0);
}

function isZero(v: unknown): boolean {
  return v === 0 || v === '' || v === false || v === null;
}

function prune(src: unknown, go: unknown, depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(src)) {
    if (Array.isArray(go) && go.length === src.length) src.forEach((v, i) => prune(v, go[i], depth + 1));
    return;
  }
  if (!isObject(src) || !isObject(go)) return;
  for (const k of Object.keys(src)) {
    if (!Object.hasOwn(go, k)) {
      if (isZero(src[k])) delete src[k];
    } else prune(src[k], go[k], depth + 1);
  }
}


// Decodes Kubernetes protobuf request bodies ("k8s\0" + runtime.Unknown envelope) into the
// same JSON objects a JSON body would have produced.
import { kinds, typeMeta, type FieldType, type Message, type Scalar } from './descriptors.js';
import { readFields, type WireField } from './wire.js';
import { rfc3339 } from '../time.js';
import { setOwn } from '../codec/values.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"
/** metav1.Time's zero value (0001-01-01T00:00:00Z) in Unix seconds. */
const ZERO_TIME_SECONDS = -62135596800n;

export class UnsupportedKindError extends Error {}

function scalar(type: Scalar, f: WireField): unknown {
  switch (type) {
    case 'string':
      return f.bytes?.toString('utf8') ?? '';
    case 'int':
      return Number(BigInt.asIntN(64, f.varint ?? 0n));
    case 'bool':
      return (f.varint ?? 0n) !== 0n;
    case 'bytes':
      return (f.bytes ?? Buffer.alloc(0)).toString('base64');
    case 'quantity': {
      const q = decode(f.bytes ?? Buffer.alloc(0), { 1: ['string', 'string'] });
      return q.string ?? '0';
    }
    case 'intOrString': {
      const v = decode(f.bytes ?? Buffer.alloc(0), { 1: ['type', 'int'], 2: ['intVal', 'int'], 3: ['strVal', 'string'] }, true);
      return v.type === 1 ? v.strVal ?? '' : v.intVal ?? 0;
    }
    case 'time': {
      const t = readFields(f.bytes ?? Buffer.alloc(0));
      if (t.length === 0) return undefined; // the zero Time is sent as an empty message
      const seconds = t.find((x) => x.no === 1)?.varint ?? 0n;
      if (BigInt.asIntN(64, seconds) <= ZERO_TIME_SECONDS) return undefined;
      return rfc3339(new Date(Number(BigInt.asIntN(64, seconds)) * 1000));
    }
  }
}

function value(type: FieldType, f: WireField): unknown {
  if (typeof type === 'string') return scalar(type, f);
  if ('map' in type) throw new Error('maps are decoded by their entries');
  return decode(f.bytes ?? Buffer.alloc(0), type as Message);
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false || v === undefined;
}

/** Decodes one message; fields not in the descriptor are skipped. */
export function decode(buf: Buffer, desc: Message, keepZero = false): Record<string, any> {
  const out: Record<string, any> = {};
  for (const f of readFields(buf)) {
    const field = desc[f.no];
    if (!field) continue;
    const [name, type, flags] = field;
    if (typeof type === 'object' && 'map' in type) {
      const entry = readFields(f.bytes ?? Buffer.alloc(0));
      const k = entry.find((e) => e.no === 1);
      const v = entry.find((e) => e.no === 2);
      const map = (out[name] ??= {});
      // An entry whose value is the zero value carries no value field.
      setOwn(map, k?.bytes?.toString('utf8') ?? '', v ? value(type.map as FieldType, v) : typeof type.map === 'string' ? '' : {});
      continue;
    }
    const v = value(type, f);
    if (flags === 'inline') {
      // An embedded struct: JSON has its fields in the parent.
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) setOwn(out, k, x);
      continue;
    }
    if (flags === 'repeated') {
      (out[name] ??= []).push(v);
      continue;
    }
    if (isZero(v) && flags !== 'ptr' && !keepZero) continue;
    if (v === undefined) continue;
    out[name] = v;
  }
  return out;
}

/** Decodes a whole request body; throws UnsupportedKindError for kinds it has no descriptor for. */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, any> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw new Error('missing the k8s protobuf prefix');
  // runtime.Unknown: typeMeta = 1, raw = 2 (the object's own encoding).
  const fields = readFields(body.subarray(4));
  const meta = decode(fields.find((f) => f.no === 1)?.bytes ?? Buffer.alloc(0), typeMeta);
  const raw = fields.find((f) => f.no === 2)?.bytes ?? Buffer.alloc(0);
  const apiVersion: string = meta.apiVersion ?? '';
  const kind: string = meta.kind ?? '';
  const desc = kinds[`${apiVersion}/${kind}`];
  if (!desc) throw new UnsupportedKindError(`${apiVersion}/${kind}`);
  return { apiVersion, kind, ...decode(raw, desc) };
}

// Encodes objects as Kubernetes protobuf ("k8s\0" + runtime.Unknown), by the same descriptors
// the decoder reads (descriptors.ts): for clients of this server in tests, and the base of
// protobuf responses once every kind is described in full.
import { kinds, type FieldType, type Message, type Scalar } from './descriptors.js';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

function varint(n: bigint): Buffer {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
}

const tag = (no: number, wire: number) => varint(BigInt((no << 3) | wire));
const lengthDelimited = (no: number, body: Buffer) => Buffer.concat([tag(no, 2), varint(BigInt(body.length)), body]);

function scalar(no: number, type: Scalar, v: unknown): Buffer {
  switch (type) {
    case 'string':
      return lengthDelimited(no, Buffer.from(String(v), 'utf8'));
    case 'int':
      return Buffer.concat([tag(no, 0), varint(BigInt(Math.trunc(Number(v))))]);
    case 'bool':
      return Buffer.concat([tag(no, 0), varint(v ? 1n : 0n)]);
    case 'bytes':
      return lengthDelimited(no, Buffer.from(String(v), 'base64'));
    case 'quantity':
      return lengthDelimited(no, lengthDelimited(1, Buffer.from(String(v), 'utf8')));
    case 'intOrString':
      return lengthDelimited(
        no,
        typeof v === 'number'
          ? Buffer.concat([tag(1, 0), varint(0n), tag(2, 0), varint(BigInt(v))])
          : Buffer.concat([tag(1, 0), varint(1n), lengthDelimited(3, Buffer.from(String(v), 'utf8'))]),
      );
    case 'time':
      return lengthDelimited(no, Buffer.concat([tag(1, 0), varint(BigInt(Math.floor(Date.parse(String(v)) / 1000)))]));
  }
}

function field(no: number, type: FieldType, v: unknown): Buffer {
  if (typeof type === 'string') return scalar(no, type, v);
  if ('map' in type) {
    const entries = Object.entries((v ?? {}) as Record<string, unknown>).map(([k, x]) =>
      lengthDelimited(no, Buffer.concat([lengthDelimited(1, Buffer.from(k, 'utf8')), field(2, type.map as FieldType, x)])),
    );
    return Buffer.concat(entries);
  }
  return lengthDelimited(no, encode((v ?? {}) as Record<string, unknown>, type as Message));
}

/** One message by its descriptor; fields it does not describe are not written. */
export function encode(obj: Record<string, unknown>, desc: Message): Buffer {
  const parts: Buffer[] = [];
  for (const [no, [name, type, flags]] of Object.entries(desc).map(([k, f]) => [Number(k), f] as const)) {
    if (flags === 'inline') {
      // An embedded struct: its fields are the parent's in JSON.
      const inner = type as Message;
      const own = Object.fromEntries(Object.values(inner).map(([n]) => [n, obj[n]]).filter(([, x]) => x !== undefined));
      if (Object.keys(own).length) parts.push(lengthDelimited(no, encode(own, inner)));
      continue;
    }
    const v = obj[name];
    if (v === undefined || v === null) continue;
    if (flags === 'repeated') for (const item of v as unknown[]) parts.push(field(no, type, item));
    else parts.push(field(no, type, v));
  }
  return Buffer.concat(parts);
}

/** A whole body as kubectl's typed clients send it; throws for a kind without a descriptor. */
export function encodeKubernetesProtobuf(obj: Record<string, unknown> & { apiVersion: string; kind: string }): Buffer {
  const desc = kinds[`${obj.apiVersion}/${obj.kind}`];
  if (!desc) throw new Error(`no protobuf descriptor for ${obj.apiVersion}/${obj.kind}`);
  const typeMeta = Buffer.concat([lengthDelimited(1, Buffer.from(obj.apiVersion)), lengthDelimited(2, Buffer.from(obj.kind))]);
  return Buffer.concat([MAGIC, lengthDelimited(1, typeMeta), lengthDelimited(2, encode(obj, desc))]);
}

// The protobuf wire format: a message is a sequence of (field number, wire type,
// value) records.

export interface WireField {
  no: number;
  /** 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  wire: number;
  varint?: bigint;
  bytes?: Buffer;
}

export class WireError extends Error {}

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = pos; i < buf.length && i < pos + 10; i++) {
    const b = buf[i]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, i + 1];
    shift += 7n;
  }
  throw new WireError('truncated varint');
}

export function readFields(buf: Buffer): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, afterKey] = readVarint(buf, pos);
    pos = afterKey;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (no === 0) throw new WireError('field number 0');
    switch (wire) {
      case 0: {
        const [v, next] = readVarint(buf, pos);
        fields.push({ no, wire, varint: v });
        pos = next;
        break;
      }
      case 1:
        if (pos + 8 > buf.length) throw new WireError('truncated fixed64');
        fields.push({ no, wire, bytes: buf.subarray(pos, pos + 8) });
        pos += 8;
        break;
      case 2: {
        const [len, next] = readVarint(buf, pos);
        const end = next + Number(len);
        if (end > buf.length) throw new WireError('truncated length-delimited field');
        fields.push({ no, wire, bytes: buf.subarray(next, end) });
        pos = end;
        break;
      }
      case 5:
        if (pos + 4 > buf.length) throw new WireError('truncated fixed32');
        fields.push({ no, wire, bytes: buf.subarray(pos, pos + 4) });
        pos += 4;
        break;
      default:
        throw new WireError(`unsupported wire type ${wire}`);
    }
  }
  return fields;
}

// Writing: what the codec needs of the format.

export function varint(n: bigint): Buffer {
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

export const tag = (no: number, wire: number): Buffer => varint(BigInt((no << 3) | wire));
export const lengthDelimited = (no: number, body: Buffer): Buffer => Buffer.concat([tag(no, 2), varint(BigInt(body.length)), body]);
export const varintField = (no: number, n: bigint): Buffer => Buffer.concat([tag(no, 0), varint(n)]);

/** The values of a packed repeated varint field. */
export function readPackedVarints(buf: Buffer): bigint[] {
  const out: bigint[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [v, next] = readVarint(buf, pos);
    out.push(v);
    pos = next;
  }
  return out;
}

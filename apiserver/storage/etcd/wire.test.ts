import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameReader } from './grpc.js';
import { ProtoReader, ProtoWriter, WIRE_LEN, WIRE_VARINT, WireError } from './wire.js';

/** The message body of a frame the writer made (after gRPC's 5-byte prefix). */
const body = (frame: Buffer) => {
  expect(frame[0]).toBe(0);
  expect(frame.readUInt32BE(1)).toBe(frame.length - 5);
  return frame.subarray(5);
};

type Field = { no: number; kind: 'uint'; value: number } | { no: number; kind: 'bytes'; value: Buffer } | { no: number; kind: 'message'; fields: Field[] };

function write(w: ProtoWriter, fields: Field[]): void {
  for (const f of fields) {
    if (f.kind === 'uint') w.uint(f.no, f.value, true);
    else if (f.kind === 'bytes') w.bytes(f.no, f.value);
    else {
      w.begin(f.no);
      write(w, f.fields);
      w.end();
    }
  }
}

function read(r: ProtoReader, shape: Field[]): Field[] {
  const out: Field[] = [];
  let i = 0;
  while (!r.done) {
    const { no, wire } = r.tag();
    const expected = shape[i++]!;
    if (wire === WIRE_VARINT) out.push({ no, kind: 'uint', value: r.varint() });
    else if (wire === WIRE_LEN && expected.kind === 'message') out.push({ no, kind: 'message', fields: read(r.message(), expected.fields) });
    else if (wire === WIRE_LEN) out.push({ no, kind: 'bytes', value: Buffer.from(r.bytes()) });
    else throw new Error(`wire type ${wire}`);
  }
  return out;
}

const field: fc.Memo<Field> = fc.memo((depth) =>
  fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ no: fc.integer({ min: 1, max: 2000 }), kind: fc.constant('uint' as const), value: fc.oneof(fc.nat(), fc.maxSafeNat()) }),
    // Bodies around the 128-byte and 16 KB steps of a length's varint.
    fc.record({ no: fc.integer({ min: 1, max: 30 }), kind: fc.constant('bytes' as const), value: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.constantFrom(127, 128, 16383, 16384).map((n) => new Uint8Array(n).fill(7))).map((a) => Buffer.from(a)) }),
    fc.record({ no: fc.integer({ min: 1, max: 30 }), kind: fc.constant('message' as const), fields: depth > 3 ? fc.constant<Field[]>([]) : fc.array(field(depth + 1), { maxLength: 4 }) }),
  ),
);

describe('protobuf wire format', () => {
  it('writes varints as protobuf does', () => {
    const w = new ProtoWriter(8);
    w.uint(1, 1).uint(2, 300).uint(3, 2 ** 53 - 1);
    expect(body(w.frame()).toString('hex')).toBe('0801' + '10ac02' + '18ffffffffffffff0f');
    expect(() => new ProtoWriter().uint(1, -1)).toThrow(RangeError);
    expect(() => new ProtoWriter().uint(1, 1.5)).toThrow(RangeError);
  });

  it('leaves zero, false and empty fields out (proto3), unless a oneof member is set to zero', () => {
    const w = new ProtoWriter();
    w.uint(1, 0).bool(2, false).bytes(3, Buffer.alloc(0)).uint(5, 0, true);
    expect(body(w.frame()).toString('hex')).toBe('2800');
  });

  it('reads back every nested message it wrote, whatever the sizes', () => {
    fc.assert(
      fc.property(fc.array(field(0), { maxLength: 6 }), (fields) => {
        // A tiny first buffer makes the writer grow while sub-messages are open.
        const w = new ProtoWriter(1);
        write(w, fields);
        // Compared as text: element-wise comparison of large buffers is slow.
        const text = (f: Field[]) => JSON.stringify(f, (_k, v: unknown) => (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? Buffer.from((v as { data: number[] }).data).toString('hex') : v));
        expect(text(read(new ProtoReader(body(w.frame())), fields))).toBe(text(fields));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses what is cut short, runs past its message or uses an unknown wire type', () => {
    const frame = body(new ProtoWriter().bytes(1, Buffer.from('hello')).frame());
    const short = new ProtoReader(frame.subarray(0, 4));
    short.tag();
    expect(() => short.bytes()).toThrow(WireError);
    expect(() => new ProtoReader(Buffer.from([0x80])).varint()).toThrow(WireError);
    expect(() => new ProtoReader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).varint()).toThrow(/longer than 10 bytes/);
    const bad = new ProtoReader(Buffer.from([0x0b]));
    expect(() => bad.skip(bad.tag().wire)).toThrow(/unknown wire type 3/);
    // A sub-message's reader stops at its own end, not the buffer's.
    const nested = body(new ProtoWriter().begin(1).uint(1, 5).end().uint(2, 9).frame());
    const outer = new ProtoReader(nested);
    outer.tag();
    const inner = outer.message();
    expect(inner.tag()).toEqual({ no: 1, wire: WIRE_VARINT });
    expect(inner.varint()).toBe(5);
    expect(inner.done).toBe(true);
    expect(outer.tag()).toEqual({ no: 2, wire: WIRE_VARINT });
  });
});

describe('gRPC frames', () => {
  const frames = (messages: Buffer[]) =>
    Buffer.concat(
      messages.map((m) => {
        const prefix = Buffer.alloc(5);
        prefix.writeUInt32BE(m.length, 1);
        return Buffer.concat([prefix, m]);
      }),
    );

  it('gives back each message however the stream cuts the bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), (messages, cuts) => {
        const wire = frames(messages.map((m) => Buffer.from(m)));
        const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
        const reader = new FrameReader();
        const got: Buffer[] = [];
        let from = 0;
        for (const p of [...points, wire.length]) {
          got.push(...reader.push(wire.subarray(from, p)));
          from = p;
        }
        expect(got.map((b) => [...b])).toEqual(messages.map((m) => [...m]));
        expect(reader.partial).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('assembles a large message from many chunks, and says when one is left half-read', () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 1);
    const wire = frames([big]);
    const reader = new FrameReader();
    const got: Buffer[] = [];
    for (let at = 0; at < wire.length - 10; at += 16 * 1024) got.push(...reader.push(wire.subarray(at, Math.min(at + 16 * 1024, wire.length - 10))));
    expect(got).toEqual([]);
    expect(reader.partial).toBe(true);
    got.push(...reader.push(wire.subarray(wire.length - 10)));
    expect(got).toHaveLength(1);
    expect(got[0]!.equals(big)).toBe(true);
  });

  it('refuses a compressed message, which this client never asks for', () => {
    expect(() => new FrameReader().push(Buffer.from([1, 0, 0, 0, 1, 0]))).toThrow(/compressed/);
  });
});

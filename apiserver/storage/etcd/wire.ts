// Protobuf's wire format, as the etcd client needs it on every request: a writer that builds a
// message straight into one buffer (with room for gRPC's 5-byte frame prefix in front), and a
// reader over a received buffer. Numbers are JavaScript numbers: etcd's revisions, counts and
// our lease ids stay far below 2^53. (api/protobuf/wire.ts reads Kubernetes' protobuf with
// bigints and many small buffers; that is fine for a client's request, not for every write.)

/** A received message does not follow the wire format. */
export class WireError extends Error {}

const EMPTY = Buffer.alloc(0);
/** gRPC's length prefix: one byte of flags (0: not compressed), four of length. */
const FRAME_PREFIX = 5;
/** The most bytes a length varint takes (2^35 > any message). */
const LENGTH_ROOM = 5;

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

export class ProtoWriter {
  private buf: Buffer;
  private pos = FRAME_PREFIX;
  /** Where each open sub-message's reserved length starts. */
  private readonly open: number[] = [];

  constructor(sizeHint = 128) {
    this.buf = Buffer.allocUnsafe(Math.max(sizeHint, 64));
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  private rawVarint(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`protobuf: ${n} is not a non-negative integer`);
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    while (n >= 0x80) {
      buf[pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    buf[pos++] = n;
    this.pos = pos;
  }

  private tag(no: number, wire: number): void {
    this.rawVarint((no << 3) | wire);
  }

  /** A varint field; proto3 leaves zero out unless `always` (a oneof member that is set). */
  uint(no: number, n: number | undefined, always = false): this {
    if (!n && !always) return this;
    this.tag(no, WIRE_VARINT);
    this.rawVarint(n ?? 0);
    return this;
  }

  bool(no: number, b: boolean | undefined): this {
    if (!b) return this;
    this.tag(no, WIRE_VARINT);
    this.rawVarint(1);
    return this;
  }

  bytes(no: number, b: Buffer | undefined): this {
    if (!b || b.length === 0) return this;
    this.tag(no, WIRE_LEN);
    this.rawVarint(b.length);
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Opens a sub-message field; what is written until end() is its body. */
  begin(no: number): this {
    this.tag(no, WIRE_LEN);
    this.ensure(LENGTH_ROOM);
    this.open.push(this.pos);
    this.pos += LENGTH_ROOM;
    return this;
  }

  /** Closes the last begin(): writes its length and moves its body up to meet it. */
  end(): this {
    const at = this.open.pop();
    if (at === undefined) throw new Error('protobuf: end() without begin()');
    const bodyStart = at + LENGTH_ROOM;
    const length = this.pos - bodyStart;
    // Written in place: the room was reserved by begin(), so nothing may grow the buffer here.
    let lengthEnd = at;
    let n = length;
    while (n >= 0x80) {
      this.buf[lengthEnd++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[lengthEnd++] = n;
    if (lengthEnd < bodyStart) this.buf.copyWithin(lengthEnd, bodyStart, this.pos);
    this.pos = lengthEnd + length;
    return this;
  }

  /** The message as one gRPC frame (prefix and body). */
  frame(): Buffer {
    if (this.open.length) throw new Error('protobuf: unclosed sub-message');
    const length = this.pos - FRAME_PREFIX;
    this.buf[0] = 0;
    this.buf.writeUInt32BE(length, 1);
    return this.buf.subarray(0, this.pos);
  }
}

/** Reads one message's fields in order. Bytes it returns share the buffer's memory. */
export class ProtoReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    pos = 0,
    readonly end = buf.length,
  ) {
    this.pos = pos;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): number {
    const buf = this.buf;
    let pos = this.pos;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) throw new WireError('protobuf: message cut short in a varint');
      const b = buf[pos++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.pos = pos;
        return value;
      }
      scale *= 0x80;
    }
    throw new WireError('protobuf: varint longer than 10 bytes');
  }

  /** The next field's tag: field number and wire type. */
  tag(): { no: number; wire: number } {
    const t = this.varint();
    return { no: Math.floor(t / 8), wire: t & 7 };
  }

  private length(): number {
    const n = this.varint();
    if (n > this.end - this.pos) throw new WireError('protobuf: length-delimited field runs past its message');
    return n;
  }

  bytes(): Buffer {
    const n = this.length();
    if (n === 0) return EMPTY;
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  string(): string {
    const n = this.length();
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** A reader over the sub-message that comes next. */
  message(): ProtoReader {
    const n = this.length();
    const r = new ProtoReader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  /** Passes over a field this client does not read. */
  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_I64:
        this.advance(8);
        return;
      case WIRE_LEN:
        this.advance(this.length());
        return;
      case WIRE_I32:
        this.advance(4);
        return;
      default:
        throw new WireError(`protobuf: unknown wire type ${wire}`);
    }
  }

  private advance(n: number): void {
    if (n > this.end - this.pos) throw new WireError('protobuf: message cut short');
    this.pos += n;
  }
}

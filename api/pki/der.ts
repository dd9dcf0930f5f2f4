// The slice of ASN.1 DER that X.509 certificates and PKCS#10 requests are made of: writing the
// few types they use, and reading a structure element by element. The reader is for input
// from anyone (a CertificateSigningRequest's spec.request): every length is checked against
// the bytes that are there, nothing recurses, and anything that is not DER throws DERError.

export class DERError extends Error {}

/** Universal tags (and the class/constructed bits) used by certificates and requests. */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** A context-specific tag: `[n]`, constructed (EXPLICIT, or IMPLICIT over a constructed type) or primitive. */
export const contextTag = (n: number, constructed: boolean) => (constructed ? 0xa0 : 0x80) | n;

// ---- writing ----

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One element: tag, length, contents. */
export function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthBytes(content.length), content]);
}

export const sequence = (...items: Uint8Array[]) => tlv(TAG.SEQUENCE, Buffer.concat(items));
export const set = (...items: Uint8Array[]) => tlv(TAG.SET, Buffer.concat(items));
export const explicit = (n: number, inner: Uint8Array) => tlv(contextTag(n, true), inner);
export const octetString = (b: Uint8Array) => tlv(TAG.OCTET_STRING, b);
export const utf8String = (s: string) => tlv(TAG.UTF8_STRING, Buffer.from(s, 'utf8'));
export const boolean = (v: boolean) => tlv(TAG.BOOLEAN, Buffer.from([v ? 0xff : 0x00]));
export const nullValue = () => tlv(TAG.NULL, Buffer.alloc(0));

/** A non-negative INTEGER from its big-endian magnitude (a number, or bytes such as a serial). */
export function integer(value: number | Uint8Array): Buffer {
  let bytes: Buffer;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new DERError(`cannot encode integer ${value}`);
    const out: number[] = [];
    for (let v = value; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
    bytes = Buffer.from(out);
  } else {
    bytes = Buffer.from(value);
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  // A set high bit would read as negative: DER adds a zero byte.
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(TAG.INTEGER, bytes);
}

/** A BIT STRING of whole bytes (keys, signatures). */
export const bitString = (bytes: Uint8Array) => tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([0]), bytes]));

/** A BIT STRING of named bits (bit 0 first), with trailing zero bits dropped as DER requires. */
export function namedBits(bits: number[]): Buffer {
  const highest = Math.max(-1, ...bits);
  if (highest < 0) return tlv(TAG.BIT_STRING, Buffer.from([0]));
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const b of bits) bytes[Math.floor(b / 8)]! |= 0x80 >> b % 8;
  const unused = 7 - (highest % 8);
  return tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([unused]), bytes]));
}

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new DERError(`bad object identifier ${dotted}`);
  const out: number[] = [];
  const push = (v: number) => {
    const groups: number[] = [v & 0x7f];
    for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128)) groups.unshift((x & 0x7f) | 0x80);
    out.push(...groups);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return tlv(TAG.OID, Buffer.from(out));
}

/** UTCTime through 2049, GeneralizedTime from 2050 on (RFC 5280 4.1.2.5), to the second. */
export function time(d: Date): Buffer {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  const year = d.getUTCFullYear();
  if (year >= 1950 && year < 2050) return tlv(TAG.UTC_TIME, Buffer.from(`${digits.slice(2)}Z`, 'ascii'));
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(`${digits}Z`, 'ascii'));
}

// ---- reading ----

/** One element of a DER buffer: where its tag starts, where its contents start and end. */
export interface Element {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the element. */
  end: number;
}

/** The element at `offset`, whose end may not pass `limit`. */
export function readElement(buf: Uint8Array, offset: number, limit = buf.length): Element {
  if (offset + 2 > limit) throw new DERError('truncated element');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DERError('multi-byte tags are not used here');
  let len = buf[offset + 1]!;
  let pos = offset + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    // 0x80 is BER's indefinite length; DER has none. Four bytes of length is far past any request.
    if (count === 0 || count > 4) throw new DERError('bad length');
    if (pos + count > limit) throw new DERError('truncated length');
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + buf[pos + i]!;
    if (len < 0x80 || buf[pos] === 0) throw new DERError('length not in its shortest form');
    pos += count;
  }
  if (pos + len > limit) throw new DERError('element runs past its container');
  return { tag, start: offset, contentStart: pos, end: pos + len };
}

/** The elements directly inside a constructed element, in order. */
export function children(buf: Uint8Array, parent: Element): Element[] {
  if (!(parent.tag & 0x20)) throw new DERError('not a constructed element');
  const out: Element[] = [];
  for (let pos = parent.contentStart; pos < parent.end; ) {
    const e = readElement(buf, pos, parent.end);
    out.push(e);
    pos = e.end;
  }
  return out;
}

/** The single element `buf` holds (nothing may follow it). */
export function root(buf: Uint8Array): Element {
  const e = readElement(buf, 0);
  if (e.end !== buf.length) throw new DERError('trailing bytes');
  return e;
}

export const contents = (buf: Uint8Array, e: Element) => Buffer.from(buf.buffer, buf.byteOffset + e.contentStart, e.end - e.contentStart);
export const whole = (buf: Uint8Array, e: Element) => Buffer.from(buf.buffer, buf.byteOffset + e.start, e.end - e.start);

export function expectTag(e: Element | undefined, tag: number, what: string): Element {
  if (!e || e.tag !== tag) throw new DERError(`expected ${what}`);
  return e;
}

export function readOID(buf: Uint8Array, e: Element): string {
  expectTag(e, TAG.OID, 'an object identifier');
  const b = contents(buf, e);
  if (b.length === 0 || b.length > 64) throw new DERError('bad object identifier');
  const arcs: number[] = [];
  let v = 0;
  for (let i = 0; i < b.length; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      arcs.push(v);
      v = 0;
    } else if (i === b.length - 1) throw new DERError('bad object identifier');
  }
  const first = arcs.shift()!;
  const top = Math.min(2, Math.floor(first / 40));
  return [top, first - top * 40, ...arcs].join('.');
}

/** The bytes of a BIT STRING that holds whole bytes (a key or a signature). */
export function readBitString(buf: Uint8Array, e: Element): Buffer {
  expectTag(e, TAG.BIT_STRING, 'a bit string');
  const b = contents(buf, e);
  if (b.length === 0 || b[0] !== 0) throw new DERError('bit string with unused bits');
  return b.subarray(1);
}

/** A directory string of any of the types names use. */
export function readString(buf: Uint8Array, e: Element): string {
  const b = contents(buf, e);
  switch (e.tag) {
    case TAG.UTF8_STRING:
      return b.toString('utf8');
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
      return b.toString('ascii');
    case TAG.T61_STRING:
      return b.toString('latin1');
    case TAG.BMP_STRING:
      if (b.length % 2) throw new DERError('bad BMPString');
      return Buffer.from(b).swap16().toString('utf16le');
    case TAG.UNIVERSAL_STRING: {
      if (b.length % 4) throw new DERError('bad UniversalString');
      let s = '';
      for (let i = 0; i < b.length; i += 4) s += String.fromCodePoint(Math.min(b.readUInt32BE(i), 0x10ffff));
      return s;
    }
    default:
      throw new DERError('expected a string');
  }
}

// ---- PEM ----

/** PEM text of DER bytes, 64 columns, as OpenSSL and Go write it. */
export function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The DER bytes of the first PEM block in `text`, whose label must be `label`. */
export function pemBlock(text: string, label: string): Buffer {
  // indexOf, not a regular expression: the text may come from anyone, and scanning for an END
  // line with backtracking is quadratic in the number of BEGIN lines.
  const begin = text.indexOf('-----BEGIN ');
  const labelEnd = begin < 0 ? -1 : text.indexOf('-----', begin + 11);
  if (begin < 0 || labelEnd < 0 || text.slice(begin + 11, labelEnd) !== label) throw new DERError(`PEM block type must be ${label}`);
  const end = text.indexOf(`-----END ${label}-----`, labelEnd + 5);
  if (end < 0) throw new DERError('PEM block has no end');
  const body = text.slice(labelEnd + 5, end).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) throw new DERError('PEM body is not base64');
  const der = Buffer.from(body, 'base64');
  if (der.length === 0) throw new DERError('empty PEM block');
  return der;
}

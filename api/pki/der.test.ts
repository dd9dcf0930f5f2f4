// DER as X.509 writes it, byte for byte, and a reader that refuses anything malformed.
import { describe, expect, it } from 'vitest';
import { formatIPBytes, ipBytes } from '../ip.js';
import { children, DERError, integer, namedBits, oid, pemBlock, readElement, readOID, root, sequence, time } from './der.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('DER writing', () => {
  it('encodes integers in their shortest positive form', () => {
    expect(hex(integer(0))).toBe('020100');
    expect(hex(integer(127))).toBe('02017f');
    expect(hex(integer(128))).toBe('02020080');
    expect(hex(integer(256))).toBe('02020100');
    expect(hex(integer(Buffer.from('0000ff', 'hex')))).toBe('020200ff');
    expect(() => integer(-1)).toThrow(DERError);
  });

  it('encodes named bits without trailing zero bits (key usage)', () => {
    // digitalSignature + keyEncipherment: bits 0 and 2
    expect(hex(namedBits([0, 2]))).toBe('030205a0');
    // digitalSignature + keyCertSign + cRLSign: bits 0, 5, 6
    expect(hex(namedBits([0, 5, 6]))).toBe('03020186');
    expect(hex(namedBits([8]))).toBe('0303070080');
    expect(hex(namedBits([]))).toBe('030100');
  });

  it('encodes and reads object identifiers, large arcs included', () => {
    expect(hex(oid('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    for (const id of ['2.5.29.17', '1.3.6.1.5.5.7.3.1', '2.999.3', '1.2.840.113549.1.9.14', '1.3.6.1.4.1.4294967295']) {
      const der = oid(id);
      expect(readOID(der, root(der))).toBe(id);
    }
  });

  it('writes UTCTime before 2050 and GeneralizedTime from 2050 (RFC 5280)', () => {
    expect(time(new Date('2036-02-03T04:05:06.789Z')).toString('latin1').slice(2)).toBe('360203040506Z');
    expect(time(new Date('2050-01-01T00:00:00Z')).toString('latin1').slice(2)).toBe('20500101000000Z');
  });

  it('uses long-form lengths past 127 bytes', () => {
    const big = sequence(Buffer.alloc(300));
    expect(hex(big.subarray(0, 4))).toBe('3082012c');
    expect(root(big).end).toBe(304);
  });
});

describe('DER reading', () => {
  it('walks nested elements', () => {
    const der = sequence(integer(1), sequence(integer(2), integer(3)));
    const [a, inner] = children(der, root(der));
    expect(a!.tag).toBe(0x02);
    expect(children(der, inner!).length).toBe(2);
  });

  it('refuses what is not DER: truncation, indefinite or overlong lengths, trailing bytes, lengths past the container', () => {
    const bad = ['30', '3004020101', '3080020101', '30820003020101', '308400000003020101', '3003020101ff', '3005020401020304', '30850100000000'];
    for (const h of bad) {
      const b = Buffer.from(h, 'hex');
      expect(() => {
        const r = root(b);
        children(b, r);
      }, h).toThrow(DERError);
    }
    // A length that claims far more than there is.
    expect(() => readElement(Buffer.from('3084ffffffff00', 'hex'), 0)).toThrow(DERError);
  });

  it('reads nesting thousands deep without recursing', () => {
    let der: Buffer = Buffer.from('0500', 'hex');
    for (let i = 0; i < 5000; i++) der = sequence(der);
    let e = root(der);
    for (let i = 0; i < 5000; i++) e = children(der, e)[0]!;
    expect(e.tag).toBe(0x05);
  });

  it('reads PEM with the right label only, and refuses bodies that are not base64', () => {
    const body = Buffer.from('300100', 'hex').toString('base64');
    expect(hex(pemBlock(`junk\n-----BEGIN CERTIFICATE REQUEST-----\n${body}\n-----END CERTIFICATE REQUEST-----\n`, 'CERTIFICATE REQUEST'))).toBe('300100');
    expect(() => pemBlock(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`, 'CERTIFICATE REQUEST')).toThrow('PEM block type must be CERTIFICATE REQUEST');
    expect(() => pemBlock('-----BEGIN CERTIFICATE REQUEST-----\n%%%%\n-----END CERTIFICATE REQUEST-----', 'CERTIFICATE REQUEST')).toThrow(DERError);
    expect(() => pemBlock(`-----BEGIN CERTIFICATE REQUEST-----\n${body}\n`, 'CERTIFICATE REQUEST')).toThrow(DERError);
    // Many BEGIN lines and no END: linear, not quadratic.
    expect(() => pemBlock('-----BEGIN CERTIFICATE REQUEST-----\n'.repeat(100_000), 'CERTIFICATE REQUEST')).toThrow(DERError);
  });
});

describe('IP addresses as X.509 carries them', () => {
  it('turns IPv4 and IPv6 text into 4 and 16 bytes and back (RFC 5952 text)', () => {
    const cases: Array<[string, string, string]> = [
      ['10.96.0.1', '0a600001', '10.96.0.1'],
      ['::1', '00000000000000000000000000000001', '::1'],
      ['::', '00000000000000000000000000000000', '::'],
      ['2001:DB8:0:0:1:0:0:1', '20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
      ['fd00::a:0:0:0:1', 'fd0000000000000a0000000000000001', 'fd00:0:0:a::1'],
      ['::ffff:192.168.1.2', '00000000000000000000ffffc0a80102', '::ffff:c0a8:102'],
      ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008', '1:2:3:4:5:6:7:8'],
      ['1:0:3:4:5:6:7:8', '00010000000300040005000600070008', '1:0:3:4:5:6:7:8'],
    ];
    for (const [text, bytes, back] of cases) {
      expect(hex(ipBytes(text)!), text).toBe(bytes);
      expect(formatIPBytes(Buffer.from(bytes, 'hex')), text).toBe(back);
    }
  });

  it('refuses what is not an address', () => {
    for (const s of ['', '1.2.3', '256.1.1.1', '01.2.3.4', ':::', '1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', ':1::', '1:', 'g::', '::1.2.3', 'example.com']) {
      expect(ipBytes(s), s).toBeUndefined();
    }
    expect(() => formatIPBytes(Buffer.alloc(5))).toThrow();
  });
});

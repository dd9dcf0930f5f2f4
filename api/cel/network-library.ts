// Kubernetes' CEL IP and CIDR library: ip("10.0.0.1"), isIP, cidr("10.0.0.0/8"), isCIDR and
// their methods, on canonical addresses as Go's netip parses them (no zones, no IPv4-mapped
// IPv6 in ip(); a CIDR's address may have host bits set, masked() clears them).
import type { Environment } from '@marcbachmann/cel-js';
import { formatIPBytes, ipBytes } from '../ip.js';
import { CelRuntimeError } from './errors.js';

/** An IP address (4 or 16 bytes). */
export class CelIP {
  constructor(readonly bytes: Buffer) {}
  get family(): bigint {
    return this.bytes.length === 4 ? 4n : 6n;
  }
  toString(): string {
    return formatIPBytes(this.bytes);
  }
}

/** A CIDR: an address and a prefix length. */
export class CelCIDR {
  constructor(readonly ip: CelIP, readonly prefix: number) {}
  contains(other: Buffer, otherPrefix: number): boolean {
    if (other.length !== this.ip.bytes.length || otherPrefix < this.prefix) return false;
    for (let bit = 0; bit < this.prefix; bit++) {
      const byte = bit >> 3;
      const mask = 0x80 >> (bit & 7);
      if ((other[byte]! & mask) !== (this.ip.bytes[byte]! & mask)) return false;
    }
    return true;
  }
  masked(): CelCIDR {
    const b = Buffer.from(this.ip.bytes);
    for (let bit = this.prefix; bit < b.length * 8; bit++) b[bit >> 3]! &= ~(0x80 >> (bit & 7));
    return new CelCIDR(new CelIP(b), this.prefix);
  }
}

const V4_MAPPED = /^::ffff:/i;

function parseIP(s: string): CelIP | undefined {
  if (s.includes('%') || V4_MAPPED.test(s)) return undefined;
  const b = ipBytes(s);
  return b ? new CelIP(b) : undefined;
}

function parseCIDR(s: string): CelCIDR | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(s.slice(0, slash));
  const bits = s.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(bits) || (bits.length > 1 && bits.startsWith('0'))) return undefined;
  const prefix = Number(bits);
  return prefix <= ip.bytes.length * 8 ? new CelCIDR(ip, prefix) : undefined;
}

function ipOf(s: string): CelIP {
  const ip = parseIP(s);
  if (!ip) throw new CelRuntimeError(`IP Address ${JSON.stringify(s)} parse error during conversion from string: ParseAddr(${JSON.stringify(s)}): unable to parse IP`);
  return ip;
}

function cidrOf(s: string): CelCIDR {
  const c = parseCIDR(s);
  if (!c) throw new CelRuntimeError(`network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(s)}): bad prefix`);
  return c;
}

const isZero = (b: Buffer) => b.every((x) => x === 0);

export function registerNetworkLibrary(env: Environment): Environment {
  return env
    .registerType('net.IP', CelIP)
    .registerType('net.CIDR', CelCIDR)
    .registerFunction('isIP(string): bool', (s: string) => parseIP(s) !== undefined)
    .registerFunction('ip(string): net.IP', ipOf)
    .registerFunction('string(net.IP): string', (ip: CelIP) => ip.toString())
    .registerFunction('net.IP.family(): int', (ip: CelIP) => ip.family)
    .registerFunction('net.IP.isUnspecified(): bool', (ip: CelIP) => isZero(ip.bytes))
    .registerFunction('net.IP.isLoopback(): bool', (ip: CelIP) => (ip.bytes.length === 4 ? ip.bytes[0] === 127 : isZero(ip.bytes.subarray(0, 15)) && ip.bytes[15] === 1))
    .registerFunction('net.IP.isLinkLocalMulticast(): bool', (ip: CelIP) => (ip.bytes.length === 4 ? ip.bytes[0] === 224 && ip.bytes[1] === 0 && ip.bytes[2] === 0 : ip.bytes[0] === 0xff && (ip.bytes[1]! & 0x0f) === 0x02))
    .registerFunction('net.IP.isLinkLocalUnicast(): bool', (ip: CelIP) => (ip.bytes.length === 4 ? ip.bytes[0] === 169 && ip.bytes[1] === 254 : ip.bytes[0] === 0xfe && (ip.bytes[1]! & 0xc0) === 0x80))
    .registerFunction('net.IP.isGlobalUnicast(): bool', (ip: CelIP) => {
      const b = ip.bytes;
      if (isZero(b)) return false;
      if (b.length === 4) return !(b[0] === 127 || b[0]! >= 224 || (b[0] === 169 && b[1] === 254) || b.every((x) => x === 255));
      return !(b[0] === 0xff || (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) || (isZero(b.subarray(0, 15)) && b[15] === 1));
    })
    .registerOperator('net.IP == net.IP', (a: CelIP, b: CelIP) => a.bytes.equals(b.bytes))
    .registerFunction('isCIDR(string): bool', (s: string) => parseCIDR(s) !== undefined)
    .registerFunction('cidr(string): net.CIDR', cidrOf)
    .registerFunction('string(net.CIDR): string', (c: CelCIDR) => `${c.ip}/${c.prefix}`)
    .registerFunction('net.CIDR.ip(): net.IP', (c: CelCIDR) => c.ip)
    .registerFunction('net.CIDR.prefixLength(): int', (c: CelCIDR) => BigInt(c.prefix))
    .registerFunction('net.CIDR.masked(): net.CIDR', (c: CelCIDR) => c.masked())
    .registerFunction('net.CIDR.containsIP(net.IP): bool', (c: CelCIDR, ip: CelIP) => c.contains(ip.bytes, ip.bytes.length * 8))
    .registerFunction('net.CIDR.containsIP(string): bool', (c: CelCIDR, s: string) => {
      const ip = ipOf(s);
      return c.contains(ip.bytes, ip.bytes.length * 8);
    })
    .registerFunction('net.CIDR.containsCIDR(net.CIDR): bool', (c: CelCIDR, o: CelCIDR) => c.contains(o.ip.bytes, o.prefix))
    .registerFunction('net.CIDR.containsCIDR(string): bool', (c: CelCIDR, s: string) => {
      const o = cidrOf(s);
      return c.contains(o.ip.bytes, o.prefix);
    })
    .registerOperator('net.CIDR == net.CIDR', (a: CelCIDR, b: CelCIDR) => a.prefix === b.prefix && a.ip.bytes.equals(b.ip.bytes));
}

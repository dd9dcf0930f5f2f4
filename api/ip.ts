// IPv4 addresses and CIDR ranges as numbers (service IP allocation, the proxy's guard), and IPv4 and
// IPv6 addresses as the bytes X.509 names carry.

export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
  /** Addresses in the range, network and broadcast included. */
  size: number;
  text: string;
}

export function parseIPv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255 || (p.length > 1 && p.startsWith('0'))) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(text: string): Cidr {
  const [addr, bits] = text.split('/');
  const ip = parseIPv4(addr ?? '');
  const prefix = Number(bits);
  if (ip === undefined || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) throw new Error(`invalid IPv4 CIDR "${text}" (prefix must be /8 to /30)`);
  const size = 2 ** (32 - prefix);
  const base = ip - (ip % size);
  return { base, prefix, size, text: `${formatIPv4(base)}/${prefix}` };
}

export function cidrContains(c: Cidr, ip: string): boolean {
  const n = parseIPv4(ip);
  return n !== undefined && n >= c.base && n < c.base + c.size;
}

/** The i-th address of the range (0 is the network address). */
export function nthAddress(c: Cidr, i: number): string {
  return formatIPv4(c.base + i);
}

/** An IPv4 (4 bytes) or IPv6 (16 bytes) address as bytes, as X.509 names carry them; undefined if it is neither. */
export function ipBytes(ip: string): Buffer | undefined {
  const v4 = parseIPv4(ip);
  if (v4 !== undefined) return Buffer.from([v4 >>> 24, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255]);
  if (!/^[0-9A-Fa-f:.]{2,45}$/.test(ip) || !ip.includes(':')) return undefined;
  let text = ip;
  const tail: number[] = [];
  // An embedded IPv4 address (::ffff:1.2.3.4) is the last two words.
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const n = parseIPv4(last);
    if (n === undefined) return undefined;
    tail.push(n >>> 16, n & 0xffff);
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  if (![...head, ...rest].every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return undefined;
  const total = head.length + rest.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const words = [...head.map((g) => parseInt(g, 16)), ...Array<number>(8 - total).fill(0), ...rest.map((g) => parseInt(g, 16)), ...tail];
  const out = Buffer.alloc(16);
  words.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

/** The text of a 4- or 16-byte address (IPv6 as RFC 5952 writes it: lower case, longest zero run as ::). */
export function formatIPBytes(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  if (b.length !== 16) throw new Error(`an IP address has 4 or 16 bytes, not ${b.length}`);
  const words = Array.from({ length: 8 }, (_, i) => (b[i * 2]! << 8) | b[i * 2 + 1]!);
  let bestStart = -1;
  let bestLen = 1; // a single zero word is not shortened
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

export type SpecialRange = 'unspecified' | 'loopback' | 'link-local' | 'link-local-multicast' | 'interface-local-multicast';

/** Which of the ranges Kubernetes treats specially an address is in, if any (an IPv4-mapped IPv6 address as its IPv4 one). */
export function specialRange(bytes: Buffer): SpecialRange | undefined {
  let b = bytes;
  if (b.length === 16 && b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) b = b.subarray(12);
  if (b.every((x) => x === 0)) return 'unspecified';
  if (b.length === 4) {
    if (b[0] === 127) return 'loopback';
    if (b[0] === 169 && b[1] === 254) return 'link-local';
    if (b[0] === 224 && b[1] === 0 && b[2] === 0) return 'link-local-multicast';
    return undefined;
  }
  if (b.subarray(0, 15).every((x) => x === 0) && b[15] === 1) return 'loopback'; // ::1
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return 'link-local'; // fe80::/10
  if (b[0] === 0xff && (b[1]! & 0x0f) === 0x02) return 'link-local-multicast';
  if (b[0] === 0xff && (b[1]! & 0x0f) === 0x01) return 'interface-local-multicast';
  return undefined;
}

/**
 * Whether the apiserver may relay to an address (the proxy subresources), as Kubernetes
 * decides it: not an unparsable one, loopback, link-local, or link- or interface-local
 * multicast, so that a pod or node reporting such an address cannot make the apiserver
 * reach services on its own host (etcd) or the cloud's metadata endpoint.
 */
export function isProxyableIP(ip: string): boolean {
  const b = ipBytes(ip);
  if (!b) return false;
  const range = specialRange(b);
  return range === undefined || range === 'unspecified';
}

/** An IPv4 or IPv6 prefix ("10.0.0.0/8", "fd00::/64"): its address bytes and prefix length; undefined if it is not one. */
export function parseIPPrefix(text: string): { bytes: Buffer; bits: number } | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const bytes = ipBytes(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (!bytes || !/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  return bits <= bytes.length * 8 ? { bytes, bits } : undefined;
}

/** Whether `inner` lies within `outer` and is strictly narrower (a NetworkPolicy's ipBlock exception). */
export function isStrictSubPrefix(inner: { bytes: Buffer; bits: number }, outer: { bytes: Buffer; bits: number }): boolean {
  if (inner.bytes.length !== outer.bytes.length || inner.bits <= outer.bits) return false;
  for (let bit = 0; bit < outer.bits; bit++) {
    const mask = 0x80 >> (bit % 8);
    if ((inner.bytes[bit >> 3]! & mask) !== (outer.bytes[bit >> 3]! & mask)) return false;
  }
  return true;
}

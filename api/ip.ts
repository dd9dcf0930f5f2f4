// IPv4 addresses and CIDR ranges as numbers (service IP allocation, the proxy's guard).

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

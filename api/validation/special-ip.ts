// Addresses Kubernetes refuses where traffic is sent (endpoints, a Service's external IPs): the
// unspecified address, loopback, link-local (the cloud's metadata endpoint) and link-local
// multicast, in Kubernetes' words.
import { specialRange, type SpecialRange } from '../ip.js';

/** What Kubernetes says of a string that is no IP address where one must be. */
export const INVALID_IP = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

const PROBLEMS: Partial<Record<SpecialRange, (ip: string) => string>> = {
  unspecified: (ip) => `may not be unspecified (${ip.includes('.') ? '0.0.0.0' : '::'})`,
  loopback: () => 'may not be in the loopback range (127.0.0.0/8, ::1/128)',
  'link-local': () => 'may not be in the link-local range (169.254.0.0/16, fe80::/10)',
  'link-local-multicast': () => 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
};

/** Why `ip` (parsed to `bytes`) may not be used, if it may not; `allowLoopback` for kubette's endpoints (see endpoints.ts). */
export function specialIPProblem(ip: string, bytes: Buffer, allowLoopback = false): string | undefined {
  const range = specialRange(bytes);
  if (!range || (allowLoopback && range === 'loopback')) return undefined;
  return PROBLEMS[range]?.(ip);
}

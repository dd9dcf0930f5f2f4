// Identity the apiserver assigns: uids, generated names, timestamps.
import { randomInt, randomUUID } from 'node:crypto';
import { rfc3339 } from '../../api/time.js';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GENERATED_PREFIX = 63 - 5;

export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return prefix.slice(0, MAX_GENERATED_PREFIX) + suffix;
}

export function newUID(): string {
  return randomUUID();
}

/** RFC 3339 with second precision, as Kubernetes' metav1.Time serializes. */
export function nowTimestamp(offsetSeconds = 0): string {
  return rfc3339(new Date(Date.now() + offsetSeconds * 1000));
}

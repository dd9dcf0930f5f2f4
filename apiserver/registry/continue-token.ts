// Continue tokens for paginated lists, in Kubernetes' own form (unpadded base64url of
// {"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key after the prefix>"}): the revision the
// first page was read at and the key to resume from, so every page comes from one snapshot.
// Tokens come from clients, so every field is checked before it reaches etcd.
import { posix } from 'node:path';
import { badRequest } from '../../api/status.js';

const VERSION = 'meta.k8s.io/v1';

export function encodeContinue(rv: number, nextKey: string, prefix: string): string {
  const token = { v: VERSION, rv, start: nextKey.slice(prefix.length) };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function invalid(why: string): never {
  throw badRequest(`invalid continue token: continue key is not valid${why ? `: ${why}` : ''}`);
}

export function decodeContinue(value: string, prefix: string): { rv: number; startKey: string } {
  // Accept padded and standard-alphabet tokens too (earlier versions of this server issued them).
  if (!/^[A-Za-z0-9_\-+/]*={0,2}$/.test(value)) invalid('illegal base64 data');
  let token: unknown;
  try {
    token = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
  } catch (err) {
    invalid((err as Error).message);
  }
  if (token === null || typeof token !== 'object' || Array.isArray(token)) invalid('json: cannot unmarshal into a continue token');
  const { v, rv, start } = token as Record<string, unknown>;
  if (v !== VERSION) invalid('server does not recognize this encoded version');
  // int64 in Kubernetes: 1.5, "5" or 0 are not a revision.
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv <= 0) invalid(`incorrect encoded start resourceVersion (version ${VERSION})`);
  if (typeof start !== 'string' || start.length === 0) invalid(`encoded start key empty (version ${VERSION})`);
  // No walking out of the resource's key range (`../secrets/...`).
  const key = start.startsWith('/') ? start : `/${start}`;
  if (posix.normalize(key) !== key || key.includes('//')) invalid(start);
  return { rv, startKey: prefix + key.slice(1) };
}

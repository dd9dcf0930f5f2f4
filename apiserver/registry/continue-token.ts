// Continue tokens for paginated lists: the revision the first page was read at and the key
// to resume from, so every page comes from one consistent snapshot.
import { badRequest } from '../../api/status.js';

interface Token {
  v: 'meta.k8s.io/v1';
  rv: number;
  start: string;
}

export function encodeContinue(rv: number, nextKey: string, prefix: string): string {
  const token: Token = { v: 'meta.k8s.io/v1', rv, start: nextKey.slice(prefix.length) };
  return Buffer.from(JSON.stringify(token)).toString('base64');
}

export function decodeContinue(value: string, prefix: string): { rv: number; startKey: string } {
  try {
    const token = JSON.parse(Buffer.from(value, 'base64').toString()) as Token;
    if (token.v !== 'meta.k8s.io/v1' || typeof token.rv !== 'number' || typeof token.start !== 'string') throw new Error('bad token');
    if (token.start.includes('..') || token.start.startsWith('/')) throw new Error('bad token');
    return { rv: token.rv, startKey: prefix + token.start };
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

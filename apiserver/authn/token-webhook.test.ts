import { describe, expect, it } from 'vitest';
import { userOf } from './token-webhook.js';

describe('the user a TokenReview answer vouches for', () => {
  it('takes username, uid, groups and extra, dropping what is not a string', () => {
    expect(userOf({ username: 'alice', uid: 'a-1', groups: ['devs', 7, null], extra: { scopes: ['read', 1], bad: 'not-a-list' } })).toEqual({ name: 'alice', uid: 'a-1', groups: ['devs'], extra: { scopes: ['read'] } });
  });

  it('vouches for no one without a username', () => {
    expect(userOf(undefined)).toBeUndefined();
    expect(userOf({ username: '' })).toBeUndefined();
    expect(userOf({ username: 42 })).toBeUndefined();
  });

  it('keeps an extra key "__proto__" an ordinary key', () => {
    const user = userOf(JSON.parse('{"username":"eve","extra":{"__proto__":["x"],"constructor":["y"]}}'))!;
    expect(Object.getPrototypeOf(user.extra)).toBe(Object.prototype);
    expect(Object.keys(user.extra!)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

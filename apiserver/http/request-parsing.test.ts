import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeContinue, encodeContinue } from '../registry/continue-token.js';
import { fieldManager, int, timeoutSeconds, validateListOptions, MAX_WATCH_TIMEOUT_SECONDS } from './params.js';
import { decodedPath, resolveResourcePath } from './path.js';

const PREFIX = '/registry/configmaps/';
const token = (t: unknown) => Buffer.from(JSON.stringify(t)).toString('base64url');

describe('paths', () => {
  it('decodes a path exactly once', () => {
    expect(decodedPath('/api/v1/namespaces/default/configmaps/%2562ase?x=1')).toBe('/api/v1/namespaces/default/configmaps/%62ase');
    expect(resolveResourcePath(decodedPath('/api/v1/namespaces/default/configmaps/%2562ase'))?.name).toBe('%62ase');
    expect(resolveResourcePath('/api/v1/namespaces/default/configmaps/base')).toMatchObject({ namespace: 'default', name: 'base' });
    expect(resolveResourcePath('/apis/apps/v1/namespaces/x/deployments/d/scale')).toMatchObject({ name: 'd', subresource: 'scale' });
    expect(() => decodedPath('/api/v1/namespaces/%zz/pods')).toThrow(expect.objectContaining({ code: 400 }));
  });

  it('names no resource for unknown or inherited names', () => {
    for (const p of ['/api/v1/__proto__', '/api/v1/constructor', '/api/v1//pods', '/apis/apps']) {
      expect(resolveResourcePath(p)).toBeUndefined();
    }
  });
});

describe('continue tokens', () => {
  it('round-trips in Kubernetes form', () => {
    const t = encodeContinue(42, `${PREFIX}default/b\0`, PREFIX);
    expect(JSON.parse(Buffer.from(t, 'base64url').toString())).toEqual({ v: 'meta.k8s.io/v1', rv: 42, start: 'default/b\0' });
    expect(decodeContinue(t, PREFIX)).toEqual({ rv: 42, startKey: `${PREFIX}default/b\0` });
  });

  it('refuses revisions that are not positive integers, foreign versions and keys outside the resource', () => {
    for (const bad of [
      token({ v: 'meta.k8s.io/v1', rv: 1.5, start: 'a' }),
      token({ v: 'meta.k8s.io/v1', rv: '5', start: 'a' }),
      token({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' }),
      token({ v: 'meta.k8s.io/v1', rv: -3, start: 'a' }),
      token({ v: 'meta.k8s.io/v2', rv: 3, start: 'a' }),
      token({ v: 'meta.k8s.io/v1', rv: 3, start: '' }),
      token({ v: 'meta.k8s.io/v1', rv: 3, start: '../secrets/default/x' }),
      token({ v: 'meta.k8s.io/v1', rv: 3, start: 'a/../../secrets' }),
      token([1, 2]),
      'not base64 at all!',
      '',
    ]) {
      expect(() => decodeContinue(bad, PREFIX), bad).toThrow(expect.objectContaining({ code: 400, reason: 'BadRequest' }));
    }
  });

  it('never throws anything but a 400 for arbitrary input', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          const { startKey } = decodeContinue(s, PREFIX);
          expect(startKey.startsWith(PREFIX)).toBe(true);
          expect(startKey.slice(PREFIX.length)).not.toMatch(/(^|\/)\.\.(\/|$)/);
        } catch (err) {
          expect(err).toMatchObject({ code: 400 });
        }
      }),
    );
  });
});

describe('list and write options', () => {
  it('validates resourceVersionMatch as Kubernetes does', () => {
    const invalid = (q: Record<string, string>, watch = false) => {
      try {
        validateListOptions(q, watch);
        return undefined;
      } catch (err) {
        return (err as { code: number; message: string }).message;
      }
    };
    expect(invalid({ resourceVersionMatch: 'Bogus', resourceVersion: '1' })).toBe('ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""');
    expect(invalid({ resourceVersionMatch: 'Exact' })).toMatch(/forbidden unless resourceVersion is provided/);
    expect(invalid({ resourceVersionMatch: 'Exact', resourceVersion: '0' })).toMatch(/"exact" is forbidden for resourceVersion "0"/);
    expect(invalid({ resourceVersionMatch: 'NotOlderThan', resourceVersion: '5', continue: 'x' })).toMatch(/forbidden when continue is provided/);
    expect(invalid({ sendInitialEvents: 'true' })).toMatch(/sendInitialEvents is forbidden for list/);
    expect(invalid({ sendInitialEvents: 'true' }, true)).toMatch(/requires setting resourceVersionMatch to NotOlderThan/);
    expect(invalid({ sendInitialEvents: 'true', resourceVersionMatch: 'NotOlderThan' }, true)).toBeUndefined();
    expect(invalid({ resourceVersion: '5', resourceVersionMatch: 'NotOlderThan' })).toBeUndefined();
  });

  it('bounds integers, watch timeouts and field managers', () => {
    expect(() => int({ limit: '99999999999999999999' }, 'limit')).toThrow(expect.objectContaining({ code: 400 }));
    expect(() => int({ limit: '1e3' }, 'limit')).toThrow(expect.objectContaining({ code: 400 }));
    expect(timeoutSeconds({ timeoutSeconds: '2147484' })).toBe(2147484);
    expect(timeoutSeconds({ timeoutSeconds: '9007199254740991' })).toBe(MAX_WATCH_TIMEOUT_SECONDS);
    expect(timeoutSeconds({ timeoutSeconds: '-5' })).toBe(0);
    expect(timeoutSeconds({ timeoutSeconds: '0' })).toBeUndefined();
    expect(fieldManager({ fieldManager: 'x'.repeat(128) }, 'PatchOptions')).toHaveLength(128);
    expect(() => fieldManager({ fieldManager: 'x'.repeat(129) }, 'PatchOptions')).toThrow('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes');
    expect(() => fieldManager({ fieldManager: 'a\u0007b' }, 'CreateOptions')).toThrow(/invalid character U\+0007 \(at position 1\)/);
    expect(() => fieldManager({ fieldManager: 'é'.repeat(65) }, 'UpdateOptions')).toThrow(/Too long/);
  });
});

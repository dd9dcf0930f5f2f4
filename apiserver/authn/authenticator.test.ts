import { describe, expect, it } from 'vitest';
import { bearerToken, RequestAuthenticator } from '../../component-base/authn/authenticator.js';
import { csvFields, TokenFile, tokenFileAuthenticator } from './token-file.js';

const file = new TokenFile(['0123456789abcdef,kubelet-bootstrap,10001,"system:kubelet-bootstrap"', '', 'tok2,jane,42,"dev,ops"', 'tok3,bob,7'].join('\n'));
const authn = (anonymous = true) => new RequestAuthenticator({ anonymous, tokens: [tokenFileAuthenticator(file)] });

describe('token file', () => {
  it('reads the seeds token.csv format', () => {
    expect(file.size).toBe(3);
    expect(file.lookup('0123456789abcdef')).toEqual({ name: 'kubelet-bootstrap', uid: '10001', groups: ['system:kubelet-bootstrap'] });
    expect(file.lookup('tok2')).toEqual({ name: 'jane', uid: '42', groups: ['dev', 'ops'] });
    expect(file.lookup('tok3')?.groups).toEqual([]);
    expect(file.lookup('tok')).toBeUndefined();
    expect(csvFields('a,"b,""c""",d')).toEqual(['a', 'b,"c"', 'd']);
  });

  it('refuses a malformed file, naming the line', () => {
    expect(() => new TokenFile('tok,user')).toThrow('token file line 1: needs at least 3 fields');
    expect(() => new TokenFile('ok,u,1\n"open,u,1')).toThrow('token file line 2: unterminated quote');
    expect(() => new TokenFile(',u,1')).toThrow('empty token or user');
  });
});

describe('request authentication', () => {
  it('takes a verified client certificate: CN is the user, O the groups, plus system:authenticated', async () => {
    const r = await authn().authenticate({ authorized: true, peer: { subject: { CN: 'admin', O: ['system:masters', 'ops'] } as never } }, {});
    expect(r).toEqual({ ok: true, user: { name: 'admin', groups: ['system:masters', 'ops', 'system:authenticated'] } });
  });

  it('refuses a certificate that did not verify, even with anonymous access on', async () => {
    const r = await authn().authenticate({ authorized: false, authorizationError: 'CERT_HAS_EXPIRED', peer: { subject: { CN: 'admin' } as never } }, {});
    expect(r).toEqual({ ok: false, reason: 'x509: certificate not accepted (CERT_HAS_EXPIRED)' });
  });

  it('takes a known bearer token and refuses an unknown one (never anonymous)', async () => {
    expect(await authn().authenticate(undefined, { authorization: 'Bearer tok2' })).toEqual({ ok: true, user: { name: 'jane', uid: '42', groups: ['dev', 'ops', 'system:authenticated'] } });
    expect(await authn().authenticate(undefined, { authorization: 'Bearer garbage' })).toEqual({ ok: false, reason: 'invalid bearer token' });
  });

  it('treats no credential as system:anonymous when allowed, and as a 401 when not', async () => {
    expect(await authn().authenticate({ authorized: false, peer: {} }, {})).toEqual({ ok: true, user: { name: 'system:anonymous', groups: ['system:unauthenticated'] } });
    expect(await authn().authenticate(undefined, { authorization: 'Basic dXNlcjpwYXNz' })).toMatchObject({ ok: true, user: { name: 'system:anonymous' } });
    expect(await authn(false).authenticate(undefined, {})).toEqual({ ok: false, reason: 'no credentials' });
  });

  it('reads bearer headers as Kubernetes does', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc extra')).toBe('abc');
    expect(bearerToken('  Bearer abc  ')).toBe('abc');
    expect(bearerToken('Bearer ')).toBeUndefined();
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

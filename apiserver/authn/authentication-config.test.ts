import { describe, expect, it } from 'vitest';
import { parseAuthenticationConfig } from './authentication-config.js';

const doc = (body: Record<string, unknown>) => JSON.stringify({ apiVersion: 'apiserver.config.k8s.io/v1beta1', kind: 'AuthenticationConfiguration', ...body });
const issuer = (extra: Record<string, unknown> = {}) => ({ issuer: { url: 'https://issuer.example', audiences: ['a'] }, claimMappings: { username: { claim: 'sub', prefix: '' } }, ...extra });

describe('--authentication-config', () => {
  it('reads issuers, claim rules and mappings, and anonymous paths', async () => {
    const c = await parseAuthenticationConfig(
      doc({
        jwt: [
          issuer({
            claimValidationRules: [{ claim: 'hd', requiredValue: 'example.com' }, { expression: 'claims.exp - claims.iat <= 3600', message: 'short' }],
            claimMappings: { username: { expression: "'u:' + claims.sub" }, groups: { claim: 'groups', prefix: 'g:' }, uid: { claim: 'sub' }, extra: [{ key: 'example.com/t', valueExpression: 'claims.t' }] },
          }),
        ],
        anonymous: { enabled: true, conditions: [{ path: '/livez' }] },
      }),
    );
    expect(c.anonymous).toEqual({ enabled: true, paths: ['/livez'] });
    const j = c.jwt[0]!;
    expect(j).toMatchObject({ issuerURL: 'https://issuer.example', audiences: ['a'], groups: { claim: 'groups', prefix: 'g:' }, uid: { claim: 'sub' } });
    expect(j.claimValidationRules[0]).toEqual({ claim: 'hd', requiredValue: 'example.com' });
    const username = j.username as { expression: { evaluate(v: Record<string, unknown>): unknown } };
    expect(username.expression.evaluate({ claims: { sub: 'x' } })).toBe('u:x');
    expect(j.extra[0]!.key).toBe('example.com/t');
  });

  it.each([
    ['an http issuer', doc({ jwt: [issuer({ issuer: { url: 'http://issuer.example', audiences: ['a'] } })] }), 'jwt[0].issuer.url: Invalid value: "http://issuer.example": URL scheme must be https'],
    ['the same issuer twice', doc({ jwt: [issuer(), issuer()] }), 'jwt[1].issuer.url: Duplicate value: "https://issuer.example"'],
    ['the service-account issuer', doc({ jwt: [issuer({ issuer: { url: 'https://kubernetes.default.svc', audiences: ['a'] } })] }), 'URL must not overlap with disallowed issuers: [https://kubernetes.default.svc]'],
    ['no audiences', doc({ jwt: [issuer({ issuer: { url: 'https://issuer.example' } })] }), 'jwt[0].issuer.audiences: Required value: at least one issuer.audiences is required'],
    ['two audiences without MatchAny', doc({ jwt: [issuer({ issuer: { url: 'https://issuer.example', audiences: ['a', 'b'] } })] }), 'audienceMatchPolicy must be MatchAny for multiple audiences'],
    ['the discovery URL the same as the issuer', doc({ jwt: [issuer({ issuer: { url: 'https://issuer.example', discoveryURL: 'https://issuer.example', audiences: ['a'] } })] }), 'discoveryURL must be different from URL'],
    ['a claim without a prefix', doc({ jwt: [issuer({ claimMappings: { username: { claim: 'sub' } } })] }), 'jwt[0].claimMappings.username.prefix: Required value: prefix is required when claim is set'],
    ['no username mapping', doc({ jwt: [issuer({ claimMappings: {} })] }), 'jwt[0].claimMappings.username: Required value'],
    ['claim and expression both', doc({ jwt: [issuer({ claimMappings: { username: { claim: 'sub', prefix: '', expression: 'claims.sub' } } })] }), "claim and expression can't both be set"],
    ['an expression that does not compile', doc({ jwt: [issuer({ claimMappings: { username: { expression: 'claims.sub +' } } })] }), 'jwt[0].claimMappings.username.expression: Invalid value: "claims.sub +": compilation failed: ERROR: <input>:1'],
    ['claims.email without email_verified', doc({ jwt: [issuer({ claimMappings: { username: { expression: 'claims.email' } } })] }), 'claims.email_verified must be used'],
    ['an extra key without a domain', doc({ jwt: [issuer({ claimMappings: { username: { claim: 'sub', prefix: '' }, extra: [{ key: 'tenant', valueExpression: 'claims.t' }] } })] }), 'must be a domain-prefix path'],
    ['anonymous conditions while disabled', doc({ anonymous: { enabled: false, conditions: [{ path: '/livez' }] } }), 'enabled should be set to true when conditions are defined'],
    ['another kind', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap' }), 'is not AuthenticationConfiguration'],
    ['not YAML', 'a: [', 'not YAML or JSON'],
  ])('refuses %s, naming the field', async (_what, text, message) => {
    await expect(parseAuthenticationConfig(text, ['https://kubernetes.default.svc'])).rejects.toThrow(message);
  });

  it('lists every problem at once', async () => {
    await expect(parseAuthenticationConfig(doc({ jwt: [{ issuer: { url: 'http://x' }, claimMappings: {} }] }))).rejects.toThrow(/^\[jwt\[0\]\.issuer\.url: .*, jwt\[0\]\.issuer\.audiences: .*, jwt\[0\]\.claimMappings\.username: .*\]$/);
  });
});

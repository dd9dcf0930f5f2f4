import { describe, expect, it } from 'vitest';
import { configDocument } from './config-document.js';

const KIND = 'AuthenticationConfiguration';
const header = 'apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n';

describe('configDocument', () => {
  it('reads YAML and JSON documents of the kind named', () => {
    expect(configDocument(`${header}anonymous: {enabled: false}\n`, KIND)).toMatchObject({ anonymous: { enabled: false } });
    expect(configDocument(JSON.stringify({ apiVersion: 'apiserver.config.k8s.io/v1', kind: KIND, jwt: [] }), KIND)).toMatchObject({ jwt: [] });
  });

  it('refuses hostile text with a clear error, and leaves prototypes alone', () => {
    expect(() => configDocument(`${'['.repeat(20_000)}${']'.repeat(20_000)}`, KIND)).toThrow(/not YAML or JSON: .*exceeded max depth/);
    expect(() => configDocument(`${header}x: ${'['.repeat(100_000)}`, KIND)).toThrow(/not YAML or JSON: .*exceeded max depth/);
    const bomb = ['a: &a [x,x,x,x,x,x,x,x,x]', ...Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n');
    expect(() => configDocument(bomb, KIND)).toThrow(/not YAML or JSON: .*alias/i);
    expect(() => configDocument(`${header}x: "\\uZZZZ"\n`, KIND)).toThrow(/not YAML or JSON/);
    expect(() => configDocument('[1, 2]', KIND)).toThrow(`not an ${KIND} object`);
    expect(() => configDocument('kind: 7\napiVersion: [x]\n', KIND)).toThrow(/kind 7 in \["x"\] is not/);
    const doc = configDocument(JSON.stringify({ apiVersion: 'apiserver.config.k8s.io/v1', kind: KIND }).replace('{', '{"__proto__":{"polluted":"yes"},'), KIND);
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

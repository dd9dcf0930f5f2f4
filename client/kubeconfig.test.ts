import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubeconfigText, loadClientConfig } from './kubeconfig.js';

describe('loadClientConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  const file = join(dir, 'config');
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
current-context: b
contexts:
- {name: a, context: {cluster: one, user: u1}}
- {name: b, context: {cluster: two, user: u2}}
clusters:
- {name: one, cluster: {server: "http://127.0.0.1:1"}}
- {name: two, cluster: {server: "http://127.0.0.1:2/"}}
users:
- {name: u1, user: {token: t1}}
- {name: u2, user: {token: t2}}
`,
  );

  it('follows the current context to its cluster and user', () => {
    expect(loadClientConfig({ kubeconfig: file })).toEqual({ server: 'http://127.0.0.1:2', token: 't2', userAgent: undefined });
  });

  it('prefers --master', () => {
    expect(loadClientConfig({ master: 'http://127.0.0.1:9/', kubeconfig: file }).server).toBe('http://127.0.0.1:9');
  });

  it('says what is missing', () => {
    expect(() => loadClientConfig({})).toThrow('neither --master nor --kubeconfig');
  });

  it('reads the JSON kubette writes, and refuses hostile files with a clear error', () => {
    const write = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const config = (extra: object = {}) => ({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'c',
      contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
      clusters: [{ name: 'k', cluster: { server: 'https://127.0.0.1:6443' } }],
      users: [{ name: 'u', user: { token: 'abc' } }],
      ...extra,
    });
    expect(loadClientConfig({ kubeconfig: write('json', kubeconfigText(config())) })).toEqual({ server: 'https://127.0.0.1:6443', token: 'abc', userAgent: undefined });
    // A "__proto__" key stays an ordinary key: no prototype set, nothing polluted.
    const proto = write('proto', kubeconfigText(config()).replace('{\n', '{\n  "__proto__": {"polluted": "yes"},\n'));
    expect(loadClientConfig({ kubeconfig: proto }).token).toBe('abc');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(() => loadClientConfig({ kubeconfig: write('empty', '') })).toThrow('current context "" not found');
    expect(() => loadClientConfig({ kubeconfig: write('deep-json', `${'['.repeat(20_000)}${']'.repeat(20_000)}`) })).toThrow(/exceeded max depth/);
    expect(() => loadClientConfig({ kubeconfig: write('deep-yaml', `x: ${'['.repeat(100_000)}`) })).toThrow(/exceeded max depth/);
    expect(() => loadClientConfig({ kubeconfig: write('aliases', ['a: &a [x,x,x,x,x,x,x,x,x]', ...Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n')) })).toThrow(/alias/i);
    expect(() => loadClientConfig({ kubeconfig: write('escape', '{"current-context": "\\uZZZZ"}') })).toThrow();
    expect(() => loadClientConfig({ kubeconfig: write('types', kubeconfigText(config({ 'current-context': 7 }))) })).toThrow('current context "7" not found');
  });
});


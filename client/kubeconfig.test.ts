import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClientConfig } from './kubeconfig.js';

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
});

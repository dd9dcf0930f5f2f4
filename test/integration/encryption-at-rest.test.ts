// Secrets encrypted at rest, seen from etcd itself (etcdctl), and the key-rotation procedure
// from the Kubernetes documentation: add a new first key, rewrite every Secret, drop the old key.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { kubectlFor } from '../harness/kubectl.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'kubette-encryption-'));
const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
let api: ApiServerHandle | undefined;

function writeConfig(keys: string, identity = false): string {
  const file = join(dir, `config-${randomBytes(3).toString('hex')}.yaml`);
  writeFileSync(file, `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aescbc:
          keys: [${keys}]
${identity ? '      - identity: {}\n' : ''}`);
  return file;
}

async function startWith(config: string, prefix?: string): Promise<ApiServerHandle> {
  await api?.stop();
  api = await startApiServer({ etcd: inject('etcdEndpoint'), prefix, args: ['--encryption-provider-config', config] });
  return api;
}

async function etcdValue(key: string): Promise<Buffer> {
  const { stdout } = await run('etcdctl', ['--endpoints', inject('etcdEndpoint'), 'get', key, '--print-value-only'], { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'buffer' });
  return stdout;
}

afterAll(async () => {
  await api?.stop();
});

describe('Secrets encrypted at rest', () => {
  it('etcd holds only ciphertext; rotation to a new key works as the Kubernetes docs describe', async () => {
    const first = await startWith(writeConfig(`{name: key1, secret: ${k1}}`, true));
    const prefix = first.prefix;
    let kubectl = kubectlFor(first.url);
    await kubectl.ok(['create', 'secret', 'generic', 'db', '--from-literal=password=hunter2', '-n', 'default']);
    await kubectl.ok(['create', 'configmap', 'plain', '--from-literal=note=visible', '-n', 'default']);
    const stored = await etcdValue(`${prefix}/secrets/default/db`);
    expect(stored.subarray(0, 23).toString()).toBe('k8s:enc:aescbc:v1:key1:');
    expect(stored.includes(Buffer.from('hunter2'))).toBe(false);
    expect(stored.includes(Buffer.from(Buffer.from('hunter2').toString('base64')))).toBe(false);
    expect((await etcdValue(`${prefix}/configmaps/default/plain`)).toString()).toContain('visible');
    expect(await kubectl.ok(['get', 'secret', 'db', '-n', 'default', '-o', 'jsonpath={.data.password}'])).toBe(Buffer.from('hunter2').toString('base64'));

    // 1. A new key, first in the list; the old one still reads.
    kubectl = kubectlFor((await startWith(writeConfig(`{name: key2, secret: ${k2}}, {name: key1, secret: ${k1}}`), prefix)).url);
    expect((await etcdValue(`${prefix}/secrets/default/db`)).subarray(0, 23).toString()).toBe('k8s:enc:aescbc:v1:key1:');
    // 2. Rewrite every Secret.
    const all = await kubectl.ok(['get', 'secrets', '--all-namespaces', '-o', 'json']);
    await kubectl.ok(['replace', '-f', '-'], all);
    expect((await etcdValue(`${prefix}/secrets/default/db`)).subarray(0, 23).toString()).toBe('k8s:enc:aescbc:v1:key2:');
    // 3. Drop the old key: everything still reads.
    kubectl = kubectlFor((await startWith(writeConfig(`{name: key2, secret: ${k2}}`), prefix)).url);
    expect(await kubectl.ok(['get', 'secret', 'db', '-n', 'default', '-o', 'jsonpath={.data.password}'])).toBe(Buffer.from('hunter2').toString('base64'));

    // With only the old key the stored Secrets cannot be read: the apiserver refuses to start,
    // saying why, rather than serve a Secrets list without them.
    await api?.stop();
    api = undefined;
    const refused = await startApiServer({ etcd: inject('etcdEndpoint'), prefix, args: ['--encryption-provider-config', writeConfig(`{name: key1, secret: ${k1}}`)] }).then(
      () => 'started',
      (err: Error) => err.message,
    );
    expect(refused).toMatch(/apiserver exited/);
    const logs = readdirSync(join(process.cwd(), '.kubette', 'test-logs')).filter((f) => f.startsWith('apiserver-'));
    const texts = logs.map((f) => readFileSync(join(process.cwd(), '.kubette', 'test-logs', f), 'utf8'));
    expect(texts.some((t) => t.includes(`${prefix}/secrets/default/db`) && t.includes('no matching key was found for the provided aescbc transformer key'))).toBe(true);
  });
});

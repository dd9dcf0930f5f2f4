// Backup and restore as the README tells it (issue 15): `etcdctl snapshot save` of a running
// cluster's etcd, `etcdctl snapshot restore` into a new data directory, a new etcd on it and an
// apiserver on that: every object of the snapshot is back (built-in kinds, a Secret encrypted at
// rest, a custom resource with its definition), changes made after the snapshot are not, and
// the restored cluster takes writes.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { startEtcd, type EtcdHandle } from '../harness/etcd.js';
import { freePort, waitFor } from '../harness/ports.js';
import { Proc } from '../harness/processes.js';
import { restCaller } from '../harness/rest.js';

const run = promisify(execFile);
const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

const ENCRYPTION = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - aescbc:
      keys:
      - name: k1
        secret: ${Buffer.alloc(32, 7).toString('base64')}
  - identity: {}
`;

describe('etcd snapshot backup and restore', () => {
  it('brings back every object of the snapshot into a new etcd', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubette-backup-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const encryption = join(dir, 'encryption.yaml');
    writeFileSync(encryption, ENCRYPTION);
    const etcd: EtcdHandle = await startEtcd('backup-source');
    cleanup.push(() => etcd.stop());
    let api: ApiServerHandle = await startApiServer({ etcd: etcd.endpoint, prefix: '/registry', args: ['--encryption-provider-config', encryption] });
    cleanup.push(() => api.stop());
    const call = restCaller(() => api.url);

    expect((await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } })).status).toBe(201);
    for (const name of ['a', 'b']) {
      expect((await call('POST', '/api/v1/namespaces/shop/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: name } })).status).toBe(201);
    }
    expect((await call('POST', '/api/v1/namespaces/shop/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'hunter2' } })).status).toBe(201);
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.backup.example.com' },
      spec: {
        group: 'backup.example.com',
        scope: 'Namespaced',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
      },
    };
    expect((await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status).toBe(201);
    await waitFor('gadgets served', async () => (await call('GET', '/apis/backup.example.com/v1/namespaces/shop/gadgets')).status === 200);
    expect((await call('POST', '/apis/backup.example.com/v1/namespaces/shop/gadgets', { apiVersion: 'backup.example.com/v1', kind: 'Gadget', metadata: { name: 'g' }, spec: { size: 3 } })).status).toBe(201);

    // The backup, taken while the cluster runs.
    const snapshot = join(dir, 'snapshot.db');
    await run('etcdctl', ['--endpoints', etcd.endpoint, 'snapshot', 'save', snapshot], { env: { ...process.env, ETCDCTL_API: '3' } });
    // A change after the backup: the restore does not have it.
    expect((await call('DELETE', '/api/v1/namespaces/shop/configmaps/b')).status).toBe(200);
    await api.stop();

    // Restore into a new data directory and start a new etcd on it.
    const peer = await freePort();
    const client = await freePort();
    const restored = join(dir, 'restored');
    await run('etcdctl', ['snapshot', 'restore', snapshot, '--data-dir', restored, '--name', 'restored', '--initial-cluster', `restored=http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`], { env: { ...process.env, ETCDCTL_API: '3' } });
    const endpoint = `http://127.0.0.1:${client}`;
    const etcd2 = new Proc(`etcd-restored-${client}`, process.env.ETCD_BIN ?? 'etcd', ['--name', 'restored', '--data-dir', restored, '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint, '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`, '--initial-cluster', `restored=http://127.0.0.1:${peer}`]);
    cleanup.push(() => etcd2.stop());
    api = await startApiServer({ etcd: endpoint, prefix: '/registry', args: ['--encryption-provider-config', encryption] });

    const names = (await call('GET', '/api/v1/namespaces/shop/configmaps')).json.items.map((i: { metadata: { name: string } }) => i.metadata.name);
    expect(names).toEqual(['a', 'b']);
    const secret = (await call('GET', '/api/v1/namespaces/shop/secrets/s')).json;
    expect(Buffer.from(secret.data.password, 'base64').toString()).toBe('hunter2');
    await waitFor('gadgets served again', async () => (await call('GET', '/apis/backup.example.com/v1/namespaces/shop/gadgets/g')).status === 200);
    expect((await call('GET', '/apis/backup.example.com/v1/namespaces/shop/gadgets/g')).json.spec).toEqual({ size: 3 });
    // And it goes on: new writes, with resourceVersions after the restored ones.
    const c = await call('POST', '/api/v1/namespaces/shop/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after' } });
    expect(c.status).toBe(201);
    const a = (await call('GET', '/api/v1/namespaces/shop/configmaps/a')).json;
    expect(Number(c.json.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
  }, 90_000);
});

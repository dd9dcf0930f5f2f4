// The HA topology from one command (issue 15): `docker-compose -f docker-compose.yml -f
// docker-compose.ha.yml up -d` with the images built from local parts: three etcd members,
// three apiservers behind the nginx balancer on 6444 that ./kubeconfig and every component
// use, standby schedulers and controller-managers. kubectl keeps working through the balancer
// while an apiserver and an etcd member are killed, and nothing acknowledged is lost.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlWithKubeconfig } from '../harness/kubectl.js';
import { composeProject } from '../harness/compose.js';
import { waitFor } from '../harness/ports.js';
import { createUnderFaults, expectAllStored } from '../harness/writes-under-faults.js';

const root = process.cwd();
const project = composeProject('kubette-ha', ['docker-compose.yml', 'docker-compose.ha.yml']);
const compose = project.run;
const kubectl = kubectlWithKubeconfig(join(root, 'kubeconfig'));

/** Apiserver Leases renewed within their duration (a killed apiserver's stays, expired). */
async function currentApiserverLeases(): Promise<number> {
  const list = JSON.parse(await kubectl.ok(['get', 'leases', '-n', 'kube-system', '-l', 'apiserver.kubernetes.io/identity=kube-apiserver', '-o', 'json'])) as { items: Array<{ spec: { renewTime: string; leaseDurationSeconds: number } }> };
  return list.items.filter((l) => Date.parse(l.spec.renewTime) + l.spec.leaseDurationSeconds * 1000 > Date.now()).length;
}

beforeAll(async () => {
  await project.upFromClean(2, 120_000);
}, 400_000);

afterAll(async () => {
  await compose('down', '-v');
}, 300_000);

describe('docker-compose with docker-compose.ha.yml', () => {
  it('serves through the balancer, with three apiservers in the kubernetes Service and one leader each', async () => {
    expect(readFileSync(join(root, 'kubeconfig'), 'utf8')).toContain('server: https://127.0.0.1:6444');
    await waitFor('three current apiserver Leases', async () => (await currentApiserverLeases()) === 3, 30_000);
    expect(await kubectl.ok(['get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}'])).toBe('172.30.0.1:6444');
    for (const lease of ['kube-scheduler', 'kube-controller-manager']) {
      expect(await kubectl.ok(['get', 'lease', '-n', 'kube-system', lease, '-o', 'jsonpath={.spec.holderIdentity}'])).not.toBe('');
    }
    // The members talk TLS to one another.
    const pki = '/var/lib/kubette-pki/pki';
    const members = await compose('exec', '-T', 'etcd', 'etcdctl', '--endpoints=https://127.0.0.1:2379', `--cacert=${pki}/etcd/ca.crt`, `--cert=${pki}/apiserver-etcd-client.crt`, `--key=${pki}/apiserver-etcd-client.key`, 'member', 'list');
    expect(members.code, members.out).toBe(0);
    expect(members.out.match(/https:\/\/127\.0\.0\.1:\d*2380/g)).toHaveLength(3);
    expect(members.out).not.toMatch(/http:\/\/127\.0\.0\.1:\d*2380/);
  });

  it('keeps kubectl working and loses no acknowledged write while an apiserver and an etcd member are killed', async () => {
    await kubectl.ok(['create', 'deployment', 'ha', '--image=busybox:1.36', '--replicas=2', '--', 'sleep', '3600']);
    const { acked, failures } = await createUnderFaults(kubectl, 'ha', 30, [
      async () => expect((await compose('kill', 'apiserver-2')).code).toBe(0),
      async () => expect((await compose('kill', 'etcd-3')).code).toBe(0),
    ], 1000);
    await expectAllStored(kubectl, acked);
    expect(failures).toBeLessThanOrEqual(2);
    await kubectl.ok(['wait', '--for=condition=Available', 'deployment/ha', '--timeout=120s']);
    // Back to three of each; the restarted ones rejoin.
    expect((await compose('start', 'etcd-3', 'apiserver-2')).code).toBe(0);
    await waitFor('three current apiserver Leases again', async () => (await currentApiserverLeases()) === 3, 60_000);
  }, 300_000);
});

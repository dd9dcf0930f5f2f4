// The HA topology from the launcher (issue 15): three etcd members (TLS between peers), three
// apiservers behind an nginx L4 balancer that every component and kubectl use, a standby
// scheduler and controller-manager. Then the fault suite: under a steady load of ConfigMap
// creates and counter updates through the balancer, with a Deployment being scaled and an
// informer following from its last resourceVersion, one apiserver hangs (SIGSTOP), two are
// SIGKILLed one after the other (only one left), the etcd leader is SIGKILLed, nginx is killed
// and started again, and the leading scheduler and controller-manager are SIGKILLed. Nothing
// acknowledged may be lost, the watcher must see every acknowledged write once and in order,
// kubectl through the balancer must keep working after each fault, the standbys must take
// over and act. The figures of each window are printed (bench:ha records them). Last, a
// leader frozen (SIGSTOP) past its renew deadline steps down when it thaws and exits 1, and
// the launcher starts it again, as a supervisor would.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClientConfig } from '../../client/kubeconfig.js';
import { resource, RestClient } from '../../client/rest.js';
import { etcdctl as etcdctlOf, etcdLeader, killLeader, leaseHolder, lostWrites, pidOf, respawner, restartBalancer, SteadyLoad, WatchAudit, type LoadWindow } from '../harness/chaos.js';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { kubectlWithKubeconfig } from '../harness/kubectl.js';
import { freePort, waitFor } from '../harness/ports.js';

const deployments = resource('apps/v1/deployments');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let cluster: Cluster;
let kubectl: ReturnType<typeof kubectlWithKubeconfig>;
let balancerPort: number;
/** Processes the suite started again itself (the launcher no longer owns them). */
const respawned: ChildProcess[] = [];

beforeAll(async () => {
  balancerPort = await freePort();
  cluster = await startCluster({ nodes: 1, launcherArgs: ['--apiservers', '3', '--etcd-members', '3', '--balancer-port', String(balancerPort), '--without', 'proxy,dns'] });
  kubectl = kubectlWithKubeconfig(cluster.kubeconfig);
}, 180_000);

afterAll(async () => {
  for (const p of respawned) p.kill('SIGKILL');
  await cluster?.stop();
}, 90_000);

const etcdctl = (...args: string[]) => etcdctlOf(cluster, ...args);

/** Whether a TLS handshake without a client certificate completes and the connection survives a request. */
function tlsWithoutClientCert(port: number): Promise<'served' | 'refused'> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      socket.write('GET /members HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('HTTP/1.1 200') ? 'served' : 'refused');
    });
    socket.once('error', () => resolve('refused'));
    socket.once('close', () => resolve('refused'));
    setTimeout(() => (socket.destroy(), resolve('refused')), 5000);
  });
}

describe('three apiservers behind a balancer, three etcd members', () => {
  it('serves kubectl through the balancer, with every apiserver holding its Lease and etcd peers on TLS', async () => {
    expect(readFileSync(cluster.kubeconfig, 'utf8')).toContain(`server: https://127.0.0.1:${balancerPort}`);
    await waitFor('three apiserver Leases', async () => {
      const leases = await kubectl.ok(['get', 'leases', '-n', 'kube-system', '-l', 'apiserver.kubernetes.io/identity=kube-apiserver', '-o', 'name']);
      return leases.trim().split('\n').length === 3;
    }, 30_000);
    // In-cluster clients reach the balancer too.
    expect(await kubectl.ok(['get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[0].ports[0].port}'])).toBe(String(balancerPort));
    // Members talk TLS to one another and let in only peers with a certificate from etcd's CA.
    const members = JSON.parse((await etcdctl('member', 'list', '-w', 'json')).stdout) as { members: Array<{ peerURLs: string[] }> };
    const peerURLs = members.members.flatMap((m) => m.peerURLs);
    expect(peerURLs).toHaveLength(3);
    for (const url of peerURLs) {
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const port = Number(new URL(url).port);
      expect(await fetch(`http://127.0.0.1:${port}/members`).then((r) => r.status, () => 'refused')).not.toBe(200);
      expect(await tlsWithoutClientCert(port)).toBe('refused');
    }
  });

  it('loses no acknowledged write and no watch event through a hung apiserver, two killed, the etcd leader killed, nginx restarted and both leaders killed', async () => {
    const client = new RestClient({ ...loadClientConfig({ kubeconfig: cluster.kubeconfig }), connections: 16 });
    await kubectl.ok(['create', 'deployment', 'chaos', '--image=busybox:1.36', '--replicas=1', '--', 'sleep', '3600']);
    const audit = new WatchAudit(client);
    await audit.start();
    const load = new SteadyLoad(client, 'chaos');
    // The Deployment is scaled 1 -> 2 -> 3 -> 1 ... through the faults.
    let scaling = true;
    let lastScaleAcked = 1;
    let lastScaleTried = 1;
    const scaler = (async () => {
      for (let i = 0; scaling; i++) {
        const replicas = (i % 3) + 1;
        lastScaleTried = replicas;
        await client.patch(deployments, 'default', 'chaos', { spec: { replicas } }).then(() => (lastScaleAcked = replicas), () => undefined);
        await sleep(2500);
      }
    })();
    // kubectl through the balancer after each fault: one read, one write.
    const kubectlWorks: string[] = [];
    const checkKubectl = async (after: string) => {
      await kubectl.ok(['get', 'configmap', load.counterName(0), '-o', 'jsonpath={.data.n}']);
      await kubectl.ok(['annotate', '--overwrite', 'deployment/chaos', `chaos/after=${after.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`]);
      kubectlWorks.push(after);
    };
    const windows: LoadWindow[] = [];
    const takeovers: string[] = [];
    try {
      await sleep(2000);
      windows.push(load.mark('no fault'));

      // A hung (not dead) apiserver: its connections stall until it continues.
      const hung = pidOf(cluster, 'apiserver-3');
      process.kill(hung, 'SIGSTOP');
      const duringHang = checkKubectl('SIGSTOP apiserver-3');
      await sleep(8000);
      process.kill(hung, 'SIGCONT');
      await sleep(2000);
      await duringHang;
      windows.push(load.mark('SIGSTOP apiserver-3 for 8 s'));

      // Two of three apiservers killed, one after the other: one serves everything.
      const again = ['apiserver-2', 'apiserver-3'].map((name) => respawner(cluster, name));
      process.kill(pidOf(cluster, 'apiserver-2'), 'SIGKILL');
      await sleep(3000);
      windows.push(load.mark('SIGKILL apiserver-2'));
      process.kill(pidOf(cluster, 'apiserver-3'), 'SIGKILL');
      await sleep(4000);
      await checkKubectl('two apiservers down');
      windows.push(load.mark('SIGKILL apiserver-3 (two of three down)'));
      for (const a of again) {
        respawned.push(a.start());
        const port = a.argv[a.argv.indexOf('--insecure-port') + 1];
        await waitFor('a restarted apiserver ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200, 60_000);
      }
      windows.push(load.mark('both apiservers started again'));

      // The etcd leader killed: a new one is elected among the two left.
      const leader = await etcdLeader(cluster);
      const member = respawner(cluster, leader);
      process.kill(pidOf(cluster, leader), 'SIGKILL');
      await sleep(4000);
      await checkKubectl('etcd leader killed');
      windows.push(load.mark(`SIGKILL the etcd leader (${leader})`));
      respawned.push(member.start());
      await waitFor('three healthy etcd members', async () => (await etcdctl('endpoint', 'health', '--cluster').then((r) => (`${r.stdout}${r.stderr}`.match(/is healthy/g) ?? []).length, () => 0)) === 3, 60_000);
      windows.push(load.mark('etcd member started again'));

      // The balancer itself: every connection through it cut, new ones refused until it is back.
      respawned.push(await restartBalancer(cluster));
      await sleep(4000);
      await checkKubectl('nginx restarted');
      windows.push(load.mark('nginx killed and started again'));

      // Both leaders at once: the standbys take over after the Lease runs out.
      const [scheduler, controllerManager] = await Promise.all([killLeader(client, 'kube-scheduler'), killLeader(client, 'kube-controller-manager')]);
      for (const [what, t] of [['scheduler', scheduler], ['controller-manager', controllerManager]] as const) {
        expect(t.after, `${what} Lease after its leader was killed`).not.toBe('');
        expect(t.after).not.toBe(t.before);
        takeovers.push(`${what}: ${t.before} -> ${t.after} in ${t.takeoverMs} ms`);
      }
      await checkKubectl('leaders killed');
      windows.push(load.mark('SIGKILL the scheduler and controller-manager leaders'));
    } finally {
      scaling = false;
      await scaler;
      await load.stop();
    }
    console.log(['window                                                acked  failed  longest gap', ...windows.map((w) => `${w.label.padEnd(52)} ${String(w.acked).padStart(6)} ${String(w.failed).padStart(7)} ${String(w.longestGapMs).padStart(9)} ms`), ...takeovers].join('\n'));

    // Nothing acknowledged is lost.
    expect(load.ackedCreates.length).toBeGreaterThan(100);
    expect(await lostWrites(client, load)).toEqual([]);
    // The watcher caught up, saw every acknowledged write once and in order.
    await waitFor('the informer to catch up with the store', async () => (await audit.divergence(client)).length === 0, 30_000);
    const report = audit.report(load);
    await audit.stop();
    console.log(`watch audit: ${load.ackedCreates.length} creates, ${[...load.ackedCounts.values()].flat().length} counter updates acknowledged; ${report.missing.length} missing, ${report.duplicated.length} duplicated, ${report.outOfOrder} out of order, ${report.relists} relists`);
    expect(report.missing).toEqual([]);
    expect(report.duplicated).toEqual([]);
    expect(report.outOfOrder).toBe(0);
    expect(kubectlWorks).toHaveLength(5);

    // The new leaders act: the Deployment reaches the last size asked for, and one more.
    const asked = (await client.get(deployments, 'default', 'chaos')).spec?.replicas;
    // The last acknowledged size, or a later one whose answer was lost.
    expect([lastScaleAcked, lastScaleTried]).toContain(asked);
    await kubectl.ok(['scale', 'deployment', 'chaos', '--replicas=3']);
    await kubectl.ok(['wait', '--for=jsonpath={.status.availableReplicas}=3', 'deployment/chaos', '--timeout=120s']);
    await client.close();
  }, 400_000);

  it('a leader frozen past its renew deadline steps down when it thaws, exits 1, and the launcher starts it again', async () => {
    const client = new RestClient(loadClientConfig({ kubeconfig: cluster.kubeconfig }));
    const holder = await leaseHolder(client, 'kube-controller-manager');
    const pid = Number(holder.split('_').pop());
    const name = ['controller-manager', 'controller-manager-2'].find((n) => pidOf(cluster, n) === pid)!;
    expect(name).toBeDefined();
    // Frozen for longer than the renew deadline (10 s): its deadline has passed when it thaws.
    process.kill(pid, 'SIGSTOP');
    await sleep(12_000);
    process.kill(pid, 'SIGCONT');
    // It stops leading and exits 1 (lost its Lease), and the launcher starts a new one.
    await waitFor('the thawed leader to exit', async () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 30_000);
    const restarted = await waitFor('the launcher to start it again', async () => (pidOf(cluster, name) !== pid ? pidOf(cluster, name) : undefined), 30_000);
    expect(readFileSync(join(cluster.logDir, `${name}.log`), 'utf8')).toContain('not renewed within the renew deadline');
    // A controller-manager leads again (the new process, or a standby) and acts.
    await waitFor('a controller-manager leading', async () => {
      const now = await leaseHolder(client, 'kube-controller-manager');
      return now !== '' && now !== holder;
    }, 60_000);
    expect(() => process.kill(restarted, 0)).not.toThrow();
    await kubectl.ok(['scale', 'deployment', 'chaos', '--replicas=1']);
    await kubectl.ok(['wait', '--for=jsonpath={.status.replicas}=1', 'deployment/chaos', '--timeout=60s']);
    await client.close();
  }, 180_000);
});

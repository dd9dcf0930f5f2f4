// High-availability fault benchmark (issue 15): the launcher's HA shape (three etcd members with
// TLS between peers, three apiservers behind the nginx balancer, standby scheduler and
// controller-manager), a steady load through the balancer from 4 writers (each a ConfigMap
// create then an update of its own counter, in turn) and an informer following from its last
// resourceVersion. The same faults as test/e2e/ha.test.ts, which asserts on them; here each
// window's figures are recorded: writes acknowledged, requests failed, the longest interval
// with no successful write; the leaders' takeover times; and at the end acknowledged writes
// lost and the informer's missing, duplicated and out-of-order events (all must be 0). The
// raw baseline is the same load against one apiserver directly, before any fault, in the same
// run. Traffic stays on loopback. Usage: npm run bench:ha
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadClientConfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest.js';
import { etcdLeader, killLeader, lostWrites, pidOf, respawner, restartBalancer, SteadyLoad, WatchAudit, type LoadWindow } from '../test/harness/chaos.js';
import { startCluster } from '../test/harness/cluster.js';
import { freePort, waitFor } from '../test/harness/ports.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function print(w: LoadWindow, seconds: number): void {
  console.log(`${w.label.padEnd(54)} ${String(w.acked).padStart(7)} ${(w.acked / seconds).toFixed(0).padStart(8)} ${String(w.failed).padStart(7)} ${`${w.longestGapMs} ms`.padStart(12)}`);
}

async function main(): Promise<void> {
  const balancer = await freePort();
  const cluster = await startCluster({ nodes: 0, launcherArgs: ['--apiservers', '3', '--etcd-members', '3', '--balancer-port', String(balancer), '--without', 'proxy,dns'] });
  // With no nodes to wait for, the launcher may still be writing the kubeconfig; the standbys
  // must be up before a leader is killed.
  await waitFor('the kubeconfig', async () => existsSync(cluster.kubeconfig), 30_000);
  await sleep(3000);
  const client = new RestClient({ ...loadClientConfig({ kubeconfig: cluster.kubeconfig }), connections: 16 });
  const direct = new RestClient({ server: cluster.server, connections: 16 });
  const respawned: ChildProcess[] = [];
  const audit = new WatchAudit(client);
  await audit.start();
  try {
    console.log(`${'window'.padEnd(54)} ${'acked'.padStart(7)} ${'writes/s'.padStart(8)} ${'failed'.padStart(7)} ${'longest gap'.padStart(12)}`);
    // The raw baseline: one apiserver, no balancer, no fault; then the same through the balancer.
    const baseline = new SteadyLoad(direct, 'base-direct');
    await sleep(6000);
    print(baseline.mark('baseline: one apiserver directly, no fault'), 6);
    await baseline.stop();
    const load = new SteadyLoad(client, 'chaos');
    const window = async (label: string, fault: () => Promise<void>, afterMs = 4000) => {
      const started = Date.now();
      await fault();
      await sleep(afterMs);
      print(load.mark(label), (Date.now() - started) / 1000);
    };
    await window('baseline: through the balancer, no fault', async () => undefined, 6000);
    await window('SIGSTOP apiserver-3 for 8 s', async () => {
      const pid = pidOf(cluster, 'apiserver-3');
      process.kill(pid, 'SIGSTOP');
      await sleep(8000);
      process.kill(pid, 'SIGCONT');
    }, 2000);
    const again = ['apiserver-2', 'apiserver-3'].map((name) => respawner(cluster, name));
    await window('SIGKILL apiserver-2', async () => void process.kill(pidOf(cluster, 'apiserver-2'), 'SIGKILL'));
    await window('SIGKILL apiserver-3 (two of three down)', async () => void process.kill(pidOf(cluster, 'apiserver-3'), 'SIGKILL'));
    await window('both apiservers started again', async () => {
      for (const a of again) respawned.push(a.start());
    });
    const leader = await etcdLeader(cluster);
    const member = respawner(cluster, leader);
    await window(`SIGKILL the etcd leader (${leader})`, async () => void process.kill(pidOf(cluster, leader), 'SIGKILL'));
    respawned.push(member.start());
    await sleep(3000);
    load.mark('etcd member started again');
    await window('nginx killed and started again', async () => void respawned.push(await restartBalancer(cluster)));
    const started = Date.now();
    const takeovers = await Promise.all([killLeader(direct, 'kube-scheduler'), killLeader(direct, 'kube-controller-manager')]);
    print(load.mark('SIGKILL the scheduler and controller-manager leaders'), (Date.now() - started) / 1000);
    console.log(`takeover: scheduler ${takeovers[0].takeoverMs} ms, controller-manager ${takeovers[1].takeoverMs} ms`);
    await load.stop();

    const lost = await lostWrites(direct, load);
    await waitFor('the informer to catch up', async () => (await audit.divergence(direct)).length === 0, 30_000);
    const report = audit.report(load);
    const updates = [...load.ackedCounts.values()].flat().length;
    console.log(
      `\n${load.ackedCreates.length} creates and ${updates} counter updates acknowledged through the balancer: ${lost.length} lost. ` +
        `Informer (through the balancer, following from its last resourceVersion): ${report.missing.length} missing, ${report.duplicated.length} duplicated, ${report.outOfOrder} out of order, ${report.relists} relists`,
    );
  } finally {
    await audit.stop();
    for (const p of respawned) p.kill('SIGKILL');
    await client.close();
    await direct.close();
    await cluster.stop();
  }
}

await main();

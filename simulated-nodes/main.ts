#!/usr/bin/env node
// kubette simulated nodes (what kwok is to Kubernetes): one process registers --nodes Node
// objects with the capacity, labels and taints given, keeps their Leases and status current as
// kubelets do, and moves the pods bound to them through Pending -> Running (-> Succeeded or
// Failed) without running anything. For scale tests of the control plane: everything it does
// with real nodes (scheduling, node lifecycle, DaemonSets, Jobs, endpoints) works against
// these. Logs and exec do not: nothing runs.
import { parseQuantity } from '../api/quantity.js';
import { loadClientConfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest.js';
import { apiServerFlags, defineFlags, FlagError } from '../component-base/flags.js';
import { serveHealth } from '../component-base/health-server.js';
import { parseKeyValues, parseTaints } from '../component-base/node-flags.js';
import { runComponent } from '../component-base/run.js';
import { Limiter } from './limiter.js';
import { NodeFleet } from './node-fleet.js';
import { PodSimulator } from './pod-simulator.js';

const flags = defineFlags({
  ...apiServerFlags,
  nodes: { type: 'int', default: 10, min: 1, max: 16384, arg: 'N', help: 'How many nodes to simulate.' },
  'node-name-prefix': { type: 'string', default: 'simulated', arg: 'PREFIX', help: 'Nodes are named <prefix>-1 ... <prefix>-N.' },
  cpu: { type: 'string', default: '32', arg: 'QUANTITY', help: 'Each node\'s CPU capacity (and allocatable).' },
  memory: { type: 'string', default: '256Gi', arg: 'QUANTITY', help: "Each node's memory capacity." },
  'max-pods': { type: 'int', default: 110, min: 1, max: 253, arg: 'N', help: 'Pods each node takes.' },
  'node-labels': { type: 'string', default: '', arg: 'k=v,...', help: 'Labels on every simulated node (beside kubette.io/simulated=true).' },
  'register-with-taints': { type: 'string', default: '', arg: 'k=v:Effect,...', help: 'Taints on every simulated node.' },
  'node-lease-duration-seconds': { type: 'int', default: 40, min: 4, arg: 'N', help: 'Their Leases\' duration; each is renewed every quarter of it.' },
  'pod-start-latency': { type: 'duration', default: '500ms', help: 'From a pod bound to a simulated node to Running.' },
  'pod-run-duration': { type: 'duration', default: '5s', help: 'How long pods with restartPolicy Never/OnFailure run before they exit (the annotation kubette.io/simulated-run-seconds overrides it per pod; 0: they run for good).' },
  'pod-failure-rate': { type: 'string', default: '0', arg: 'FRACTION', help: 'The share (0-1) of exiting pods that exit 1 instead of 0.' },
  'concurrent-writes': { type: 'int', default: 32, min: 1, max: 1024, arg: 'N', help: 'Requests to the apiserver in flight at once.' },
  'kubelet-port': { type: 'port', default: 10250, arg: 'PORT', help: 'The kubelet port the Nodes advertise (nothing answers logs or exec there).' },
  'bind-address': { type: 'ip', default: '127.0.0.1', arg: 'IP', help: 'Address of /healthz and /metrics.' },
  port: { type: 'port', default: 0, arg: 'PORT', help: 'Port of /healthz and /metrics (0 disables).' },
});

runComponent({
  command: 'kubette-simulated-nodes',
  component: 'simulated-nodes',
  flags,
  validate: (f) => {
    const rate = Number(f['pod-failure-rate']);
    if (!(rate >= 0 && rate <= 1)) throw new FlagError(`--pod-failure-rate must be between 0 and 1, got ${f['pod-failure-rate']}`);
    for (const q of ['cpu', 'memory'] as const) if (parseQuantity(f[q]) === undefined) throw new FlagError(`--${q} is not a quantity: ${f[q]}`);
    try {
      parseKeyValues(f['node-labels']);
      parseTaints(f['register-with-taints']);
    } catch (err) {
      throw new FlagError((err as Error).message);
    }
  },
  async run({ flags: f, log, signal }) {
    const client = new RestClient({ ...loadClientConfig({ master: f.master, kubeconfig: f.kubeconfig, userAgent: 'kubette-simulated-nodes' }), connections: f['concurrent-writes'] + 4 });
    const limiter = new Limiter(f['concurrent-writes']);
    const names = Array.from({ length: f.nodes }, (_, i) => `${f['node-name-prefix']}-${i + 1}`);
    const fleet = new NodeFleet(
      client,
      {
        names,
        capacity: { cpu: f.cpu, memory: f.memory, pods: String(f['max-pods']), 'ephemeral-storage': '100Gi' },
        labels: parseKeyValues(f['node-labels']),
        taints: parseTaints(f['register-with-taints']),
        leaseDurationSeconds: f['node-lease-duration-seconds'],
        kubeletPort: f['kubelet-port'],
      },
      limiter,
      log,
    );
    const simulator = new PodSimulator(client, fleet, { startLatencyMs: f['pod-start-latency'], runMs: f['pod-run-duration'], failureRate: Number(f['pod-failure-rate']), workers: f['concurrent-writes'] }, limiter, log);
    const server = serveHealth(f['bind-address'], f.port, {
      metrics: () => [
        `simulated_nodes_registered ${fleet.registered}`,
        `simulated_node_lease_renewals_total ${fleet.leaseRenewals}`,
        `simulated_node_errors_total ${fleet.errors}`,
        `simulated_pods_running ${simulator.runningPods()}`,
        `simulated_pods_started_total ${simulator.started}`,
        `simulated_pods_finished_total ${simulator.finished}`,
        `simulated_pods_deleted_total ${simulator.deleted}`,
        `simulated_pod_errors_total ${simulator.errors}`,
      ],
    });
    await Promise.all([fleet.run(signal), simulator.run(signal)]);
    server?.close();
    await client.close();
  },
});

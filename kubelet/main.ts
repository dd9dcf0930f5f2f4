#!/usr/bin/env node
// kubette kubelet: flags -> client + Docker -> register the node, run the pods bound to it, and
// serve logs and exec on --port.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { parseGoDuration } from '../api/go-duration.js';
import { EventRecorder } from '../client/events.js';
import { loadClientConfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest.js';
import { Kubelet } from './kubelet.js';
import { parseKeyValues, parseTaints } from './node-status.js';
import { DockerRuntime } from './runtime/docker.js';
import { KubeletServer } from './server.js';

const { values } = parseArgs({
  options: {
    'node-name': { type: 'string', default: hostname().toLowerCase() },
    master: { type: 'string' },
    kubeconfig: { type: 'string' },
    'docker-endpoint': { type: 'string', default: 'unix:///var/run/docker.sock' },
    'pod-infra-container-image': { type: 'string', default: 'kubette/pause:3.9' },
    'pod-network': { type: 'string', default: 'kubette' },
    'node-labels': { type: 'string', default: '' },
    'register-with-taints': { type: 'string', default: '' },
    'max-pods': { type: 'string', default: '110' },
    'system-reserved': { type: 'string', default: '' },
    address: { type: 'string', default: '0.0.0.0' },
    port: { type: 'string', default: '10250' },
    'node-ip': { type: 'string', default: '127.0.0.1' },
    'root-dir': { type: 'string' },
    'cluster-dns': { type: 'string', default: '' },
    'cluster-domain': { type: 'string', default: 'cluster.local' },
    'node-lease-duration-seconds': { type: 'string', default: '40' },
    'node-status-update-frequency': { type: 'string', default: '10s' },
    'remove-containers-on-exit': { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'info' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`Usage: kubette-kubelet [flags]

  --node-name NAME                   the Node this kubelet registers and runs pods for (default: hostname)
  --master URL                       apiserver URL (overrides --kubeconfig)
  --kubeconfig FILE                  kubeconfig with the apiserver's address and credentials
  --docker-endpoint URL              Docker Engine socket (default unix:///var/run/docker.sock)
  --pod-infra-container-image IMAGE  the sandbox ("pause") image holding each pod's network (default kubette/pause:3.9)
  --pod-network NAME                 Docker network pod sandboxes join; created if missing (default kubette)
  --node-labels k=v,...              labels to register the node with
  --register-with-taints k=v:Effect,...  taints to register the node with
  --max-pods N                       pods this node accepts (default 110)
  --system-reserved cpu=..,memory=.. resources held back from pods (allocatable = capacity - reserved)
  --address IP                       address of the kubelet's server (default 0.0.0.0)
  --port PORT                        port of the kubelet's server: /healthz, logs, exec (default 10250; 0 picks a free one)
  --node-ip IP                       the node's InternalIP, where the apiserver reaches --port (default 127.0.0.1)
  --root-dir DIR                     pod volumes live here (default /var/lib/kubette/<node-name>)
  --cluster-dns IP,...               DNS server for pods with dnsPolicy ClusterFirst (default: the node's resolver)
  --cluster-domain DOMAIN            the cluster's DNS domain (default cluster.local)
  --node-lease-duration-seconds N    the node Lease's duration; renewed every quarter of it (default 40)
  --node-status-update-frequency D   how often node status is checked and written if changed (default 10s)
  --remove-containers-on-exit        on SIGTERM, stop and remove every container of this node (for
                                     \`docker compose down\`); without it pods keep running and the
                                     next kubelet adopts them
  --log-level LEVEL                  trace, debug, info, warn or error (default info)`);
  process.exit(0);
}

const nodeName = values['node-name']!;
const log = pino({ level: values['log-level'], base: { component: 'kubelet', node: nodeName } });

async function main(): Promise<void> {
  const endpoint = values['docker-endpoint']!;
  if (!endpoint.startsWith('unix://')) throw new Error(`--docker-endpoint must be a unix:// socket, got ${endpoint}`);
  const runtime = new DockerRuntime(endpoint.slice('unix://'.length));
  const client = new RestClient(loadClientConfig({ master: values.master, kubeconfig: values.kubeconfig, userAgent: `kubelet/${nodeName}` }));
  const recorder = new EventRecorder(client, { component: 'kubelet', host: nodeName }, log);
  const rootDir = values['root-dir'] ?? join('/var/lib/kubette', nodeName);
  mkdirSync(join(rootDir, 'pods'), { recursive: true });
  let kubelet: Kubelet | undefined;
  let runtimeUp = true;
  const server = new KubeletServer({
    runtime,
    findPod: (ns, name) => kubelet?.findPod(ns, name),
    listPods: () => kubelet?.pods.list() ?? [],
    observe: (uid) => kubelet!.syncer.observe(uid),
    healthy: () => runtimeUp,
    metrics: () => kubelet?.metrics() ?? '',
    log,
  });
  // --port 0 takes a free port; the Node then advertises the one actually bound.
  const port = await server.listen(Number(values.port), values.address!);
  log.info({ port, address: values.address }, 'kubelet server listening');
  kubelet = new Kubelet(
    client,
    runtime,
    recorder,
    {
      nodeName,
      nodeIP: values['node-ip']!,
      rootDir,
      podNetwork: values['pod-network']!,
      pauseImage: values['pod-infra-container-image']!,
      clusterDNS: values['cluster-dns']!.split(',').filter(Boolean),
      clusterDomain: values['cluster-domain']!,
    },
    {
      nodeName,
      nodeIP: values['node-ip']!,
      port,
      labels: parseKeyValues(values['node-labels']!),
      taints: parseTaints(values['register-with-taints']!),
      maxPods: Number(values['max-pods']),
      reserved: parseKeyValues(values['system-reserved']!),
      leaseDurationSeconds: Number(values['node-lease-duration-seconds']),
      statusUpdateMs: parseGoDuration(values['node-status-update-frequency']!),
    },
    log,
  );
  const health = setInterval(() => void runtime.version().then(() => (runtimeUp = true), () => (runtimeUp = false)), 10_000);

  const stop = new AbortController();
  const shutdown = () => {
    // Pods keep running across a kubelet restart: the next kubelet adopts their containers.
    log.info('shutting down');
    stop.abort();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  await kubelet.run(stop.signal);
  clearInterval(health);
  if (values['remove-containers-on-exit']) await kubelet.removeAllContainers();
  server.close();
  await client.close();
  await runtime.close();
  process.exit(0);
}

main().catch((err) => {
  log.error({ err }, 'kubelet failed');
  process.exit(1);
});

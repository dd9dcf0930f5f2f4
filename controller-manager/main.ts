#!/usr/bin/env node
// kubette controller-manager: flags -> client -> (leader election) -> shared informers and the
// selected controllers; /healthz and /metrics on --port.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { parseGoDuration } from '../api/go-duration.js';
import { EventRecorder } from '../client/events.js';
import { serveHealth } from '../client/health-server.js';
import { InformerFactory } from '../client/informer-factory.js';
import { loadClientConfig } from '../client/kubeconfig.js';
import { LeaderElector } from '../client/leader-election.js';
import { RestClient } from '../client/rest.js';
import { CONTROLLERS, selectControllers } from './controllers/index.js';
import type { Controller, ControllerContext } from './framework/controller.js';

const { values } = parseArgs({
  options: {
    master: { type: 'string' },
    kubeconfig: { type: 'string' },
    'leader-elect': { type: 'string', default: 'true' },
    'leader-elect-lease-duration': { type: 'string', default: '15s' },
    'leader-elect-renew-deadline': { type: 'string', default: '10s' },
    'leader-elect-retry-period': { type: 'string', default: '2s' },
    controllers: { type: 'string', default: '*' },
    'node-monitor-grace-period': { type: 'string', default: '40s' },
    'node-monitor-period': { type: 'string', default: '5s' },
    'concurrent-deployment-syncs': { type: 'string', default: '5' },
    'concurrent-replicaset-syncs': { type: 'string', default: '5' },
    'concurrent-gc-syncs': { type: 'string', default: '20' },
    'concurrent-namespace-syncs': { type: 'string', default: '10' },
    'concurrent-endpoint-syncs': { type: 'string', default: '5' },
    'concurrent-service-endpoint-syncs': { type: 'string', default: '5' },
    'bind-address': { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '10252' },
    'log-level': { type: 'string', default: 'info' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`Usage: kubette-controller-manager [flags]

  --master URL                          apiserver URL (overrides --kubeconfig)
  --kubeconfig FILE                     kubeconfig with the apiserver's address and credentials
  --leader-elect BOOL                   run only while holding the kube-system/kube-controller-manager Lease (default true)
  --leader-elect-lease-duration D       (default 15s)   --leader-elect-renew-deadline D (default 10s)
  --leader-elect-retry-period D         (default 2s)
  --controllers LIST                    "*" for all, "-name" to leave one out (default "*"); names:
                                        ${Object.keys(CONTROLLERS).join(', ')}
  --node-monitor-grace-period D         a node silent this long becomes Unknown (default 40s)
  --node-monitor-period D               how often node health is checked (default 5s)
  --concurrent-deployment-syncs N       workers per controller (defaults: deployment 5, replicaset 5,
  --concurrent-replicaset-syncs N         gc 20, namespace 10, endpoint 5, service-endpoint 5)
  --concurrent-gc-syncs N   --concurrent-namespace-syncs N   --concurrent-endpoint-syncs N
  --concurrent-service-endpoint-syncs N
  --bind-address IP, --port PORT        /healthz and /metrics (default 127.0.0.1:10252; port 0 disables)
  --log-level LEVEL                     trace, debug, info, warn or error (default info)`);
  process.exit(0);
}

const log = pino({ level: values['log-level'], base: { component: 'controller-manager' } });

async function main(): Promise<void> {
  // Informers hold one watch each (the garbage collector watches every resource): a large pool.
  const client = new RestClient({ ...loadClientConfig({ master: values.master, kubeconfig: values.kubeconfig, userAgent: 'kubette-controller-manager' }), connections: 256 });
  const names = selectControllers(values.controllers!);
  const stop = new AbortController();
  let running: Controller[] = [];
  let informers: InformerFactory | undefined;

  const server = serveHealth(values['bind-address']!, Number(values.port), {
    metrics: () => [
      ...running.flatMap((c) => [
        `controller_reconciles_total{controller="${c.name}"} ${c.syncs}`,
        `controller_reconcile_errors_total{controller="${c.name}"} ${c.errors}`,
        `controller_queue_depth{controller="${c.name}"} ${c.queue.length}`,
      ]),
      ...(informers?.all() ?? []).flatMap(([path, inf]) => [
        `informer_watch_events_total{resource="${path}"} ${inf.stats.events}`,
        `informer_relists_total{resource="${path}"} ${inf.stats.lists}`,
        `informer_errors_total{resource="${path}"} ${inf.stats.errors}`,
      ]),
    ],
  });

  const lead = async (signal: AbortSignal) => {
    informers = new InformerFactory(client, log);
    const recorder = new EventRecorder(client, { component: 'controller-manager' }, log);
    const ctx: ControllerContext = {
      client,
      informers,
      recorder,
      log,
      options: {
        nodeMonitorGracePeriodMs: parseGoDuration(values['node-monitor-grace-period']!),
        nodeMonitorPeriodMs: parseGoDuration(values['node-monitor-period']!),
        concurrentSyncs: {
          deployment: Number(values['concurrent-deployment-syncs']),
          replicaset: Number(values['concurrent-replicaset-syncs']),
          replicationcontroller: Number(values['concurrent-replicaset-syncs']),
          garbagecollector: Number(values['concurrent-gc-syncs']),
          namespace: Number(values['concurrent-namespace-syncs']),
          endpoint: Number(values['concurrent-endpoint-syncs']),
          endpointslice: Number(values['concurrent-service-endpoint-syncs']),
        },
      },
    };
    running = names.map((n) => CONTROLLERS[n]!(ctx));
    const informing = informers.start(signal);
    await Promise.race([informers.synced, new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
    if (signal.aborted) return;
    log.info({ controllers: names }, 'caches synced; controllers starting');
    await Promise.all([informing, ...running.map((c) => c.run(signal))]);
  };

  const shutdown = () => {
    log.info('shutting down');
    stop.abort();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  if (values['leader-elect'] === 'true') {
    const elector = new LeaderElector(
      client,
      {
        namespace: 'kube-system',
        name: 'kube-controller-manager',
        identity: `${hostname()}_${process.pid}`,
        leaseDurationMs: parseGoDuration(values['leader-elect-lease-duration']!),
        renewDeadlineMs: parseGoDuration(values['leader-elect-renew-deadline']!),
        retryPeriodMs: parseGoDuration(values['leader-elect-retry-period']!),
      },
      log,
    );
    await elector.run(stop.signal, lead);
    // Leadership lost without a stop request: exit so a restart competes again, as Kubernetes does.
    if (!stop.signal.aborted) process.exitCode = 1;
  } else {
    await lead(stop.signal);
  }
  server?.close();
  await client.close();
  process.exit(process.exitCode ?? 0);
}

main().catch((err) => {
  log.error({ err }, 'controller-manager failed');
  process.exit(1);
});

#!/usr/bin/env node
// kubette scheduler: flags -> client -> (leader election) -> scheduling loop; /healthz and
// /metrics on --port.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { EventRecorder } from '../client/events.js';
import { serveHealth } from '../client/health-server.js';
import { loadClientConfig } from '../client/kubeconfig.js';
import { LeaderElector } from '../client/leader-election.js';
import { RestClient } from '../client/rest.js';
import { defaultFilters, defaultScores } from './plugins/index.js';
import { Scheduler } from './scheduler.js';

const { values } = parseArgs({
  options: {
    master: { type: 'string' },
    kubeconfig: { type: 'string' },
    'leader-elect': { type: 'string', default: 'true' },
    'scheduler-name': { type: 'string', default: 'default-scheduler' },
    'bind-address': { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '10251' },
    'log-level': { type: 'string', default: 'info' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`Usage: kubette-scheduler [flags]

  --master URL             apiserver URL (overrides --kubeconfig)
  --kubeconfig FILE        kubeconfig with the apiserver's address and credentials
  --leader-elect BOOL      take the kube-system/kube-scheduler Lease before scheduling (default true)
  --scheduler-name NAME    schedule pods with this spec.schedulerName (default "default-scheduler")
  --bind-address IP        address of /healthz and /metrics (default 127.0.0.1)
  --port PORT              port of /healthz and /metrics (default 10251; 0 disables)
  --log-level LEVEL        trace, debug, info, warn or error (default info)`);
  process.exit(0);
}

const log = pino({ level: values['log-level'], base: { component: 'scheduler' } });

async function main(): Promise<void> {
  const client = new RestClient(loadClientConfig({ master: values.master, kubeconfig: values.kubeconfig, userAgent: 'kubette-scheduler' }));
  const identity = `${hostname()}_${process.pid}`;
  const recorder = new EventRecorder(client, { component: values['scheduler-name']! }, log);
  const scheduler = new Scheduler(client, recorder, { schedulerName: values['scheduler-name']!, filters: defaultFilters, scores: defaultScores }, log);
  const stop = new AbortController();

  const server = serveHealth(values['bind-address']!, Number(values.port), {
    metrics: () => {
      const s = scheduler.podInformer.stats;
      return [
        `scheduler_schedule_attempts_total{result="scheduled"} ${scheduler.scheduledCount}`,
        `scheduler_informer_watch_events_total{resource="pods"} ${s.events}`,
        `scheduler_informer_relists_total{resource="pods"} ${s.lists}`,
        `scheduler_informer_errors_total{resource="pods"} ${s.errors}`,
      ];
    },
  });

  const shutdown = () => {
    log.info('shutting down');
    stop.abort();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  if (values['leader-elect'] === 'true') {
    const elector = new LeaderElector(client, { namespace: 'kube-system', name: 'kube-scheduler', identity }, log);
    await elector.run(stop.signal, (signal) => scheduler.run(signal));
    // Leadership lost without a stop request: exit so a restart competes again, as Kubernetes does.
    if (!stop.signal.aborted) process.exitCode = 1;
  } else {
    await scheduler.run(stop.signal);
  }
  server?.close();
  await client.close();
  process.exit(process.exitCode ?? 0);
}

main().catch((err) => {
  log.error({ err }, 'scheduler failed');
  process.exit(1);
});

#!/usr/bin/env node
// kubette scheduler: flags -> client -> (leader election) -> scheduling loop; /healthz and
// /metrics on --port.
import { hostname } from 'node:os';
import { EventRecorder } from '../client/events.js';
import { loadClientConfig } from '../client/kubeconfig.js';
import { LeaderStatus, runLeading } from '../client/leader-election.js';
import { RestClient } from '../client/rest.js';
import { apiServerFlags, defineFlags, leaderElectionFlags } from '../component-base/flags.js';
import { serveHealth } from '../component-base/health-server.js';
import { runComponent } from '../component-base/run.js';
import { defaultFilters, defaultScores } from './plugins/index.js';
import { Scheduler } from './scheduler.js';

const flags = defineFlags({
  ...apiServerFlags,
  ...leaderElectionFlags('kube-scheduler'),
  'scheduler-name': { type: 'string', default: 'default-scheduler', arg: 'NAME', help: 'Schedule pods with this spec.schedulerName.' },
  'bind-address': { type: 'ip', default: '127.0.0.1', arg: 'IP', help: 'Address of /healthz and /metrics.' },
  port: { type: 'port', default: 10251, arg: 'PORT', help: 'Port of /healthz and /metrics (0 disables).' },
});

runComponent({
  command: 'kubette-scheduler',
  component: 'scheduler',
  flags,
  async run({ flags: f, log, signal }) {
    const clientConfig = loadClientConfig({ master: f.master, kubeconfig: f.kubeconfig, userAgent: 'kubette-scheduler' });
    const client = new RestClient(clientConfig);
    const leader = new LeaderStatus('kube-scheduler');
    // Binds and status writes go through the fence: none after this process's renew deadline.
    const writer = leader.fence(client, f['leader-elect']);
    const recorder = new EventRecorder(writer, { component: f['scheduler-name'] }, log);
    const scheduler = new Scheduler(writer, recorder, { schedulerName: f['scheduler-name'], filters: defaultFilters, scores: defaultScores }, log);
    const server = serveHealth(f['bind-address'], f.port, {
      metrics: () => {
        const s = scheduler.podInformer.stats;
        return [
          ...leader.metrics(),
          `scheduler_schedule_attempts_total{result="scheduled"} ${scheduler.scheduledCount}`,
          `scheduler_preemption_attempts_total ${scheduler.preemptionAttempts}`,
          `scheduler_preemption_victims_total ${scheduler.preemptionVictims}`,
          `scheduler_informer_watch_events_total{resource="pods"} ${s.events}`,
          `scheduler_informer_relists_total{resource="pods"} ${s.lists}`,
          `scheduler_informer_errors_total{resource="pods"} ${s.errors}`,
        ];
      },
    });
    await runLeading(clientConfig, f, { name: 'kube-scheduler', identity: `${hostname()}_${process.pid}` }, signal, (s) => scheduler.run(s), log, leader);
    server?.close();
    await client.close();
  },
});

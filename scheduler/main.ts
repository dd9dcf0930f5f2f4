#!/usr/bin/env node
// kubette scheduler: flags -> client -> (leader election) -> scheduling loop; /healthz,
// /livez, /readyz and /metrics on the secure port (10259), and on a plain --port if asked.
import { hostname } from 'node:os';
import { delegationClients } from '../client/delegation.js';
import { EventRecorder } from '../client/events.js';
import { loadClientConfig } from '../client/kubeconfig.js';
import { LeaderStatus, runLeading } from '../client/leader-election.js';
import { RestClient } from '../client/rest.js';
import { apiServerFlags, defineFlags, leaderElectionFlags } from '../component-base/flags.js';
import type { ComponentEndpoints, NamedCheck } from '../component-base/component-endpoints.js';
import { serveHealth } from '../component-base/health-server.js';
import { secureServingFlags, serveSecurely, validateSecureServing } from '../component-base/secure-serving.js';
import { runComponent } from '../component-base/run.js';
import { defaultFilters, defaultScores } from './plugins/index.js';
import { Scheduler } from './scheduler.js';

const flags = defineFlags({
  ...apiServerFlags,
  ...leaderElectionFlags('kube-scheduler'),
  'scheduler-name': { type: 'string', default: 'default-scheduler', arg: 'NAME', help: 'Schedule pods with this spec.schedulerName.' },
  ...secureServingFlags(10259),
  port: { type: 'port', default: 0, arg: 'PORT', help: 'Plain-HTTP port of /healthz and /metrics on 127.0.0.1, unauthenticated (0: none; Kubernetes removed its own).' },
});

runComponent({
  command: 'kubette-scheduler',
  component: 'scheduler',
  flags,
  validate: validateSecureServing,
  async run({ flags: f, log, signal }) {
    const clientConfig = loadClientConfig({ master: f.master, kubeconfig: f.kubeconfig, userAgent: 'kubette-scheduler' });
    const client = new RestClient(clientConfig);
    const leader = new LeaderStatus('kube-scheduler');
    // Binds and status writes go through the fence: none after this process's renew deadline.
    const writer = leader.fence(client, f['leader-elect']);
    const recorder = new EventRecorder(writer, { component: f['scheduler-name'] }, log);
    const scheduler = new Scheduler(writer, recorder, { schedulerName: f['scheduler-name'], filters: defaultFilters, scores: defaultScores }, log);
    const metrics = () => {
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
    };
    // Kubernetes' checks: leaderElection (with leader election), and for readiness also shutdown
    // and sched-handler-sync. This scheduler fills its caches when it starts leading, so a
    // standby has nothing to sync yet and is ready.
    const leaderElection: NamedCheck[] = f['leader-elect'] ? [{ name: 'leaderElection', check: () => leader.renewalProblem() }] : [];
    const readyz: NamedCheck[] = [
      ...leaderElection,
      { name: 'shutdown', check: () => (signal.aborted ? 'process is shutting down' : undefined) },
      { name: 'sched-handler-sync', check: () => (scheduler.handlersSynced || (f['leader-elect'] && !leader.elector?.isLeader) ? undefined : 'handlers are not fully synchronized') },
    ];
    const endpoints: ComponentEndpoints = { checks: (e) => (e === 'readyz' ? readyz : e === 'healthz' ? leaderElection : []), metrics };
    const delegation = delegationClients(client, { authentication: f['authentication-kubeconfig'], authorization: f['authorization-kubeconfig'] }, 'kubette-scheduler');
    // Made beside the work (its certificate takes a few tens of milliseconds), not before it; a
    // port that cannot be bound still fails the start.
    const secure = serveSecurely({ flags: f, name: 'kube-scheduler', apiserver: delegation, endpoints, log });
    const server = serveHealth('127.0.0.1', f.port, { metrics });
    await Promise.all([runLeading(clientConfig, f, { name: 'kube-scheduler', identity: `${hostname()}_${process.pid}` }, signal, (s) => scheduler.run(s), log, leader), secure]);
    server?.close();
    await (await secure)?.close();
    await delegation.close();
    await client.close();
  },
});

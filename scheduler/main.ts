#!/usr/bin/env node
// kubette scheduler: flags (and a KubeSchedulerConfiguration file) -> client -> (leader
// election) -> scheduling loop; /healthz, /livez, /readyz, /metrics and /configz on the secure
// port (10259), and the first two on a plain --port if asked.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { formatGoDuration, parseGoDuration } from '../api/go-duration.js';
import { delegationClients } from '../client/delegation.js';
import { EventRecorder } from '../client/events.js';
import { loadClientConfig } from '../client/kubeconfig.js';
import { LeaderStatus, runLeading } from '../client/leader-election.js';
import { RestClient } from '../client/rest.js';
import { apiServerFlags, defineFlags, FlagError, flagGiven, leaderElectionFlags } from '../component-base/flags.js';
import type { ComponentEndpoints, NamedCheck } from '../component-base/component-endpoints.js';
import { serveHealth } from '../component-base/health-server.js';
import { secureServingFlags, serveSecurely, validateSecureServing } from '../component-base/secure-serving.js';
import { runComponent } from '../component-base/run.js';
import { ConfigurationError, parseSchedulerConfiguration, type KubeSchedulerConfiguration } from './configuration.js';
import { buildProfiles, NO_SOURCES } from './profiles.js';
import { Scheduler } from './scheduler.js';

const flags = defineFlags({
  ...apiServerFlags,
  ...leaderElectionFlags('kube-scheduler'),
  config: {
    type: 'string',
    arg: 'FILE',
    help: 'A KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1, YAML or JSON): profiles with their plugins, weights and args, percentageOfNodesToScore, back-off, leader election, kubeconfig. Leader-election and kubeconfig flags given on the command line win over the file.',
  },
  'scheduler-name': { type: 'string', default: 'default-scheduler', arg: 'NAME', help: 'Schedule pods with this spec.schedulerName (without --config: the one profile).' },
  ...secureServingFlags(10259),
  port: { type: 'port', default: 0, arg: 'PORT', help: 'Plain-HTTP port of /healthz and /metrics on 127.0.0.1, unauthenticated (0: none; Kubernetes removed its own).' },
});

type Flags = { config?: string; 'scheduler-name': string; kubeconfig?: string; 'leader-elect': boolean; 'leader-elect-lease-duration': number; 'leader-elect-renew-deadline': number; 'leader-elect-retry-period': number };

let loaded: { config: KubeSchedulerConfiguration; unsupported: string[] } | undefined;

/**
 * The configuration in effect: the file's (checked, defaulted, its profiles' plugins made once
 * to find what kube-scheduler would refuse), or without one the flags' single profile. Flags
 * given on the command line win over the file's leader election and kubeconfig.
 */
function configuration(f: Flags): { config: KubeSchedulerConfiguration; unsupported: string[] } {
  if (loaded) return loaded;
  const argv = process.argv.slice(2);
  let config: KubeSchedulerConfiguration;
  if (f.config) {
    if (flagGiven(argv, 'scheduler-name')) throw new FlagError('--scheduler-name cannot be used with --config: name the profiles in the file');
    let text: string;
    try {
      text = readFileSync(f.config, 'utf8');
    } catch (err) {
      throw new FlagError(`--config: ${(err as Error).message}`);
    }
    try {
      config = parseSchedulerConfiguration(text);
    } catch (err) {
      if (err instanceof ConfigurationError) throw new FlagError(`--config ${f.config}: ${err.message}`);
      throw err;
    }
  } else {
    config = parseSchedulerConfiguration(JSON.stringify({ apiVersion: 'kubescheduler.config.k8s.io/v1', kind: 'KubeSchedulerConfiguration', profiles: [{ schedulerName: f['scheduler-name'] }] }));
  }
  const le = config.leaderElection;
  const flagOr = <T>(name: string, flag: T, file: T): T => (!f.config || flagGiven(argv, name) ? flag : file);
  le.leaderElect = flagOr('leader-elect', f['leader-elect'], le.leaderElect);
  le.leaseDuration = flagOr('leader-elect-lease-duration', formatGoDuration(f['leader-elect-lease-duration']), le.leaseDuration);
  le.renewDeadline = flagOr('leader-elect-renew-deadline', formatGoDuration(f['leader-elect-renew-deadline']), le.renewDeadline);
  le.retryPeriod = flagOr('leader-elect-retry-period', formatGoDuration(f['leader-elect-retry-period']), le.retryPeriod);
  config.clientConnection.kubeconfig = flagOr('kubeconfig', f.kubeconfig ?? '', config.clientConnection.kubeconfig);
  let unsupported: string[];
  try {
    unsupported = buildProfiles(config, NO_SOURCES).unsupported;
  } catch (err) {
    if (err instanceof ConfigurationError) throw new FlagError(`--config ${f.config}: ${err.message}`);
    throw err;
  }
  return (loaded = { config, unsupported });
}

runComponent({
  command: 'kubette-scheduler',
  component: 'scheduler',
  flags,
  validate: (f) => {
    validateSecureServing(f);
    configuration(f);
  },
  async run({ flags: f, log, signal }) {
    const { config, unsupported } = configuration(f);
    // Plugins kubette has no code for are said once (with a file: the defaults include some).
    if (f.config && unsupported.length) log.warn({ unsupported }, 'the configuration asks for plugins or args kubette does not implement; they are ignored');
    const le = config.leaderElection;
    const election = {
      'leader-elect': le.leaderElect,
      'leader-elect-lease-duration': parseGoDuration(le.leaseDuration),
      'leader-elect-renew-deadline': parseGoDuration(le.renewDeadline),
      'leader-elect-retry-period': parseGoDuration(le.retryPeriod),
    };
    const clientConfig = loadClientConfig({ master: f.master, kubeconfig: config.clientConnection.kubeconfig || undefined, userAgent: 'kubette-scheduler' });
    const client = new RestClient(clientConfig);
    const leader = new LeaderStatus(le.resourceName);
    // Binds and status writes go through the fence: none after this process's renew deadline.
    const writer = leader.fence(client, le.leaderElect);
    const scheduler = new Scheduler(writer, { configuration: config, recorderFor: (component) => new EventRecorder(writer, { component }, log) }, log);
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
    const leaderElection: NamedCheck[] = le.leaderElect ? [{ name: 'leaderElection', check: () => leader.renewalProblem() }] : [];
    const readyz: NamedCheck[] = [
      ...leaderElection,
      { name: 'shutdown', check: () => (signal.aborted ? 'process is shutting down' : undefined) },
      { name: 'sched-handler-sync', check: () => (scheduler.handlersSynced || (le.leaderElect && !leader.elector?.isLeader) ? undefined : 'handlers are not fully synchronized') },
    ];
    const endpoints: ComponentEndpoints = {
      checks: (e) => (e === 'readyz' ? readyz : e === 'healthz' ? leaderElection : []),
      metrics,
      configz: { name: 'componentconfig', config: () => config },
    };
    const delegation = delegationClients(client, { authentication: f['authentication-kubeconfig'], authorization: f['authorization-kubeconfig'] }, 'kubette-scheduler');
    // Made beside the work (its certificate takes a few tens of milliseconds), not before it; a
    // port that cannot be bound still fails the start.
    const secure = serveSecurely({ flags: f, name: 'kube-scheduler', apiserver: delegation, endpoints, log });
    const server = serveHealth('127.0.0.1', f.port, { metrics });
    await Promise.all([runLeading(clientConfig, election, { name: le.resourceName, namespace: le.resourceNamespace, identity: `${hostname()}_${process.pid}` }, signal, (s) => scheduler.run(s), log, leader), secure]);
    server?.close();
    await (await secure)?.close();
    await delegation.close();
    await client.close();
  },
});

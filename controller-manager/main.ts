#!/usr/bin/env node
// kubette controller-manager: flags -> client -> (leader election) -> shared informers and the
// selected controllers; /healthz, /livez, /readyz, /metrics and /configz on the secure port
// (10257), and the first two on a plain --port if asked.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { delegationClients } from '../client/delegation.js';
import { EventRecorder } from '../client/events.js';
import { InformerFactory } from '../client/informer-factory.js';
import { loadClientConfig } from '../client/kubeconfig.js';
import { LeaderStatus, runLeading } from '../client/leader-election.js';
import { RestClient } from '../client/rest.js';
import { apiServerFlags, defineFlags, FlagError, leaderElectionFlags } from '../component-base/flags.js';
import type { ComponentEndpoints, NamedCheck } from '../component-base/component-endpoints.js';
import { serveHealth } from '../component-base/health-server.js';
import { secureServingFlags, serveSecurely, validateSecureServing } from '../component-base/secure-serving.js';
import { runComponent } from '../component-base/run.js';
import { LegacyTokenSigner } from '../api/legacy-service-account-token.js';
import { CONTROLLERS, DISABLED_BY_DEFAULT, EVENT_SOURCES, NEEDS_SERVICE_ACCOUNT_KEY, NODE_JOINING, selectControllers } from './controllers/index.js';
import type { Controller, ControllerContext } from './framework/controller.js';
import { INFORMER_KEEPING } from './framework/informer-trims.js';
import { controllerManagerConfiguration } from './configz.js';

/** How long the other controllers wait for the node-joining controllers' first lists. */
const FIRST_LISTS_WAIT_MS = 1000;

const workers = (what: string, n: number) => ({ type: 'int', default: n, min: 1, arg: 'N', help: `Workers of the ${what} controller.` }) as const;

const flags = defineFlags({
  ...apiServerFlags,
  ...leaderElectionFlags('kube-controller-manager'),
  controllers: { type: 'list', default: ['*'], arg: 'LIST', help: `"*" for all on by default, "name" to add one, "-name" to leave one out. Names: ${Object.keys(CONTROLLERS).join(', ')} (off by default: ${[...DISABLED_BY_DEFAULT].join(', ')}).` },
  'node-monitor-grace-period': { type: 'duration', default: '40s', help: 'A node silent this long becomes Unknown.' },
  'node-monitor-period': { type: 'duration', default: '5s', help: 'How often node health is checked.' },
  'concurrent-deployment-syncs': workers('deployment', 5),
  'concurrent-replicaset-syncs': workers('replicaset and replicationcontroller', 5),
  'concurrent-gc-syncs': workers('garbage collector', 20),
  'concurrent-namespace-syncs': workers('namespace', 10),
  'concurrent-endpoint-syncs': workers('endpoints', 5),
  'concurrent-service-endpoint-syncs': workers('endpointslice', 5),
  'concurrent-job-syncs': workers('job', 5),
  'concurrent-cron-job-syncs': workers('cronjob', 5),
  'concurrent-ttl-after-finished-syncs': workers('ttl-after-finished', 5),
  'concurrent-horizontal-pod-autoscaler-syncs': workers('horizontal pod autoscaler', 5),
  'resource-quota-sync-period': { type: 'duration', default: '5m0s', help: 'How often every ResourceQuota is recounted (changes to pods, services, claims, ReplicationControllers and ConfigMaps recount at once).' },
  'concurrent-resource-quota-syncs': workers('resourcequota', 5),
  'horizontal-pod-autoscaler-sync-period': { type: 'duration', default: '15s', help: 'How often each HPA is looked at.' },
  'horizontal-pod-autoscaler-downscale-stabilization': { type: 'duration', default: '5m0s', help: 'An HPA scales down only to the highest recommendation of this long.' },
  'horizontal-pod-autoscaler-tolerance': { type: 'float', default: 0.1, min: 0, arg: 'RATIO', help: 'A usage within this ratio of the target changes nothing.' },
  'horizontal-pod-autoscaler-cpu-initialization-period': { type: 'duration', default: '5m0s', help: 'CPU samples of pods younger than this count only once the pod is ready and measured since.' },
  'horizontal-pod-autoscaler-initial-readiness-delay': { type: 'duration', default: '30s', help: 'A pod not ready this soon after it started is taken as never ready yet.' },
  'cluster-signing-cert-file': { type: 'string', arg: 'FILE', help: 'CA certificate (PEM) the CSR signer issues certificates from.' },
  'cluster-signing-key-file': { type: 'string', arg: 'FILE', help: 'Its private key (PEM).' },
  'cluster-signing-duration': { type: 'duration', default: '8760h0m0s', help: 'The longest validity of a certificate the signer issues.' },
  'local-path-root': { type: 'string', default: '/var/lib/kubette/local-path', arg: 'DIR', help: 'Where the local-path provisioner makes volume directories (kubelets must see the same path).' },
  'terminated-pod-gc-threshold': { type: 'int', default: 12500, min: 0, arg: 'N', help: 'Finished pods kept before the oldest are deleted (0: never).' },
  'service-account-private-key-file': { type: 'string', arg: 'FILE', help: 'Private key (PEM, RSA or ECDSA) that signs the tokens of Secrets of type kubernetes.io/service-account-token; without it their controller does not run.' },
  'concurrent-serviceaccount-token-syncs': workers('service account token', 5),
  'concurrent-ephemeralvolume-syncs': workers('ephemeral volume', 5),
  'mirroring-concurrent-service-endpoint-syncs': workers('EndpointSlice mirroring', 5),
  'root-ca-file': { type: 'string', arg: 'FILE', help: "CA bundle published to every namespace as the kube-root-ca.crt ConfigMap (default: the kubeconfig's CA)." },
  ...secureServingFlags(10257),
  port: { type: 'port', default: 0, arg: 'PORT', help: 'Plain-HTTP port of /healthz and /metrics on 127.0.0.1, unauthenticated (0: none; Kubernetes removed its own).' },
});

runComponent({
  command: 'kubette-controller-manager',
  component: 'controller-manager',
  flags,
  validate: (f) => {
    validateSecureServing(f);
    try {
      selectControllers(f.controllers.join(','));
    } catch (err) {
      throw new FlagError(`invalid value for flag --controllers: ${(err as Error).message}`);
    }
  },
  async run({ flags: f, log, signal }) {
    // Informers hold one watch each (the garbage collector watches every resource): a large pool.
    const clientConfig = loadClientConfig({ master: f.master, kubeconfig: f.kubeconfig, userAgent: 'kubette-controller-manager' });
    const client = new RestClient({ ...clientConfig, connections: 256 });
    const rootCA = f['root-ca-file'] ? readFileSync(f['root-ca-file'], 'utf8') : clientConfig.tls?.ca;
    const serviceAccountTokenSigner = f['service-account-private-key-file'] ? new LegacyTokenSigner(readFileSync(f['service-account-private-key-file'], 'utf8')) : undefined;
    const names = selectControllers(f.controllers.join(',')).filter((n) => {
      if (serviceAccountTokenSigner || !NEEDS_SERVICE_ACCOUNT_KEY.has(n)) return true;
      log.info({ controller: n }, 'controller is disabled because there is no private key (--service-account-private-key-file)');
      return false;
    });
    let running: Controller[] = [];
    let informers: InformerFactory | undefined;

    const leader = new LeaderStatus('kube-controller-manager');
    const metrics = () => [
      ...leader.metrics(),
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
    ];
    // Kubernetes' checks: leaderElection (with leader election) and, on /healthz, one per running
    // controller, which passes while the process serves.
    const leaderElection: NamedCheck[] = f['leader-elect'] ? [{ name: 'leaderElection', check: () => leader.renewalProblem() }] : [];
    const endpoints: ComponentEndpoints = {
      checks: (e) => (e === 'livez' ? [] : e === 'readyz' ? leaderElection : [...leaderElection, ...running.map((c) => ({ name: c.name, check: () => undefined }))]),
      metrics,
      configz: { name: 'componentconfig', config: () => controllerManagerConfiguration(f) },
    };
    const delegation = delegationClients(client, { authentication: f['authentication-kubeconfig'], authorization: f['authorization-kubeconfig'] }, 'kubette-controller-manager');
    // Made beside the work (its certificate takes a few tens of milliseconds), not before it; a
    // port that cannot be bound still fails the start.
    const secure = serveSecurely({ flags: f, name: 'kube-controller-manager', apiserver: delegation, endpoints, log });
    const server = serveHealth('127.0.0.1', f.port, { metrics });

    // Controllers write through the fence: none after this process's renew deadline has passed.
    const writer = leader.fence(client, f['leader-elect']);
    const lead = async (leading: AbortSignal) => {
      informers = new InformerFactory(client, log, INFORMER_KEEPING);
      // Each controller records through its own recorder (below): its own source, queue and rate limit.
      const recorder = new EventRecorder(writer, { component: 'kube-controller-manager' }, log);
      const ctx: ControllerContext = {
        client: writer,
        informers,
        recorder,
        log,
        options: {
          nodeMonitorGracePeriodMs: f['node-monitor-grace-period'],
          nodeMonitorPeriodMs: f['node-monitor-period'],
          signingCA: f['cluster-signing-cert-file'] && f['cluster-signing-key-file'] ? { certPem: readFileSync(f['cluster-signing-cert-file'], 'utf8'), keyPem: readFileSync(f['cluster-signing-key-file'], 'utf8') } : undefined,
          signingDurationSeconds: Math.floor(f['cluster-signing-duration'] / 1000),
          rootCA,
          serviceAccountTokenSigner,
          terminatedPodGCThreshold: f['terminated-pod-gc-threshold'],
          localPathRoot: f['local-path-root'],
          concurrentSyncs: {
            deployment: f['concurrent-deployment-syncs'],
            replicaset: f['concurrent-replicaset-syncs'],
            replicationcontroller: f['concurrent-replicaset-syncs'],
            garbagecollector: f['concurrent-gc-syncs'],
            namespace: f['concurrent-namespace-syncs'],
            endpoint: f['concurrent-endpoint-syncs'],
            endpointslice: f['concurrent-service-endpoint-syncs'],
            job: f['concurrent-job-syncs'],
            cronjob: f['concurrent-cron-job-syncs'],
            'ttl-after-finished': f['concurrent-ttl-after-finished-syncs'],
            'horizontal-pod-autoscaler': f['concurrent-horizontal-pod-autoscaler-syncs'],
            resourcequota: f['concurrent-resource-quota-syncs'],
            'serviceaccount-token': f['concurrent-serviceaccount-token-syncs'],
            'ephemeral-volume': f['concurrent-ephemeralvolume-syncs'],
            endpointslicemirroring: f['mirroring-concurrent-service-endpoint-syncs'],
          },
          resourceQuotaSyncPeriodMs: f['resource-quota-sync-period'],
          horizontalPodAutoscaler: {
            syncPeriodMs: f['horizontal-pod-autoscaler-sync-period'],
            downscaleStabilizationMs: f['horizontal-pod-autoscaler-downscale-stabilization'],
            tolerance: f['horizontal-pod-autoscaler-tolerance'],
            cpuInitializationPeriodMs: f['horizontal-pod-autoscaler-cpu-initialization-period'],
            initialReadinessDelayMs: f['horizontal-pod-autoscaler-initial-readiness-delay'],
          },
        },
      };
      // Each controller sees the shared informers through a view of its own and starts once
      // those it asked for have synced: the CSR approver and signer (a joining kubelet's path
      // to a certificate) need not wait for the garbage collector's thirty resources. They are
      // made, listed and run first; the rest are made and listed once those lists are in
      // (within a second at most): on a cold start the approver's few requests then do not
      // queue behind forty lists and their TLS handshakes, and the others lose only those few
      // milliseconds.
      const stopped = new Promise((r) => leading.addEventListener('abort', r, { once: true }));
      const views = names.map(() => informers!.view());
      const made: Array<Controller | undefined> = names.map(() => undefined);
      const runs: Array<Promise<unknown>> = [];
      const launch = (i: number) => {
        const c = (made[i] = CONTROLLERS[names[i]!]!({ ...ctx, informers: views[i]!, recorder: recorder.forComponent(EVENT_SOURCES[names[i]!] ?? names[i]!) }));
        runs.push(
          (async () => {
            await Promise.race([views[i]!.synced, stopped]);
            if (!leading.aborted) await c.run(leading);
          })(),
        );
      };
      const first = names.flatMap((n, i) => (NODE_JOINING.has(n) ? [i] : []));
      for (const i of first) launch(i);
      runs.push(...first.map((i) => informers!.startView(views[i]!, leading)));
      let waited: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(first.map((i) => views[i]!.synced)), new Promise((r) => (waited = setTimeout(r, FIRST_LISTS_WAIT_MS))), stopped]);
      clearTimeout(waited);
      if (leading.aborted) return void (await Promise.all(runs));
      names.forEach((_, i) => made[i] ?? launch(i));
      running = made as Controller[];
      runs.push(informers.start(leading));
      log.info({ controllers: names }, 'controllers starting, each once its caches have synced');
      await Promise.all(runs);
    };

    await Promise.all([runLeading(clientConfig, f, { name: 'kube-controller-manager', identity: `${hostname()}_${process.pid}` }, signal, lead, log, leader), secure]);
    server?.close();
    await (await secure)?.close();
    await delegation.close();
    await client.close();
  },
});

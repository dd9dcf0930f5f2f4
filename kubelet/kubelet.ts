// The node agent's wiring: the Node and its Lease, an informer on the pods bound here, a worker
// per pod, the runtime's events to notice exits at once, a sweep that removes containers and
// files of pods that no longer exist, and the eviction manager that watches the node's resources.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Pod } from '../api/types/pod.js';
import type { EventRecorder } from '../client/events.js';
import { Informer, objectKey } from '../client/informer.js';
import { isPodFinished } from '../api/conditions.js';
import { resource } from '../client/rest.js';
import type { ApiClient } from '../client/api-client.js';
import { sleep } from '../client/sleep.js';
import { LABEL_NODE, LABEL_POD_UID } from './pod/observed.js';
import { ImagePuller } from './container/image-puller.js';
import type { NodeConfig } from './node/config.js';
import { NodeLease } from '../client/node-lease.js';
import { NodeStatusReporter, nodeReference } from './node/node-status.js';
import { PodSyncer, type KubeletSettings } from './pod/sync.js';
import { PodWorkers } from './pod/workers.js';
import { Prober } from './container/prober.js';
import type { ContainerRuntime } from './runtime/runtime.js';
import { StatusManager } from './pod/status-manager.js';
import { NodeAdmission } from './pod/admission.js';
import { removePodDir } from './container/volumes.js';
import { ServiceAccountTokenManager } from './pod/service-account-tokens.js';
import { pullSecretsOf } from './pod/pull-secrets.js';
import { collectResourceMetrics, collectUsage } from './stats/collector.js';
import { nodeNetwork } from './stats/node-network.js';
import { CPURates, summaryOf, type Summary } from './stats/summary.js';
import { EvictionManager, REASON_EVICTED, type EvictionSettings } from './eviction/manager.js';
import { observeNode } from './eviction/observations.js';
import { measurePods } from './eviction/pod-usage.js';

const SWEEP_MS = 30_000;

export class Kubelet {
  readonly pods: Informer<Pod>;
  readonly services: Informer;
  readonly node: NodeStatusReporter;
  readonly lease: NodeLease;
  readonly syncer: PodSyncer;
  readonly workers: PodWorkers;
  readonly eviction: EvictionManager;
  private readonly admission: NodeAdmission;
  private readonly byUid = new Map<string, Pod>();
  private readonly startedAt = Date.now();
  private readonly cpuRates = new CPURates();
  /** Where the runtime keeps images does not change: asked until it answers. */
  private imageFs?: string;

  constructor(
    private readonly client: ApiClient,
    private readonly runtime: ContainerRuntime,
    private readonly recorder: EventRecorder,
    private readonly settings: Omit<KubeletSettings, 'allocatable'>,
    nodeConfig: NodeConfig,
    private readonly log: Logger,
    evictionSettings: EvictionSettings = { thresholds: [], pressureTransitionMs: 5 * 60_000, maxPodGraceSeconds: 0, monitoringMs: 10_000 },
  ) {
    this.eviction = new EvictionManager(evictionSettings, {
      observe: () => this.observeNode(),
      measure: (pods, what) => measurePods(runtime, settings.nodeName, settings.rootDir, pods, what),
      activePods: () => this.pods.list().filter((p) => !isPodFinished(p) && !p.metadata.deletionTimestamp && !!p.status?.startTime),
      evict: async (pod, e) => {
        this.syncer.end(pod.metadata.uid!, {
          graceSeconds: e.graceSeconds,
          reason: REASON_EVICTED,
          message: e.message,
          ...(e.disruption ? { condition: { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message: e.message } } : {}),
        });
        this.workers.kick(pod.metadata.uid!);
      },
      stopped: (pod) => this.syncer.stopped(pod.metadata.uid!),
      podEvent: (pod, message) => recorder.event(pod, 'Warning', REASON_EVICTED, message),
      nodeEvent: (reason, message) => recorder.event(nodeReference(settings.nodeName), 'Warning', reason, message),
      log,
    });
    this.node = new NodeStatusReporter(client, runtime, nodeConfig, log, recorder, () => this.eviction.conditions());
    this.lease = new NodeLease(client, nodeConfig.nodeName, nodeConfig.leaseDurationSeconds, () => this.node.uid(), log);
    this.pods = new Informer<Pod>(client, resource('v1/pods'), { fieldSelector: `spec.nodeName=${settings.nodeName}` }, log);
    this.services = new Informer(client, resource('v1/services'), {}, log);
    const prober = new Prober(runtime, recorder, (uid) => this.workers.kick(uid));
    this.admission = new NodeAdmission(() => this.pods.list(), () => this.node.allocatable(), (pod) => this.eviction.admit(pod));
    this.syncer = new PodSyncer({
      runtime,
      client,
      recorder,
      prober,
      puller: new ImagePuller(runtime, recorder, (pod) => pullSecretsOf(client, pod)),
      statuses: new StatusManager(client, log),
      tokens: new ServiceAccountTokenManager(client, log),
      services: () => this.services.list(),
      admission: this.admission,
      settings: { ...settings, allocatable: () => this.node.allocatable() },
      log,
    });
    this.workers = new PodWorkers(this.syncer, log);
    this.pods.addHandler({
      add: (pod) => this.track(pod),
      update: (_old, pod) => this.track(pod),
      delete: (pod) => {
        this.byUid.delete(pod.metadata.uid!);
        this.admission.forget(pod.metadata.uid!);
        this.workers.remove(pod.metadata.uid!);
      },
    });
  }

  private track(pod: Pod): void {
    const uid = pod.metadata.uid!;
    this.byUid.set(uid, pod);
    this.workers.update(pod);
  }

  /** The node's eviction signals: memory, filesystems, process ids. */
  private async observeNode() {
    this.imageFs ??= await this.runtime.imageFsPath().catch(() => undefined);
    return observeNode(this.settings.rootDir, this.imageFs);
  }

  metrics(): string {
    const s = this.pods.stats;
    const since = s.lastEventAt ? (Date.now() - s.lastEventAt) / 1000 : -1;
    return [
      `kubelet_running_pods ${this.byUid.size}`,
      `kubelet_pod_worker_syncs_total ${this.workers.syncs}`,
      `kubelet_pod_worker_errors_total ${this.workers.errors}`,
      `kubelet_informer_watch_events_total{resource="pods"} ${s.events}`,
      `kubelet_informer_relists_total{resource="pods"} ${s.lists}`,
      `kubelet_informer_errors_total{resource="pods"} ${s.errors}`,
      // A watch that has gone quiet for long is visible here (bookmarks arrive every minute).
      `kubelet_informer_seconds_since_last_event{resource="pods"} ${since.toFixed(1)}`,
      ...[...this.eviction.evictions].map(([signal, n]) => `kubelet_evictions{eviction_signal="${signal}"} ${n}`),
    ].join('\n') + '\n';
  }

  /** /metrics/resource: CPU and memory of the node, its pods and their containers. */
  resourceMetrics(): Promise<string> {
    return collectResourceMetrics(this.runtime, this.settings.nodeName);
  }

  /** /stats/summary: the Summary API's CPU and memory of the node, its pods and containers, their networks and local storage. */
  async statsSummary(): Promise<Summary> {
    const [usage, observations, storage] = await Promise.all([
      collectUsage(this.runtime, this.settings.nodeName, undefined, nodeNetwork),
      this.observeNode(),
      measurePods(this.runtime, this.settings.nodeName, this.settings.rootDir, [...this.byUid.values()], { disk: true }).catch(() => undefined),
    ]);
    return summaryOf(this.settings.nodeName, this.startedAt, usage, this.cpuRates, (uid) => this.byUid.get(uid)?.status?.startTime, observations, storage);
  }

  findPod(namespace: string, name: string): Pod | undefined {
    return this.pods.get(objectKey({ metadata: { namespace, name } }));
  }

  async run(signal: AbortSignal): Promise<void> {
    this.recorder.event(nodeReference(this.settings.nodeName), 'Normal', 'Starting', 'Starting kubelet.');
    await this.node.register(signal);
    if (signal.aborted) return;
    await this.lease.renew().catch((err) => this.log.warn({ err: (err as Error).message }, 'could not create node lease'));
    const aborted = new Promise((r) => signal.addEventListener('abort', r, { once: true }));
    // Services first: containers started before they are known would miss their variables.
    const servicesRun = this.services.run(signal);
    await Promise.race([this.services.synced, aborted]);
    const informer = Promise.all([servicesRun, this.pods.run(signal)]);
    await Promise.race([this.pods.synced, aborted]);
    this.log.info({ pods: this.pods.list().length }, 'pods bound to this node listed');
    await Promise.all([informer, this.node.run(signal), this.lease.run(signal), this.watchRuntime(signal), this.sweepLoop(signal), this.eviction.run(signal)]);
    this.workers.stop();
  }

  /** Stops (gracefully, by each pod's grace period) and removes every container of this node. */
  async removeAllContainers(): Promise<void> {
    // No sync may start a container behind our back: let the ones under way finish first.
    await this.workers.drain();
    for (let round = 0; round < 3; round++) {
      const uids = await this.podsOnRuntime();
      if (!uids.size) break;
      this.log.info({ pods: uids.size }, "removing this node's containers on exit");
      await Promise.all(
        [...uids].map((uid) => {
          const grace = this.byUid.get(uid)?.spec.terminationGracePeriodSeconds ?? 30;
          return this.syncer.cleanup(uid, Math.min(grace, 30)).catch((err) => this.log.warn({ uid, err: (err as Error).message }, 'could not remove containers'));
        }),
      );
    }
    for (const v of await this.runtime.listVolumes({ [LABEL_NODE]: this.settings.nodeName })) {
      await this.runtime.removeVolume(v.name).catch((err) => this.log.warn({ volume: v.name, err: (err as Error).message }, 'could not remove a volume'));
    }
  }

  /** The uids of the pods this node's runtime has sandboxes or containers of. */
  private async podsOnRuntime(): Promise<Set<string>> {
    const labels = { [LABEL_NODE]: this.settings.nodeName };
    const [sandboxes, containers] = await Promise.all([this.runtime.listPodSandboxes({ labels }), this.runtime.listContainers({ labels })]);
    return new Set([...sandboxes, ...containers].map((c) => c.labels[LABEL_POD_UID]).filter((u): u is string => !!u));
  }

  /** The runtime tells us at once when a container of ours starts or stops. */
  private async watchRuntime(signal: AbortSignal): Promise<void> {
    let delay = 1000;
    while (!signal.aborted) {
      try {
        for await (const ev of this.runtime.events({ [LABEL_NODE]: this.settings.nodeName }, signal)) {
          delay = 1000;
          const uid = ev.labels[LABEL_POD_UID];
          if (uid && (ev.type === 'stopped' || ev.type === 'started')) this.workers.kick(uid);
        }
      } catch (err) {
        if (signal.aborted) return;
        this.log.warn({ err: (err as Error).message, retryInMs: delay }, 'runtime event stream failed');
      }
      await sleep(delay, signal);
      delay = Math.min(delay * 2, 30_000);
      for (const uid of this.byUid.keys()) this.workers.kick(uid); // events may have been missed
    }
  }

  private async sweepLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.sweep().catch((err) => this.log.warn({ err: (err as Error).message }, 'orphan sweep failed'));
      await sleep(SWEEP_MS, signal);
    }
  }

  /** Containers and pod directories of pods this node no longer has are removed. */
  async sweep(): Promise<void> {
    const orphans = new Set<string>();
    for (const uid of await this.podsOnRuntime()) if (!this.byUid.has(uid) && !this.workers.has(uid)) orphans.add(uid);
    for (const uid of orphans) {
      this.log.info({ uid }, 'removing containers of a pod that no longer exists');
      this.workers.remove(uid);
    }
    const dirs = await readdir(join(this.settings.rootDir, 'pods')).catch(() => [] as string[]);
    for (const uid of dirs) if (!this.byUid.has(uid) && !this.workers.has(uid)) await removePodDir(this.settings.rootDir, uid);
    // Memory-backed volumes left by a kubelet stopped before it could remove them; one still
    // mounted (its pod's containers not yet gone) is tried again at the next sweep.
    for (const v of await this.runtime.listVolumes({ [LABEL_NODE]: this.settings.nodeName })) {
      const uid = v.labels[LABEL_POD_UID];
      if (uid && !this.byUid.has(uid) && !this.workers.has(uid)) await this.runtime.removeVolume(v.name).catch(() => undefined);
    }
  }
}

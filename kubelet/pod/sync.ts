// One pass of a pod's life on this node: look at its containers, plan, act (kill, create the
// sandbox, pull, configure and start containers), then report status. Also the two endings:
// graceful termination of a pod being deleted, and cleanup of a pod that is gone.
import type { Logger } from 'pino';
import type { ConfigMap, Secret, Service } from '../../api/types/core.js';
import type { Container, Pod, PodCondition } from '../../api/types/pod.js';
import type { EventRecorder } from '../../client/events.js';
import { resource } from '../../client/rest.js';
import type { ApiClient } from '../../client/api-client.js';
import { RuntimeHandlers } from './runtime-class.js';
import { StatusError } from '../../api/status.js';
import { rfc3339 } from '../../api/time.js';
import { parseQuantity } from '../../api/quantity.js';
import { isPodFinished } from '../../api/conditions.js';
import { Backoff } from '../container/backoff.js';
import { containerConfig, podDNS, sandboxConfig, type NodeSettings } from '../container/config.js';
import { etcMounts } from '../container/etc-files.js';
import { byAttemptDesc, containerHash, fromContainer, fromSandbox, LABEL_NODE, LABEL_POD_UID, LABEL_TERMINATION_MESSAGE_FILE, type ObservedContainer } from './observed.js';
import { serviceEnv } from '../container/service-env.js';
import { containerEnv, ContainerConfigError, expandVars, referencedObjects } from '../container/env.js';
import { runHandler } from '../container/handlers.js';
import { containerSecurity, forbiddenSysctl, needsImageUser, verifyRunAsNonRoot } from '../container/security.js';
import type { ImagePuller } from '../container/image-puller.js';
import { computePodActions, hasExited } from './planner.js';
import { isSidecar } from '../../api/pod-resources.js';
import { prepareSubPaths } from '../container/subpaths.js';
import { TerminationMessages, terminationMessageMount } from '../container/termination-message.js';
import { computePodStatus } from './status.js';
import type { Prober } from '../container/prober.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { StatusManager } from './status-manager.js';
import { containerMounts, prepareVolumes, removePodDir, VolumeError, volumeObjects, type VolumeSources } from '../container/volumes.js';
import type { ServiceAccountTokenManager } from './service-account-tokens.js';
import type { NodeAdmission } from './admission.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../api/types/storage.js';
import { ephemeralClaimRefusal } from '../../api/pod-claims.js';

const pods = resource('v1/pods');
const configMaps = resource('v1/configmaps');
const secrets = resource('v1/secrets');
const claims = resource('v1/persistentvolumeclaims');
const persistentVolumes = resource('v1/persistentvolumes');

export interface KubeletSettings extends NodeSettings {
  nodeIP: string;
  rootDir: string;
  /** The node's allocatable resources (limits default to them in the downward API). */
  allocatable: () => Record<string, string>;
  /** Sysctls beyond the safe set that pods may set (--allowed-unsafe-sysctls): names, or prefixes ending in "*". */
  allowedUnsafeSysctls: readonly string[];
}

export interface PodSyncDeps {
  runtime: ContainerRuntime;
  client: ApiClient;
  recorder: EventRecorder;
  prober: Prober;
  puller: ImagePuller;
  statuses: StatusManager;
  /** Bound tokens for projected service-account volumes. */
  tokens: ServiceAccountTokenManager;
  settings: KubeletSettings;
  /** Every Service the kubelet knows (for the service environment variables). */
  services: () => Service[];
  /** The node's admission of pods by their resource requests (none: every pod fits). */
  admission?: NodeAdmission;
  log: Logger;
}

/** How the node ends a pod itself (an eviction). */
export interface PodEnding {
  graceSeconds: number;
  reason: string;
  message: string;
  condition?: PodCondition;
}

export interface SyncResult {
  /** Sync again after this long (a back-off window ends). */
  resyncAfterMs?: number;
  /** The pod is gone from the API and from this node: its worker can end. */
  finished?: boolean;
}

function fieldPathOf(pod: Pod, name: string): string {
  if ((pod.spec.initContainers ?? []).some((c) => c.name === name)) return `spec.initContainers{${name}}`;
  if ((pod.spec.ephemeralContainers ?? []).some((c) => c.name === name)) return `spec.ephemeralContainers{${name}}`;
  return `spec.containers{${name}}`;
}

export class PodSyncer {
  private readonly restartBackoff = new Backoff();
  /** The runtime's name: the scheme of the containerIDs in pod status. */
  private runtimeName?: string;
  private readonly handlers: RuntimeHandlers;
  private readonly messages: TerminationMessages;
  /** Pods the node ends itself (evicted), by uid: how, until the API shows them finished. */
  private readonly endings = new Map<string, PodEnding>();

  constructor(private readonly d: PodSyncDeps) {
    this.handlers = new RuntimeHandlers(d.client);
    this.messages = new TerminationMessages(d.runtime);
  }

  /** The pod's sandboxes and containers on this node. */
  async observe(uid: string): Promise<ObservedContainer[]> {
    const labels = { [LABEL_NODE]: this.d.settings.nodeName, [LABEL_POD_UID]: uid };
    const [sandboxes, containers] = await Promise.all([this.d.runtime.listPodSandboxes({ labels }), this.d.runtime.listContainers({ labels })]);
    return [...sandboxes.map(fromSandbox), ...containers.map(fromContainer)];
  }

  /** The observed containers with the termination messages of those that exited. */
  private withMessages(pod: Pod, observed: ObservedContainer[]): Promise<ObservedContainer[]> {
    return this.messages.attach(pod, observed);
  }

  /** A pod on the host's network has the node's address (its sandbox has none of its own). */
  private withHostIP(pod: Pod, observed: ObservedContainer[]): ObservedContainer[] {
    if (!pod.spec.hostNetwork) return observed;
    return observed.map((c) => (c.kind === 'sandbox' && c.state === 'running' ? { ...c, ip: this.d.settings.nodeIP } : c));
  }

  private async removeObserved(c: ObservedContainer): Promise<void> {
    if (c.kind === 'sandbox') await this.d.runtime.removePodSandbox(c.id);
    else await this.d.runtime.removeContainer(c.id);
  }

  /**
   * One pass for `pod`. `cancel` fires when the pod's deletion is requested while this pass
   * runs (the kubelet's pod workers cancel the sync's context so): the pass starts nothing more
   * and returns at once, and the next pass terminates the pod. A pod deleted before its
   * containers started then never starts them and goes away without a grace period to wait.
   */
  async sync(pod: Pod, cancel?: AbortSignal): Promise<SyncResult> {
    if (pod.metadata.deletionTimestamp) {
      await this.terminate(pod);
      return { finished: true };
    }
    const ending = this.endings.get(pod.metadata.uid!);
    if (ending && !isPodFinished(pod)) {
      await this.endPod(pod, ending);
      return {};
    }
    if (await this.rejected(pod)) return {};
    const uid = pod.metadata.uid!;
    const now = Date.now();
    const deadline = activeDeadline(pod, now);
    if (deadline !== undefined && deadline <= now) {
      await this.failPastDeadline(pod);
      return {};
    }
    let observed = this.withHostIP(pod, await this.observe(uid));
    const plan = computePodActions({
      pod,
      containers: observed,
      restartBackoff: (name, finishedAt) => {
        const key = backoffKey(pod, name);
        return this.restartBackoff.inBackoffSince(key, finishedAt, now) ? this.restartBackoff.duration(key) : 0;
      },
      probeFailures: this.d.prober.failures,
      started: this.d.prober.started,
    });
    const waiting: Record<string, { reason: string; message?: string }> = { ...plan.waiting };
    let resyncAfterMs: number | undefined;
    for (const name of Object.keys(plan.waiting)) {
      this.d.recorder.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${uid})`, fieldPathOf(pod, name));
      const last = observed.filter((c) => c.name === name && c.kind !== 'sandbox').sort(byAttemptDesc)[0];
      const ends = (last?.finishedAt ? Date.parse(last.finishedAt) : now) + this.restartBackoff.duration(backoffKey(pod, name));
      resyncAfterMs = Math.min(resyncAfterMs ?? Infinity, Math.max(100, ends - now + 50));
    }

    const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
    const podIPNow = observed.filter((c) => c.kind === 'sandbox' && c.state === 'running').sort(byAttemptDesc)[0]?.ip;
    await Promise.all(
      plan.kill.map(async (k) => {
        this.d.recorder.event(pod, 'Normal', 'Killing', k.message, fieldPathOf(pod, k.name));
        await this.stopContainer(pod, k.name, k.id, k.graceSeconds ?? grace, podIPNow);
      }),
    );
    if (plan.killPod) await this.stopAll(pod, observed, grace, false);
    for (const id of plan.remove) {
      const c = observed.find((o) => o.id === id);
      if (c) await this.removeObserved(c).catch(() => undefined);
    }

    if (cancel?.aborted) return {};
    let sandbox = observed.filter((c) => c.kind === 'sandbox').sort(byAttemptDesc)[0];
    if (plan.createSandbox) {
      try {
        sandbox = await this.createSandbox(pod, plan.createSandbox.attempt);
      } catch (err) {
        this.d.recorder.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(err as Error).message}`);
        resyncAfterMs = Math.min(resyncAfterMs ?? Infinity, 5000);
        plan.start = [];
      }
    }

    if (cancel?.aborted) return {};
    if (plan.start.length && sandbox && sandbox.state === 'running') {
      // An ephemeral container with a target joins the target's running container.
      const running = new Map(observed.filter((c) => c.kind === 'app' && c.state === 'running').map((c) => [c.name, c.id]));
      const wait = await this.startContainers(pod, plan.start, sandbox, waiting, running, cancel);
      if (cancel?.aborted) return {};
      if (wait !== undefined) resyncAfterMs = Math.min(resyncAfterMs ?? Infinity, wait);
    } else if (sandbox?.state === 'running') {
      await this.refreshVolumes(pod, sandbox.ip);
    }

    // Status is read from the runtime again only if this sync changed something there.
    const acted = plan.kill.length > 0 || plan.killPod || plan.remove.length > 0 || !!plan.createSandbox || plan.start.length > 0;
    if (acted) observed = this.withHostIP(pod, await this.observe(uid));
    observed = await this.withMessages(pod, observed);
    const current = observed.filter((c) => c.kind === 'sandbox').sort(byAttemptDesc)[0];
    const podIP = current?.state === 'running' ? current.ip : undefined;
    // Probes run for the regular containers and for the sidecars.
    const probed = (c: ObservedContainer) =>
      c.kind === 'app' ? pod.spec.containers.find((s) => s.name === c.name) : c.kind === 'init' ? pod.spec.initContainers?.find((s) => s.name === c.name && isSidecar(s)) : undefined;
    const running = observed
      .filter((c) => c.state === 'running')
      .map((c) => ({ id: c.id, container: probed(c), fieldPath: fieldPathOf(pod, c.name) }))
      .filter((t): t is { id: string; container: Container; fieldPath: string } => !!t.container);
    this.d.prober.reconcile(pod, running, podIP);
    const status = computePodStatus({
      pod,
      containers: observed,
      waiting,
      ready: this.d.prober.ready,
      started: this.d.prober.started,
      hostIP: this.d.settings.nodeIP,
      now: rfc3339(),
      runtime: (this.runtimeName ??= (await this.d.runtime.version()).name),
    });
    await this.d.statuses.write(pod, status);
    // Synced again the moment its active deadline passes.
    if (deadline !== undefined) resyncAfterMs = Math.min(resyncAfterMs ?? Infinity, Math.max(100, deadline - Date.now() + 50));
    return { resyncAfterMs };
  }

  /**
   * A pod active on the node longer than its spec.activeDeadlineSeconds is stopped and failed
   * (reason DeadlineExceeded), as Kubernetes' kubelet does; it is not run again.
   */
  private async failPastDeadline(pod: Pod): Promise<void> {
    this.d.recorder.event(pod, 'Normal', DEADLINE_EXCEEDED.reason, DEADLINE_EXCEEDED.message);
    await this.endPod(pod, { graceSeconds: pod.spec.terminationGracePeriodSeconds ?? 30, ...DEADLINE_EXCEEDED });
  }

  /**
   * Ends the pod on the node's own account (an eviction): the next pass for it stops its
   * containers within `ending.graceSeconds` and fails it with the reason and message, and with
   * the condition when one is given; it is not run again (as a pod past its active deadline).
   */
  end(uid: string, ending: Omit<PodEnding, 'condition'> & { condition?: Omit<PodCondition, 'lastTransitionTime'> }): void {
    const { condition, ...rest } = ending;
    this.endings.set(uid, { ...rest, ...(condition ? { condition: { ...condition, lastTransitionTime: rfc3339() } } : {}) });
  }

  private async endPod(pod: Pod, ending: PodEnding): Promise<void> {
    const uid = pod.metadata.uid!;
    this.d.prober.stopPod(uid);
    await this.stopAll(pod, await this.observe(uid), ending.graceSeconds, true);
    // The pod as the API will have it, so its status is that of a finished pod (not ready,
    // its phase final) with the condition ahead of the kubelet's own.
    const others = (pod.status?.conditions ?? []).filter((c) => c.type !== ending.condition?.type);
    const ended: Pod = {
      ...pod,
      status: { ...pod.status, phase: 'Failed', reason: ending.reason, message: ending.message, conditions: [...others, ...(ending.condition ? [ending.condition] : [])] },
    };
    await this.d.statuses.write(pod, await this.statusOf(ended, await this.withMessages(pod, this.withHostIP(pod, await this.observe(uid))), { probed: false }));
  }

  /** Whether none of the pod's containers runs (for whoever waits for an ended pod to stop). */
  async stopped(uid: string): Promise<boolean> {
    return (await this.observe(uid)).every((c) => c.state !== 'running');
  }

  /**
   * The node's admission: a pod it cannot run as asked (sysctls the node does not allow, more
   * than its resources can hold) is failed, never started, as Kubernetes' kubelet rejects it.
   */
  private async rejected(pod: Pod): Promise<boolean> {
    // Rejected before: nothing ran and nothing will; its status stays as written.
    if (isPodFinished(pod)) return !!pod.status?.message?.startsWith('Pod was rejected: ');
    const sysctl = forbiddenSysctl(pod, this.d.settings.allowedUnsafeSysctls);
    const rejection = sysctl ? { reason: 'SysctlForbidden', message: sysctl } : this.d.admission?.check(pod);
    if (!rejection) return false;
    this.d.recorder.event(pod, 'Warning', rejection.reason, rejection.message);
    await this.d.statuses.write(pod, {
      phase: 'Failed',
      reason: rejection.reason,
      message: `Pod was rejected: ${rejection.message}`,
      ...(pod.status?.qosClass ? { qosClass: pod.status.qosClass } : {}),
      ...(pod.status?.conditions ? { conditions: pod.status.conditions } : {}),
    });
    return true;
  }

  private async createSandbox(pod: Pod, attempt: number): Promise<ObservedContainer> {
    const id = await this.d.runtime.runPodSandbox(sandboxConfig(pod, attempt, this.d.settings, await this.handlers.of(pod)));
    return this.withHostIP(pod, [fromSandbox(await this.d.runtime.podSandboxStatus(id))])[0]!;
  }

  /** Starts containers in order, none once `cancel` fired; returns when to retry if something had to wait. */
  private async startContainers(
    pod: Pod,
    starts: ReturnType<typeof computePodActions>['start'],
    sandbox: ObservedContainer,
    waiting: Record<string, { reason: string; message?: string }>,
    runningApps: ReadonlyMap<string, string>,
    cancel?: AbortSignal,
  ): Promise<number | undefined> {
    let sources: VolumeSources;
    let volumes;
    try {
      sources = await this.fetchSources(pod, sandbox.ip);
      volumes = await prepareVolumes(pod, this.d.settings.rootDir, sources);
    } catch (err) {
      const message = (err as Error).message;
      this.d.recorder.event(pod, 'Warning', err instanceof VolumeError ? 'FailedMount' : 'Failed', message);
      for (const s of starts) waiting[s.container.name] = { reason: 'ContainerCreating' };
      return 2000;
    }
    let retry: number | undefined;
    for (const s of starts) {
      if (cancel?.aborted) return undefined;
      const c = s.container;
      const fieldPath = fieldPathOf(pod, c.name);
      const pulled = await this.d.puller.ensure(pod, c, fieldPath);
      if (!pulled.ok) {
        waiting[c.name] = { reason: pulled.reason, message: pulled.message };
        retry = Math.min(retry ?? Infinity, 10_000);
        continue;
      }
      let config;
      try {
        const { env, vars } = containerEnv(pod, c, sources);
        const subPaths = await prepareSubPaths(c, volumes, vars);
        const target = s.kind === 'ephemeral' && 'targetContainerName' in c && c.targetContainerName ? runningApps.get(c.targetContainerName) : undefined;
        const imageUser = needsImageUser(pod, c) ? await this.d.runtime.imageUser(c.image) : {};
        verifyRunAsNonRoot(pod, c, imageUser);
        const security = containerSecurity(pod, c, this.d.settings.rootDir, imageUser);
        config = containerConfig(pod, c, this.d.settings, {
          attempt: s.attempt,
          kind: s.kind,
          env,
          vars,
          mounts: containerMounts(c, volumes, subPaths),
          expand: expandVars,
          security,
          ...(target ? { pidTarget: target } : {}),
        });
      } catch (err) {
        if (!(err instanceof ContainerConfigError || err instanceof VolumeError)) throw err;
        waiting[c.name] = { reason: 'CreateContainerConfigError', message: err.message };
        this.d.recorder.event(pod, 'Warning', 'Failed', `Error: ${err.message}`, fieldPath);
        retry = Math.min(retry ?? Infinity, 5000);
        continue;
      }
      const messageMount = await terminationMessageMount(this.d.settings.rootDir, pod, c);
      if (messageMount) {
        config.mounts.push(messageMount);
        config.labels[LABEL_TERMINATION_MESSAGE_FILE] = messageMount.hostPath;
      }
      const { rootDir, clusterDomain } = this.d.settings;
      config.mounts.push(...(await etcMounts(rootDir, pod, c, { podIPs: sandbox.ip ? [sandbox.ip] : [], dns: podDNS(pod, this.d.settings), clusterDomain })));
      // A pull or a mount can take long: the deletion may have come meanwhile.
      if (cancel?.aborted) return undefined;
      if (s.attempt > 0) this.restartBackoff.next(backoffKey(pod, c.name), Date.now());
      let id: string;
      try {
        id = await this.d.runtime.createContainer(sandbox.id, config, sandboxConfig(pod, sandbox.attempt, this.d.settings, await this.handlers.of(pod)));
      } catch (err) {
        waiting[c.name] = { reason: 'CreateContainerError', message: (err as Error).message };
        this.d.recorder.event(pod, 'Warning', 'Failed', `Error: ${(err as Error).message}`, fieldPath);
        retry = Math.min(retry ?? Infinity, 5000);
        continue;
      }
      this.d.recorder.event(pod, 'Normal', 'Created', `Created container: ${c.name}`, fieldPath);
      try {
        await this.d.runtime.startContainer(id);
        this.d.recorder.event(pod, 'Normal', 'Started', `Started container ${c.name}`, fieldPath);
        if (c.lifecycle?.postStart) await this.postStart(pod, c, id, sandbox.ip);
      } catch (err) {
        // The container stays "created": the planner counts it as a failed run (StartError).
        this.d.recorder.event(pod, 'Warning', 'Failed', `Error: ${(err as Error).message}`, fieldPath);
      }
      if (s.kind === 'init' && !isSidecar(c)) break; // the next init container waits for this one to finish
    }
    return retry;
  }

  private async fetchSources(pod: Pod, podIP: string | undefined): Promise<VolumeSources> {
    const ns = pod.metadata.namespace!;
    const wantedMaps = volumeObjects(pod).configMaps;
    const wantedSecrets = volumeObjects(pod).secrets;
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      const r = referencedObjects(c);
      r.configMaps.forEach((n) => wantedMaps.add(n));
      r.secrets.forEach((n) => wantedSecrets.add(n));
    }
    const fetch = async <T extends ConfigMap | Secret>(r: typeof configMaps, names: Set<string>) => {
      const out = new Map<string, T | undefined>();
      await Promise.all(
        [...names].map(async (name) => {
          try {
            out.set(name, await this.d.client.get<T>(r, ns, name));
          } catch (err) {
            if (err instanceof StatusError && err.code === 404) out.set(name, undefined);
            else throw err;
          }
        }),
      );
      return out;
    };
    return {
      configMaps: await fetch<ConfigMap>(configMaps, wantedMaps),
      secrets: await fetch<Secret>(secrets, wantedSecrets),
      podIP,
      hostIP: this.d.settings.nodeIP,
      nodeAllocatable: this.d.settings.allocatable(),
      serviceEnv: serviceEnv(pod, this.d.services()),
      serviceAccountToken: (wanted) => this.d.tokens.token(pod, wanted),
      claimedVolume: (claim, ephemeral) => this.claimedVolume(ns, claim, ephemeral ? pod : undefined),
      memoryVolume: async (volume, opts) => {
        const uid = pod.metadata.uid!;
        const name = memoryVolumeName(uid, volume);
        // As Kubernetes: never more than the node's allocatable memory.
        const allocatable = parseQuantity(this.d.settings.allocatable().memory);
        const sizeBytes = Math.min(opts.sizeBytes ?? Infinity, allocatable !== undefined && allocatable > 0 ? allocatable : Infinity);
        await this.d.runtime.ensureMemoryVolume(name, { sizeBytes: Number.isFinite(sizeBytes) ? Math.ceil(sizeBytes) : undefined, gid: opts.gid, labels: { [LABEL_NODE]: this.d.settings.nodeName, [LABEL_POD_UID]: uid } });
        return name;
      },
    };
  }

  /** The path of the volume bound to claim `name`: it must exist (made for `ephemeralFor`, when given), be bound, and be a hostPath or local volume. */
  private async claimedVolume(namespace: string, name: string, ephemeralFor?: Pod): Promise<{ path: string; type?: string; local?: boolean }> {
    const missing = (what: string) => new VolumeError(`MountVolume.SetUp failed for volume claim "${name}" : ${what}`);
    let pvc: PersistentVolumeClaim;
    try {
      pvc = await this.d.client.get<PersistentVolumeClaim>(claims, namespace, name);
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) throw missing(`persistentvolumeclaim "${name}" not found`);
      throw err;
    }
    const refusal = ephemeralFor && ephemeralClaimRefusal(ephemeralFor, pvc);
    if (refusal) throw missing(refusal);
    if (!pvc.spec.volumeName || pvc.status?.phase !== 'Bound') throw missing(`persistentvolumeclaim "${name}" is not bound`);
    const pv = await this.d.client.get<PersistentVolume>(persistentVolumes, undefined, pvc.spec.volumeName);
    if (pv.spec.hostPath?.path) return { path: pv.spec.hostPath.path, type: pv.spec.hostPath.type || 'DirectoryOrCreate' };
    if (pv.spec.local?.path) return { path: pv.spec.local.path, type: 'Directory', local: true };
    throw missing(`volume ${pv.metadata.name} is of a kind this kubelet cannot mount (hostPath and local only)`);
  }

  /**
   * Rewrites the volumes of a running pod whose content can change (ConfigMaps, Secrets,
   * labels, tokens nearing expiry); unchanged files are not touched.
   */
  private async refreshVolumes(pod: Pod, podIP: string | undefined): Promise<void> {
    if (!(pod.spec.volumes ?? []).some((v) => v.configMap || v.secret || v.downwardAPI || v.projected)) return;
    try {
      await prepareVolumes(pod, this.d.settings.rootDir, await this.fetchSources(pod, podIP));
    } catch (err) {
      this.d.log.warn({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, err: (err as Error).message }, 'cannot refresh volumes');
    }
  }

  /**
   * A postStart hook runs right after the container starts; if it fails the container is
   * killed (and restarted by its pod's restartPolicy), as in Kubernetes.
   */
  private async postStart(pod: Pod, c: Container, id: string, podIP: string | undefined): Promise<void> {
    const budget = (pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    const res = await runHandler(this.d.runtime, c.lifecycle!.postStart!, { id, container: c, podIP }, Math.max(1000, budget));
    if (res.ok) return;
    const fieldPath = fieldPathOf(pod, c.name);
    this.d.recorder.event(pod, 'Warning', 'FailedPostStartHook', `PostStartHook failed: ${res.message.trim()}`.slice(0, 1024), fieldPath);
    this.d.recorder.event(pod, 'Normal', 'Killing', `FailedPostStartHook`, fieldPath);
    await this.d.runtime.stopContainer(id, 2);
  }

  /**
   * Stops one container: its preStop hook first (within the grace period), then SIGTERM with
   * what is left of the grace period (at least 2 s, as Kubernetes gives), then SIGKILL.
   */
  private async stopContainer(pod: Pod, name: string, id: string, graceSeconds: number, podIP: string | undefined): Promise<void> {
    const spec = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c) => c.name === name);
    let grace = graceSeconds;
    if (spec?.lifecycle?.preStop && grace > 0) {
      const started = Date.now();
      const res = await runHandler(this.d.runtime, spec.lifecycle.preStop, { id, container: spec, podIP }, grace * 1000);
      if (!res.ok) this.d.recorder.event(pod, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${res.message.trim()}`.slice(0, 1024), fieldPathOf(pod, name));
      grace = Math.max(2, grace - Math.floor((Date.now() - started) / 1000));
    }
    await this.d.runtime.stopContainer(id, grace);
  }

  /**
   * Stops the pod's containers, then the sandbox: the regular (and running init) containers
   * together, then the sidecars one at a time in the reverse of their order, so that what the
   * others lean on (a proxy, a log shipper) goes last, as Kubernetes orders it, all within the
   * grace period (each still gets the minimum of 2 s).
   */
  private async stopAll(pod: Pod, observed: ObservedContainer[], graceSeconds: number, announce: boolean): Promise<void> {
    const live = observed.filter((c) => c.state === 'running');
    const podIP = live.find((c) => c.kind === 'sandbox')?.ip;
    const began = Date.now();
    const stop = async (c: ObservedContainer) => {
      if (announce) this.d.recorder.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, fieldPathOf(pod, c.name));
      const left = graceSeconds <= 0 ? graceSeconds : Math.max(2, graceSeconds - Math.floor((Date.now() - began) / 1000));
      await this.stopContainer(pod, c.name, c.id, left, podIP);
    };
    const sidecars = (pod.spec.initContainers ?? []).filter(isSidecar).map((c) => c.name);
    const isLiveSidecar = (c: ObservedContainer) => c.kind === 'init' && sidecars.includes(c.name);
    await Promise.all(live.filter((c) => c.kind !== 'sandbox' && !isLiveSidecar(c)).map(stop));
    for (const name of [...sidecars].reverse()) {
      for (const c of live.filter((x) => isLiveSidecar(x) && x.name === name)) await stop(c);
    }
    await Promise.all(live.filter((c) => c.kind === 'sandbox').map((c) => this.d.runtime.stopPodSandbox(c.id)));
  }

  /** Graceful deletion: stop within the grace period, remove everything, then delete the pod object. */
  async terminate(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid!;
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    const observed = this.withHostIP(pod, await this.observe(uid));
    // Readiness probes go on while the containers stop, and a pod that stops being ready says so
    // at once (its Ready condition goes False before its containers are gone), as Kubernetes'
    // kubelet reports it; liveness failures restart nothing now.
    let reporting = Promise.resolve();
    const report = () => {
      reporting = reporting.then(async () => this.d.statuses.write(pod, await this.statusOf(pod, observed, { probed: true })));
    };
    const stopWatching = this.d.prober.watchReadiness(uid, report);
    try {
      await this.stopAll(pod, observed, grace, true);
    } finally {
      stopWatching();
      this.d.prober.stopPod(uid);
      await reporting;
    }
    // The final status first (how each container ended, the terminal phase), then the delete:
    // whoever waits for the pod (a Job's controller, through its finalizer) learns how it ended.
    await this.d.statuses.write(pod, await this.statusOf(pod, await this.withMessages(pod, this.withHostIP(pod, await this.observe(uid))), { probed: false, terminating: true }));
    await this.removeAll(uid);
    try {
      await this.d.client.delete(pods, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
    }
    await this.forget(uid);
  }

  /**
   * The pod's status outside a sync pass: from `containers`, with the probes' results while they
   * still run (`probed`), and the final phase of a deleted pod once they have stopped (`terminating`).
   */
  private async statusOf(pod: Pod, containers: ObservedContainer[], opts: { probed: boolean; terminating?: boolean }) {
    return computePodStatus({
      pod,
      containers,
      waiting: {},
      ready: opts.probed ? this.d.prober.ready : new Map(),
      started: opts.probed ? this.d.prober.started : new Map(),
      hostIP: this.d.settings.nodeIP,
      now: rfc3339(),
      runtime: (this.runtimeName ??= (await this.d.runtime.version()).name),
      ...(opts.terminating ? { terminating: true } : {}),
    });
  }

  /** The pod no longer exists in the API: nothing of it may stay on the node. */
  async cleanup(uid: string, graceSeconds = 2): Promise<void> {
    this.d.prober.stopPod(uid);
    const observed = await this.observe(uid);
    const live = observed.filter((c) => !hasExited(c));
    await Promise.all(live.filter((c) => c.kind !== 'sandbox').map((c) => this.d.runtime.stopContainer(c.id, graceSeconds)));
    await this.removeAll(uid);
    await this.forget(uid);
  }

  private async removeAll(uid: string): Promise<void> {
    const observed = await this.observe(uid);
    // Containers first: the sandbox holds the namespaces they joined.
    for (const c of observed.filter((x) => x.kind !== 'sandbox')) await this.removeObserved(c);
    for (const c of observed.filter((x) => x.kind === 'sandbox')) await this.removeObserved(c);
  }

  private async forget(uid: string): Promise<void> {
    this.endings.delete(uid);
    this.d.statuses.forget(uid);
    this.messages.forget(uid);
    this.d.puller.forgetPod(uid);
    this.restartBackoff.forgetPrefix(`${uid}/`);
    this.d.tokens.forget(uid);
    await removePodVolumes(this.d.runtime, uid);
    await removePodDir(this.d.settings.rootDir, uid);
  }
}

const DEADLINE_EXCEEDED = { reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' };

/** When the pod's active deadline passes (ms since the epoch), counted from its startTime (now if it has none yet). */
export function activeDeadline(pod: Pod, now: number): number | undefined {
  const seconds = pod.spec.activeDeadlineSeconds;
  if (typeof seconds !== 'number' || isPodFinished(pod)) return undefined;
  const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : now;
  return (Number.isFinite(start) ? start : now) + seconds * 1000;
}

/**
 * A container's crash-loop back-off key: its pod, name and spec, so that a changed container (a
 * new image) starts its back-off afresh, as Kubernetes keys it.
 */
function backoffKey(pod: Pod, name: string): string {
  const spec = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c) => c.name === name);
  return `${pod.metadata.uid}/${name}/${spec ? containerHash(spec) : ''}`;
}

/** A memory-backed emptyDir's runtime volume: one per pod and volume name. */
export function memoryVolumeName(uid: string, volume: string): string {
  return `kubette-${uid}-${volume}`;
}

/** The pod's memory-backed volumes, once its containers are gone. */
export async function removePodVolumes(runtime: ContainerRuntime, uid: string): Promise<void> {
  for (const v of await runtime.listVolumes({ [LABEL_POD_UID]: uid })) await runtime.removeVolume(v.name);
}

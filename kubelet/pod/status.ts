// Pod status from what the runtime reports: per-container state, phase and conditions, by the
// kubelet's rules. Pure (time passed in); the status manager writes the result.
import { mountStatuses } from '../../api/container-mounts.js';
import { KUBELET_POD_CONDITIONS } from '../../api/kubelet-patches.js';
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from '../../api/types/pod.js';
import { rfc3339 } from '../../api/time.js';
import { byAttemptDesc, type ObservedContainer } from './observed.js';
import { isSidecar } from '../../api/pod-resources.js';
import { withinPodBudget } from '../container/termination-message.js';
import { exitCodeOf, hasExited } from './planner.js';

export interface StatusInput {
  pod: Pod;
  containers: ObservedContainer[];
  /** Why a container that is not running waits (ContainerCreating, ErrImagePull, CrashLoopBackOff, ...). */
  waiting: Record<string, { reason: string; message?: string }>;
  /** Readiness by container id (only containers with a readiness probe appear). */
  ready: ReadonlyMap<string, boolean>;
  /** Startup probe success by container id (only containers with a startup probe appear). */
  started: ReadonlyMap<string, boolean>;
  hostIP: string;
  now: string;
  /** The runtime's name, the scheme of container and image ids ("docker://<id>"). */
  runtime: string;
  /** The pod is being deleted and its containers have been stopped: its phase is final. */
  terminating?: boolean;
}

/** The pod's containers that share its termination message budget. */
const podContainers = (pod: Pod) => pod.spec.containers.length + (pod.spec.initContainers?.length ?? 0);

/** Runtimes report nanoseconds; metav1.Time carries whole seconds. */
function seconds(t: string | undefined): string | undefined {
  return t ? rfc3339(new Date(Date.parse(t))) : undefined;
}

function terminatedState(c: ObservedContainer, runtime: string, containersInPod: number) {
  const code = exitCodeOf(c);
  const reason = c.state === 'created' ? 'StartError' : c.oomKilled ? 'OOMKilled' : code === 0 ? 'Completed' : 'Error';
  // The runtime's own word on it first, then what the container said.
  const message = withinPodBudget([c.state === 'created' ? c.error : undefined, c.terminationMessage].filter((m) => !!m).join(': '), containersInPod);
  return {
    terminated: {
      exitCode: code,
      reason,
      ...(message ? { message } : {}),
      startedAt: seconds(c.startedAt ?? c.finishedAt),
      finishedAt: seconds(c.finishedAt),
      containerID: `${runtime}://${c.id}`,
    },
  };
}

function containerStatus(spec: Container, history: ObservedContainer[], input: StatusInput, defaultWaiting: string): ContainerStatus {
  const last = history[0];
  const prev = history[1];
  const base = { name: spec.name, image: spec.image, imageID: '', restartCount: 0, ready: false, started: false, lastState: {}, ...mountStatuses(spec) };
  const waiting = input.waiting[spec.name];
  if (!last) return { ...base, state: { waiting: { reason: waiting?.reason ?? defaultWaiting, ...(waiting?.message ? { message: waiting.message } : {}) } } };
  const common = {
    ...base,
    imageID: last.imageID ? `${input.runtime}://${last.imageID}` : '',
    containerID: `${input.runtime}://${last.id}`,
    restartCount: last.attempt,
  };
  if (last.state === 'running') {
    return {
      ...common,
      state: { running: { startedAt: seconds(last.startedAt) } },
      lastState: prev && hasExited(prev) ? terminatedState(prev, input.runtime, podContainers(input.pod)) : {},
      ready: input.ready.get(last.id) ?? !spec.readinessProbe,
      started: input.started.get(last.id) ?? !spec.startupProbe,
    };
  }
  if (hasExited(last)) {
    if (waiting) {
      // Between runs (back-off, a failed pull of a changed image): waiting, with the exit last seen.
      return { ...common, state: { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } }, lastState: terminatedState(last, input.runtime, podContainers(input.pod)) };
    }
    return { ...common, state: terminatedState(last, input.runtime, podContainers(input.pod)), lastState: prev && hasExited(prev) ? terminatedState(prev, input.runtime, podContainers(input.pod)) : {} };
  }
  return { ...common, state: { waiting: { reason: defaultWaiting } } };
}

function condition(type: string, ok: boolean, input: StatusInput, reason?: string, message?: string): PodCondition {
  const prior = input.pod.status?.conditions?.find((c) => c.type === type);
  const status = ok ? 'True' : 'False';
  return {
    type,
    status,
    lastProbeTime: null,
    // A condition's transition time moves only when its status does.
    lastTransitionTime: prior && prior.status === status && prior.lastTransitionTime ? prior.lastTransitionTime : input.now,
    ...(!ok && reason ? { reason } : {}),
    ...(!ok && message ? { message } : {}),
  };
}

/** Whether a regular container has run: the pod was initialized then, whatever its sidecars do now. */
function anyRegularStarted(app: ContainerStatus[]): boolean {
  return app.some((s) => 'running' in s.state || 'terminated' in s.state);
}

/**
 * The pod phase from container states, as the kubelet's getPhase decides it (a deleted pod's
 * final phase is computePodStatus's own).
 */
export function podPhase(pod: Pod, init: ContainerStatus[], app: ContainerStatus[]): NonNullable<PodStatus['phase']> {
  const policy = pod.spec.restartPolicy ?? 'Always';
  const initSpecs = pod.spec.initContainers ?? [];
  const statusOf = (list: ContainerStatus[], name: string) => list.find((s) => s.name === name);
  let pendingInit = 0;
  let failedInit = 0;
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of initSpecs) {
    const s = statusOf(init, c.name);
    if (isSidecar(c)) {
      // A sidecar that exited does not count: it is restarted, and it does not end the pod.
      if (!s) unknown++;
      else if ('running' in s.state) {
        if (!s.started) pendingInit++;
        running++;
      } else if ('waiting' in s.state && !('terminated' in s.lastState)) {
        pendingInit++;
        waiting++;
      }
      continue;
    }
    if (!s || 'running' in s.state) pendingInit++;
    else if ('terminated' in s.state) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.lastState.terminated) {
      if ((s.lastState.terminated as { exitCode?: number }).exitCode !== 0) failedInit++;
    } else pendingInit++;
  }
  for (const s of app) {
    if ('running' in s.state) running++;
    else if ('terminated' in s.state) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if ('terminated' in s.lastState) stopped++;
    else waiting++;
  }
  unknown += pod.spec.containers.length - app.length;
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if ((pendingInit > 0 && !anyRegularStarted(app)) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running'; // OnFailure: the failed ones will run again
  }
  return 'Pending';
}

/** Why each of the pod's readiness gates is not met, in Kubernetes' words (none: all are). */
function readinessGatesUnready(pod: Pod, conditions: PodCondition[]): string[] {
  const gates = Array.isArray(pod.spec.readinessGates) ? (pod.spec.readinessGates as Array<{ conditionType?: unknown }>) : [];
  const out: string[] = [];
  for (const gate of gates) {
    const type = String(gate?.conditionType ?? '');
    const c = conditions.find((x) => x.type === type);
    if (!c) out.push(`corresponding condition of pod readiness gate "${type}" does not exist.`);
    else if (c.status !== 'True') out.push(`the status of pod readiness gate "${type}" is not "True", but ${c.status}`);
  }
  return out;
}

export function computePodStatus(input: StatusInput): PodStatus {
  const { pod, containers } = input;
  const current = pod.status ?? {};
  const sandbox = containers.filter((c) => c.kind === 'sandbox').sort(byAttemptDesc)[0];
  const history = (kind: 'init' | 'app' | 'ephemeral', name: string) =>
    containers.filter((c) => c.kind === kind && c.name === name).sort(byAttemptDesc);

  const initSpecs = pod.spec.initContainers ?? [];
  const initStatuses = initSpecs.map((c) => {
    const s = containerStatus(c, history('init', c.name), input, 'PodInitializing');
    // An init container that runs to completion is ready once it has succeeded, never while it
    // runs; a sidecar is ready as a regular container is, once started.
    if (!isSidecar(c)) return { ...s, ready: 'terminated' in s.state && s.state.terminated.exitCode === 0 };
    return s.started ? s : { ...s, ready: false };
  });
  // Initialized in this sandbox: every init container succeeded (a sidecar: runs and has
  // started), or a regular container has run here already (a sidecar restarting since then
  // does not take that back).
  const initializedBy = (c: Container, i: number) => {
    const last = history('init', c.name)[0];
    if (!last || last.sandboxId !== sandbox?.id) return false;
    return isSidecar(c) ? last.state === 'running' && initStatuses[i]!.started === true : hasExited(last) && exitCodeOf(last) === 0;
  };
  const appRanHere = containers.some((c) => c.kind === 'app' && c.sandboxId === sandbox?.id && c.state !== 'created');
  const incompleteInit = initSpecs.filter((c, i) => !initializedBy(c, i));
  const initDone = appRanHere || incompleteInit.length === 0;
  const appStatuses = pod.spec.containers.map((c) => containerStatus(c, history('app', c.name), input, initDone ? 'ContainerCreating' : 'PodInitializing'));

  // Ephemeral containers are never ready and have no startup state (no probes).
  const ephemeralStatuses = (pod.spec.ephemeralContainers ?? []).map((c) => {
    const { started: _started, ...s } = containerStatus(c, history('ephemeral', c.name), input, 'ContainerCreating');
    return { ...s, ready: false };
  });

  // A terminal phase is final, with its reason (a pod the node rejected has no containers to
  // say so): Kubernetes' kubelet never moves a pod out of Succeeded or Failed.
  const terminal = current.phase === 'Succeeded' || current.phase === 'Failed';
  // A deleted pod ends Succeeded if every container exited 0, else Failed, whatever its restart
  // policy (Kubernetes' kubelet since 1.27), so a Job's controller can tell how it ended.
  const stoppedPhase = () => (appStatuses.length > 0 && appStatuses.every((c) => 'terminated' in c.state && c.state.terminated.exitCode === 0) ? 'Succeeded' : 'Failed');
  const phase = terminal ? current.phase! : input.terminating ? stoppedPhase() : podPhase(pod, initStatuses, appStatuses);
  // Sidecars serve beside the regular containers, so the pod is ready only when they are too.
  const unready = [...initStatuses.filter((s, i) => isSidecar(initSpecs[i]) && !s.ready), ...appStatuses.filter((s) => !s.ready)].map((s) => s.name);
  const finished = phase === 'Succeeded' || phase === 'Failed';
  const containersReady = unready.length === 0 && !finished;
  const notReadyReason = finished ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMessage = finished ? undefined : `containers with unready status: [${unready.join(' ')}]`;

  const scheduled = current.conditions?.find((c) => c.type === 'PodScheduled') ?? { type: 'PodScheduled', status: 'True' as const, lastProbeTime: null, lastTransitionTime: input.now };
  // Conditions others set (DisruptionTarget from a preemption or an eviction, readiness gates'
  // types) stay, ahead of the kubelet's own, as Kubernetes' kubelet merges them.
  const others = (current.conditions ?? []).filter((c) => c && typeof c === 'object' && !KUBELET_POD_CONDITIONS.has(c.type));
  // Readiness gates: the pod is Ready only once every gate's condition (set by whoever owns
  // it, e.g. a load balancer controller) is True.
  const gatesUnready = readinessGatesUnready(pod, others);
  const conditions: PodCondition[] = [
    ...others,
    condition('PodReadyToStartContainers', sandbox?.state === 'running' && !!sandbox.ip, input),
    condition(
      'Initialized',
      initDone || finished,
      input,
      'ContainersNotInitialized',
      `containers with incomplete status: [${incompleteInit.map((c) => c.name).join(' ')}]`,
    ),
    gatesUnready.length && containersReady
      ? condition('Ready', false, input, 'ReadinessGatesNotReady', gatesUnready.join(', '))
      : condition('Ready', containersReady, input, notReadyReason, notReadyMessage),
    condition('ContainersReady', containersReady, input, notReadyReason, notReadyMessage),
    scheduled,
  ];

  const podIP = sandbox?.ip ?? (finished ? current.podIP : undefined);
  const status: PodStatus = {
    phase,
    conditions,
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime: current.startTime ?? input.now,
    ...(initStatuses.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: appStatuses,
    ...(ephemeralStatuses.length ? { ephemeralContainerStatuses: ephemeralStatuses } : {}),
    ...(current.qosClass ? { qosClass: current.qosClass } : {}),
    ...(terminal && current.reason ? { reason: current.reason } : {}),
    ...(terminal && current.message ? { message: current.message } : {}),
  };
  return status;
}

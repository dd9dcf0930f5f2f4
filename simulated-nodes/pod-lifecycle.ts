// What a simulated node says about its pods, as a kubelet would after running them: pure
// functions from a pod (and the time) to the status it reports. Containers start at once and
// are ready at once (probes are not run); pods that may finish (restartPolicy Never or
// OnFailure) do so after their run time, with exit code 0, or 1 when the simulation fails them.
import { mountStatuses } from '../api/container-mounts.js';
import type { ContainerStatus, Pod, PodCondition, PodStatus } from '../api/types/pod.js';

/** How long a pod that may finish runs, unless the flag's default applies. */
export const RUN_SECONDS_ANNOTATION = 'kubette.io/simulated-run-seconds';

/** How long `pod` runs before it finishes: undefined while it runs for good (restartPolicy Always, or a run time of 0). */
export function runMillis(pod: Pod, defaultMs: number): number | undefined {
  if ((pod.spec.restartPolicy ?? 'Always') === 'Always') return undefined;
  const annotated = pod.metadata.annotations?.[RUN_SECONDS_ANNOTATION];
  // Anything but a plain finite number (empty, 'soon', '1e400') leaves the default.
  const seconds = annotated !== undefined && annotated.trim() !== '' ? Number(annotated) : NaN;
  const ms = Number.isFinite(seconds) ? seconds * 1000 : defaultMs;
  return ms > 0 ? ms : undefined;
}

const condition = (type: string, status: 'True' | 'False', now: string, reason?: string): PodCondition => ({
  type,
  status,
  lastProbeTime: null,
  lastTransitionTime: now,
  ...(reason ? { reason } : {}),
});

const containerID = (pod: Pod, name: string) => `simulated://${pod.metadata.uid}-${name}`;

function initStatuses(pod: Pod, now: string): ContainerStatus[] | undefined {
  const inits = pod.spec.initContainers ?? [];
  if (!inits.length) return undefined;
  return inits.map((c) => ({
    name: c.name,
    image: c.image,
    imageID: c.image,
    containerID: containerID(pod, c.name),
    ready: true,
    started: false,
    restartCount: 0,
    state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now, containerID: containerID(pod, c.name) } },
    lastState: {},
    ...mountStatuses(c),
  }));
}

/** The status of a pod whose containers all run and are ready. */
export function runningStatus(pod: Pod, addresses: { hostIP: string; podIP: string }, now: string, restartCount = 0): PodStatus {
  return {
    phase: 'Running',
    conditions: [
      condition('PodReadyToStartContainers', 'True', now),
      condition('Initialized', 'True', now),
      condition('Ready', 'True', now),
      condition('ContainersReady', 'True', now),
      condition('PodScheduled', 'True', pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime ?? now),
    ],
    hostIP: addresses.hostIP,
    hostIPs: [{ ip: addresses.hostIP }],
    podIP: addresses.podIP,
    podIPs: [{ ip: addresses.podIP }],
    startTime: pod.status?.startTime ?? now,
    ...(pod.spec.initContainers?.length ? { initContainerStatuses: initStatuses(pod, now) } : {}),
    containerStatuses: pod.spec.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: c.image,
      containerID: containerID(pod, c.name),
      ready: true,
      started: true,
      restartCount,
      state: { running: { startedAt: now } },
      lastState: {},
      ...mountStatuses(c),
    })),
  };
}

/** The status of a pod whose containers exited with `exitCode` and will not run again. */
export function finishedStatus(pod: Pod, exitCode: number, now: string): PodStatus {
  const succeeded = exitCode === 0;
  const reason = succeeded ? 'PodCompleted' : 'PodFailed';
  return {
    phase: succeeded ? 'Succeeded' : 'Failed',
    conditions: [
      condition('PodReadyToStartContainers', 'False', now),
      condition('Initialized', 'True', now, reason === 'PodCompleted' ? 'PodCompleted' : undefined),
      condition('Ready', 'False', now, reason),
      condition('ContainersReady', 'False', now, reason),
      condition('PodScheduled', 'True', pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime ?? now),
    ],
    hostIP: pod.status?.hostIP,
    hostIPs: pod.status?.hostIPs,
    podIP: pod.status?.podIP,
    podIPs: pod.status?.podIPs,
    startTime: pod.status?.startTime ?? now,
    ...(pod.spec.initContainers?.length ? { initContainerStatuses: initStatuses(pod, pod.status?.startTime ?? now) } : {}),
    containerStatuses: pod.spec.containers.map((c) => {
      const before = pod.status?.containerStatuses?.find((s) => s.name === c.name);
      const startedAt = (before?.state as { running?: { startedAt?: string } } | undefined)?.running?.startedAt ?? pod.status?.startTime ?? now;
      return {
        name: c.name,
        image: c.image,
        imageID: c.image,
        containerID: containerID(pod, c.name),
        ready: false,
        started: false,
        restartCount: before?.restartCount ?? 0,
        state: { terminated: { exitCode, reason: succeeded ? 'Completed' : 'Error', startedAt, finishedAt: now, containerID: containerID(pod, c.name) } },
        lastState: {},
        ...mountStatuses(c),
      };
    }),
  };
}

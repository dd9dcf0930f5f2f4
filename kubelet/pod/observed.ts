// What the kubelet knows of a pod's containers on this node: the runtime's sandboxes and
// containers, decoded into one list. Labels are the kubelet's memory of what it started: a
// restarted kubelet re-reads them to adopt running containers, and several kubelets sharing one
// engine tell theirs apart by the node label.
import { createHash } from 'node:crypto';
import { canonical } from '../../api/canonical.js';
import type { Container, Pod } from '../../api/types/pod.js';
import type { ContainerState, ContainerStatus, PodSandboxStatus } from '../runtime/runtime.js';

export const LABEL_NODE = 'io.kubette.node';
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';
export const LABEL_KIND = 'io.kubette.container.kind';
export const LABEL_HASH = 'io.kubette.container.hash';
/** Where on the node the container's termination message file is. */
export const LABEL_TERMINATION_MESSAGE_FILE = 'io.kubette.container.termination-message-file';

export type ContainerKind = 'sandbox' | 'init' | 'app' | 'ephemeral';

/** A sandbox or container of one pod as the runtime reports it. */
export interface ObservedContainer {
  id: string;
  /** The pod's container name; "POD" for the sandbox. */
  name: string;
  kind: ContainerKind;
  attempt: number;
  hash: string;
  sandboxId: string;
  /** A sandbox is "running" while ready, "exited" after. */
  state: ContainerState;
  exitCode: number;
  startedAt?: string;
  finishedAt?: string;
  oomKilled: boolean;
  error?: string;
  image: string;
  imageID: string;
  ip?: string;
  /** Where on the node its termination message file is (the label set when it was created). */
  messageFile?: string;
  /** What it left as its termination message once exited (read by the pod syncer). */
  terminationMessage?: string;
}

/** Changes when the container's spec changes (e.g. a new image): the container is then replaced. */
export function containerHash(c: Container): string {
  return createHash('sha256').update(canonical(c)).digest('hex').slice(0, 16);
}

export function podLabels(pod: Pod, node: string): Record<string, string> {
  return {
    [LABEL_NODE]: node,
    [LABEL_POD_UID]: pod.metadata.uid!,
    [LABEL_POD_NAME]: pod.metadata.name!,
    [LABEL_POD_NAMESPACE]: pod.metadata.namespace!,
  };
}

export function fromContainer(c: ContainerStatus): ObservedContainer {
  const kind = c.labels[LABEL_KIND];
  return {
    id: c.id,
    name: c.metadata.name,
    kind: kind === 'init' || kind === 'ephemeral' ? kind : 'app',
    attempt: c.metadata.attempt,
    hash: c.labels[LABEL_HASH] ?? '',
    sandboxId: c.podSandboxId,
    state: c.state,
    exitCode: c.exitCode,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    oomKilled: c.reason === 'OOMKilled',
    error: c.message,
    image: c.image,
    imageID: c.imageRef,
    ...(c.labels[LABEL_TERMINATION_MESSAGE_FILE] ? { messageFile: c.labels[LABEL_TERMINATION_MESSAGE_FILE] } : {}),
  };
}

export function fromSandbox(s: PodSandboxStatus): ObservedContainer {
  return {
    id: s.id,
    name: 'POD',
    kind: 'sandbox',
    attempt: s.metadata.attempt,
    hash: '',
    sandboxId: s.id,
    state: s.state === 'ready' ? 'running' : 'exited',
    exitCode: 0,
    startedAt: s.createdAt,
    oomKilled: false,
    image: '',
    imageID: '',
    ip: s.ip,
  };
}

/** Newest attempt first. */
export function byAttemptDesc(a: ObservedContainer, b: ObservedContainer): number {
  return b.attempt - a.attempt || (b.startedAt ?? '').localeCompare(a.startedAt ?? '');
}

// How the kubelet names and labels its Docker containers. Labels are the kubelet's only memory
// of what it started: a restarted kubelet re-reads them to adopt running containers, several
// kubelets sharing one Docker engine tell theirs apart by the node label, and the attempt label
// is the restart count.
import { createHash } from 'node:crypto';
import { canonical } from '../api/canonical.js';
import type { Container, Pod } from '../api/types/pod.js';
import type { ContainerStatus as RuntimeContainer } from './runtime/runtime.js';

export const LABEL_NODE = 'io.kubette.node';
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';
export const LABEL_KIND = 'io.kubette.container.kind';
export const LABEL_ATTEMPT = 'io.kubette.container.attempt';
export const LABEL_HASH = 'io.kubette.container.hash';
/** The sandbox a container joined: containers of an earlier sandbox belong to an earlier run. */
export const LABEL_SANDBOX = 'io.kubette.sandbox';

export type ContainerKind = 'sandbox' | 'init' | 'app';

/** A container of one pod as the runtime reports it, decoded from its labels. */
export interface ObservedContainer {
  id: string;
  /** The pod's container name; "POD" for the sandbox. */
  name: string;
  kind: ContainerKind;
  attempt: number;
  hash: string;
  sandboxId: string;
  state: RuntimeContainer['state'];
  exitCode: number;
  startedAt?: string;
  finishedAt?: string;
  oomKilled: boolean;
  error?: string;
  image: string;
  imageID: string;
  ip?: string;
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

/** Docker names must be unique per engine: the uid and attempt make them so (as dockershim did). */
export function dockerName(pod: Pod, container: string, attempt: number): string {
  return `k8s_${container}_${pod.metadata.name}_${pod.metadata.namespace}_${pod.metadata.uid}_${attempt}`;
}

export function fromRuntime(c: RuntimeContainer): ObservedContainer {
  const kind = c.labels[LABEL_KIND];
  return {
    id: c.id,
    name: c.labels[LABEL_CONTAINER_NAME] ?? '',
    kind: kind === 'sandbox' || kind === 'init' ? kind : 'app',
    attempt: Number(c.labels[LABEL_ATTEMPT] ?? 0) || 0,
    hash: c.labels[LABEL_HASH] ?? '',
    sandboxId: c.labels[LABEL_SANDBOX] ?? '',
    state: c.state,
    exitCode: c.exitCode,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    oomKilled: c.oomKilled ?? false,
    error: c.error,
    image: c.image,
    imageID: c.imageID,
    ip: c.ip,
  };
}

/** Newest attempt first. */
export function byAttemptDesc(a: ObservedContainer, b: ObservedContainer): number {
  return b.attempt - a.attempt || (b.startedAt ?? '').localeCompare(a.startedAt ?? '');
}

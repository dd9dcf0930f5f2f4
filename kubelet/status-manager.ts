// Writes pod status through the status subresource, and only when it changed. A merge patch
// of the whole status: lists (conditions, containerStatuses) are replaced as a whole, and
// fields the kubelet owns but no longer has are cleared with null.
import type { Logger } from 'pino';
import type { Pod, PodStatus } from '../api/types/pod.js';
import { resource, type RestClient } from '../client/rest.js';

const pods = resource('v1/pods');
const OWNED = ['podIP', 'podIPs', 'initContainerStatuses', 'message', 'reason'] as const;

export class StatusManager {
  private readonly written = new Map<string, string>();

  constructor(
    private readonly client: RestClient,
    private readonly log: Logger,
  ) {}

  async write(pod: Pod, status: PodStatus): Promise<void> {
    const uid = pod.metadata.uid!;
    const text = JSON.stringify(status);
    if (this.written.get(uid) === text) return;
    const current = pod.status ?? {};
    // The informer's copy may already say exactly this (after a kubelet restart, say).
    if (JSON.stringify(pick(current, status)) === text && OWNED.every((k) => k in status || !(k in current))) {
      this.written.set(uid, text);
      return;
    }
    const patch: Record<string, unknown> = { ...status };
    for (const k of OWNED) if (!(k in status) && k in current) patch[k] = null;
    try {
      await this.client.patch(pods, pod.metadata.namespace, pod.metadata.name!, { metadata: { uid }, status: patch }, 'merge', 'status');
      this.written.set(uid, text);
    } catch (err) {
      this.log.warn({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, err: (err as Error).message }, 'could not write pod status');
    }
  }

  forget(uid: string): void {
    this.written.delete(uid);
  }
}

/** `current` reduced to the keys of `like`, in the same order, for comparison. */
function pick(current: PodStatus, like: PodStatus): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(like)) if (k in current) out[k] = current[k];
  return out;
}

// Writes pod status through the status subresource, and only when it changed: a strategic
// merge patch that leaves others' conditions alone (api/kubelet-patches.ts), and clears with
// null the fields the kubelet owns but no longer has.
import type { Logger } from 'pino';
import { podStatusPatch } from '../../api/kubelet-patches.js';
import type { Pod, PodStatus } from '../../api/types/pod.js';
import { resource } from '../../client/rest.js';
import type { ApiClient } from '../../client/api-client.js';

const pods = resource('v1/pods');
const OWNED = ['podIP', 'podIPs', 'initContainerStatuses', 'message', 'reason'] as const;

export class StatusManager {
  /** What we last wrote per pod, and the pod's resourceVersion right after. */
  private readonly written = new Map<string, { text: string; rv: number }>();

  constructor(
    private readonly client: ApiClient,
    private readonly log: Logger,
  ) {}

  async write(pod: Pod, status: PodStatus): Promise<void> {
    const uid = pod.metadata.uid!;
    const text = JSON.stringify(status);
    const mine = this.written.get(uid);
    const seenRv = Number(pod.metadata.resourceVersion ?? 0);
    // Our last write stands unless someone changed the pod since (a controller marking it not
    // Ready, say): then the pod's current status is what to compare against.
    if (mine && mine.text === text && seenRv <= mine.rv) return;
    const current = pod.status ?? {};
    if (JSON.stringify(pick(current, status)) === text && OWNED.every((k) => k in status || !(k in current))) {
      this.written.set(uid, { text, rv: seenRv });
      return;
    }
    const patch = podStatusPatch(status);
    for (const k of OWNED) if (!(k in status) && k in current) patch[k] = null;
    try {
      const updated = await this.client.patch<Pod>(pods, pod.metadata.namespace, pod.metadata.name!, { metadata: { uid }, status: patch }, 'strategic', 'status');
      this.written.set(uid, { text, rv: Number(updated.metadata.resourceVersion ?? 0) });
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

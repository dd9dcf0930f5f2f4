// How a controller that owns pods follows and removes them, as Kubernetes' PodControl and
// controller expectations do: events of its pods settle its expectations and requeue the
// owner; deletions are recorded as expected first and carry the pod's uid as a precondition,
// so a same-named successor is never touched.
import { controllerRef } from '../../api/owners.js';
import { StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Pod } from '../../api/types/pod.js';
import type { Informer } from '../../client/informer.js';
import { objectKey } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import type { ControllerContext } from './controller.js';
import type { Expectations } from './expectations.js';

const pods = resource('v1/pods');

/** At most this many pods are created or deleted for one owner in one pass (Kubernetes' burstReplicas, MaxPodCreateDeletePerSync). */
export const BURST = 500;

/** Runs `fn` on `count` items in batches of 1, 2, 4, ...; stops at the first batch with an error. */
export async function slowStartBatch(count: number, fn: () => Promise<void>): Promise<{ done: number; error?: Error }> {
  let done = 0;
  for (let batch = 1; done < count; batch *= 2) {
    const size = Math.min(batch, count - done);
    const results = await Promise.allSettled(Array.from({ length: size }, fn));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    done += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { done, error: failed.reason as Error };
  }
  return { done };
}

/** Indexes pods by the uid of their `kind` controller, and settles expectations and requeues owners on their events. */
export function followOwnedPods<O extends KubeObject>(
  podInformer: Informer<Pod>,
  kind: string,
  owners: Informer<O>,
  expectations: Expectations,
  enqueue: (owner: O) => void,
): string {
  const index = `${kind.toLowerCase()}-owner`;
  podInformer.addIndexer(index, (p) => {
    const ref = controllerRef(p);
    return ref?.kind === kind ? [ref.uid] : [];
  });
  const changed = (p: Pod, event: 'add' | 'update' | 'delete', old?: Pod) => {
    const ref = controllerRef(p);
    if (ref?.kind !== kind) return;
    const owner = owners.get(`${p.metadata.namespace}/${ref.name}`);
    if (owner?.metadata.uid !== ref.uid) return;
    const key = objectKey(owner);
    if (event === 'add') expectations.creationObserved(key);
    if (event === 'delete' || (p.metadata.deletionTimestamp && !old?.metadata.deletionTimestamp)) expectations.deletionObserved(key, p.metadata.uid!);
    enqueue(owner);
  };
  podInformer.addHandler({ add: (p) => changed(p, 'add'), update: (o, p) => changed(p, 'update', o), delete: (p) => changed(p, 'delete') });
  return index;
}

/** Deletes `victims` (each once) for `owner`, with an event per pod; gone or replaced pods are no error. */
export async function deleteOwnedPods(ctx: ControllerContext, expectations: Expectations, key: string, owner: KubeObject, victims: Pod[], deleted: (p: Pod) => string): Promise<void> {
  const unique = [...new Map(victims.map((p) => [p.metadata.uid!, p])).values()];
  if (!unique.length) return;
  expectations.expectDeletions(key, unique.map((p) => p.metadata.uid!));
  await Promise.all(
    unique.map(async (p) => {
      try {
        await ctx.client.delete(pods, p.metadata.namespace, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
        ctx.recorder.event(owner, 'Normal', 'SuccessfulDelete', deleted(p));
      } catch (err) {
        expectations.deletionObserved(key, p.metadata.uid!);
        if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
      }
    }),
  );
}

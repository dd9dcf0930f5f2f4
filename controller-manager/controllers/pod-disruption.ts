// Deleting a pod for the cluster's reasons rather than its owner's, as Kubernetes' controllers
// do: the pod first gets the DisruptionTarget condition saying why (and, when no kubelet will
// ever finish it, the Failed phase), so its Job's podFailurePolicy and anyone reading it can
// tell a disruption from a failure; then it is deleted, only if it is still the same pod.
import { rfc3339 } from '../../api/time.js';
import { StatusError } from '../../api/status.js';
import type { Pod } from '../../api/types/pod.js';
import type { ApiClient } from '../../client/api-client.js';
import { resource } from '../../client/rest.js';

const pods = resource('v1/pods');

export interface Disruption {
  /** Kubernetes' reason, e.g. DeletionByTaintManager. */
  reason: string;
  message: string;
  /** Also mark the pod Failed (its node is gone: no kubelet will). */
  failed?: boolean;
  gracePeriodSeconds?: number;
}

/** Marks and deletes `pod`; false if it was gone or replaced already. */
export async function deleteForDisruption(client: ApiClient, pod: Pod, d: Disruption): Promise<boolean> {
  const { namespace, name, uid } = pod.metadata;
  const condition = { type: 'DisruptionTarget', status: 'True', reason: d.reason, message: d.message, lastProbeTime: null, lastTransitionTime: rfc3339() };
  try {
    const status = d.failed ? { phase: 'Failed', conditions: [condition] } : { conditions: [condition] };
    // The uid in the patch makes it a precondition: a new pod under the same name is left alone.
    await client.patch(pods, namespace, name!, { metadata: { uid }, status }, 'strategic', 'status');
    await client.delete(pods, namespace, name!, { ...(d.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: d.gracePeriodSeconds } : {}), preconditions: { uid } });
    return true;
  } catch (err) {
    if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return false;
    throw err;
  }
}

// Makes a container's image present by its imagePullPolicy, with the kubelet's events and
// per-image back-off (ErrImagePull, then ImagePullBackOff until the window passes). A pull uses
// the pod's image pull secrets (pull-credentials.ts): each credential for the image's registry
// in turn, or none when no secret names that registry.
import { formatGoDuration } from '../../api/go-duration.js';
import type { Secret } from '../../api/types/core.js';
import type { Container, Pod } from '../../api/types/pod.js';
import type { EventRecorder } from '../../client/events.js';
import { Backoff } from './backoff.js';
import { credentialsFor } from './pull-credentials.js';
import type { ContainerRuntime, RegistryAuth } from '../runtime/runtime.js';

/** The pod's image pull secrets that could be read, and the names of those that could not. */
export type PullSecretSource = (pod: Pod) => Promise<{ secrets: Secret[]; missing: string[] }>;

export type PullResult = { ok: true } | { ok: false; reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull'; message: string };

export class ImagePuller {
  private readonly backoff = new Backoff();
  private readonly lastFailure = new Map<string, number>();

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly recorder: EventRecorder,
    private readonly pullSecrets: PullSecretSource = async () => ({ secrets: [], missing: [] }),
  ) {}

  /** The credentials the pod's pull secrets hold for the image's registry (none: pull anonymously); says which secrets it could not read, as Kubernetes' kubelet does before pulling. */
  private async credentials(pod: Pod, image: string): Promise<RegistryAuth[]> {
    if (!(pod.spec.imagePullSecrets ?? []).some((s) => s?.name)) return [];
    const { secrets, missing } = await this.pullSecrets(pod);
    if (missing.length) {
      this.recorder.event(pod, 'Warning', 'FailedToRetrieveImagePullSecret', `Unable to retrieve some image pull secrets (${missing.join(', ')}); attempting to pull the image may not succeed.`);
    }
    return credentialsFor(image, secrets);
  }

  /** Pulls with each credential in turn until one works; anonymously when there is none. */
  private async pull(image: string, credentials: RegistryAuth[]): Promise<{ sizeBytes: number }> {
    if (!credentials.length) return this.runtime.pullImage(image);
    const errors: string[] = [];
    for (const auth of credentials) {
      try {
        return await this.runtime.pullImage(image, auth);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    // Kubernetes' aggregate error: one message as it is, several in brackets.
    throw new Error(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
  }

  async ensure(pod: Pod, c: Container, fieldPath: string): Promise<PullResult> {
    const image = c.image;
    const present = await this.runtime.imageID(image);
    const policy = c.imagePullPolicy ?? 'IfNotPresent';
    if (policy === 'Never') {
      if (present) return { ok: true };
      const message = `Container image "${image}" is not present with pull policy of Never`;
      this.recorder.event(pod, 'Warning', 'ErrImageNeverPull', message, fieldPath);
      return { ok: false, reason: 'ErrImageNeverPull', message };
    }
    if (policy === 'IfNotPresent' && present) {
      this.recorder.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, fieldPath);
      return { ok: true };
    }
    const key = `${pod.metadata.uid}/${image}`;
    const now = Date.now();
    if (this.backoff.inBackoffSince(key, this.lastFailure.get(key) ?? 0, now)) {
      const message = `Back-off pulling image "${image}"`;
      this.recorder.event(pod, 'Normal', 'BackOff', message, fieldPath);
      // The container could not be made either, and Kubernetes' kubelet says so too.
      this.recorder.event(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff', fieldPath);
      return { ok: false, reason: 'ImagePullBackOff', message };
    }
    const credentials = await this.credentials(pod, image);
    this.recorder.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, fieldPath);
    const started = Date.now();
    let pulled: { sizeBytes: number };
    try {
      pulled = await this.pull(image, credentials);
    } catch (err) {
      this.backoff.next(key, Date.now());
      this.lastFailure.set(key, Date.now());
      const message = `Failed to pull image "${image}": ${(err as Error).message}`;
      this.recorder.event(pod, 'Warning', 'Failed', message, fieldPath);
      this.recorder.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull', fieldPath);
      return { ok: false, reason: 'ErrImagePull', message };
    }
    // Pulls are not queued here: the time including waiting is the pull's own.
    const took = formatGoDuration(Date.now() - started);
    this.recorder.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${pulled.sizeBytes} bytes.`, fieldPath);
    return { ok: true };
  }

  forgetPod(uid: string): void {
    this.backoff.forgetPrefix(`${uid}/`);
    for (const k of this.lastFailure.keys()) if (k.startsWith(`${uid}/`)) this.lastFailure.delete(k);
  }
}

// Makes a container's image present by its imagePullPolicy, with the kubelet's events and
// per-image back-off (ErrImagePull, then ImagePullBackOff until the window passes).
import { formatGoDuration } from '../../api/go-duration.js';
import type { Container, Pod } from '../../api/types/pod.js';
import type { EventRecorder } from '../../client/events.js';
import { Backoff } from './backoff.js';
import type { ContainerRuntime } from '../runtime/runtime.js';

export type PullResult = { ok: true } | { ok: false; reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull'; message: string };

export class ImagePuller {
  private readonly backoff = new Backoff();
  private readonly lastFailure = new Map<string, number>();

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly recorder: EventRecorder,
  ) {}

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
    this.recorder.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, fieldPath);
    const started = Date.now();
    let pulled: { sizeBytes: number };
    try {
      pulled = await this.runtime.pullImage(image);
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

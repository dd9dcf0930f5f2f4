// Legacy service-account token tracking: the Secret of a secret-based token that authenticates
// is labelled kubernetes.io/legacy-token-last-used=<UTC day>, written at most once a day per
// Secret (a label of today or tomorrow is left alone, as Kubernetes does for clocks a little
// apart), so `kubectl get secrets -L kubernetes.io/legacy-token-last-used` shows which are in use.
import type { KubeObject } from '../../api/types/meta.js';
import { LAST_USED_LABEL } from '../../api/legacy-service-account-token.js';

/** Writes the label on the Secret now (an update that fails when the Secret's uid differs). */
export type LabelWriter = (namespace: string, name: string, uid: string, day: string) => Promise<void>;

const DAY_MS = 86_400_000;

export class LegacyTokenTracker {
  /** Secrets (by uid and day) whose label is being written: concurrent requests write it once. */
  private readonly writing = new Set<string>();

  constructor(
    private readonly write: LabelWriter,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  used(secret: KubeObject): void {
    const t = this.now();
    const today = new Date(t).toISOString().slice(0, 10);
    const last = secret.metadata.labels?.[LAST_USED_LABEL];
    if (last === today || last === new Date(t + DAY_MS).toISOString().slice(0, 10)) return;
    const { namespace, name, uid } = secret.metadata;
    const key = `${uid}/${today}`;
    if (!namespace || !name || !uid || this.writing.has(key)) return;
    this.writing.add(key);
    // Off the request's path: authentication does not wait on a write.
    void this.write(namespace, name, uid, today)
      .catch(this.onError)
      .finally(() => this.writing.delete(key));
  }
}

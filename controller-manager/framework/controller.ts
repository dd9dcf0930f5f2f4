// The controller pattern: informer events put keys on a rate-limited, de-duplicating queue;
// workers take keys and reconcile the object's actual state toward its desired state. A
// reconcile reads only the informers' caches, never mutates cached objects (it copies), is
// idempotent, and may ask to be run again later.
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types/meta.js';
import type { EventRecorder } from '../../client/events.js';
import { objectKey } from '../../client/informer.js';
import type { InformerSource } from '../../client/informer-factory.js';
import type { ApiClient } from '../../client/api-client.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { LegacyTokenSigner } from '../../api/legacy-service-account-token.js';

export interface ControllerContext {
  client: ApiClient;
  informers: InformerSource;
  recorder: EventRecorder;
  log: Logger;
  options: ControllerOptions;
}

export interface ControllerOptions {
  /** How long a node may go without a heartbeat before it is Unknown (--node-monitor-grace-period). */
  nodeMonitorGracePeriodMs: number;
  /** How often node health is checked (--node-monitor-period). */
  nodeMonitorPeriodMs: number;
  concurrentSyncs: Record<string, number>;
  /** The CA the CSR signer issues from (--cluster-signing-cert-file / -key-file); none: no signing. */
  signingCA?: { certPem: string; keyPem: string };
  /** --cluster-signing-duration: the longest certificate the signer issues. */
  signingDurationSeconds?: number;
  /** --local-path-root: where the local-path provisioner keeps volume directories. */
  localPathRoot?: string;
  /** --terminated-pod-gc-threshold: finished pods kept before the oldest are deleted (0: never). */
  terminatedPodGCThreshold?: number;
  /** The CA pods are given to verify the apiserver (--root-ca-file, else the kubeconfig's CA; none on plain HTTP). */
  rootCA?: string;
  /** Signs secret-based service-account tokens with --service-account-private-key-file's key. */
  serviceAccountTokenSigner?: LegacyTokenSigner;
  /** --resource-quota-sync-period: how often every quota is recounted. */
  resourceQuotaSyncPeriodMs?: number;
  /** The --horizontal-pod-autoscaler-* flags; unset ones take Kubernetes' defaults. */
  horizontalPodAutoscaler?: Partial<HorizontalOptions>;
}

export interface HorizontalOptions {
  /** --horizontal-pod-autoscaler-sync-period. */
  syncPeriodMs: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization. */
  downscaleStabilizationMs: number;
  /** --horizontal-pod-autoscaler-tolerance. */
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period. */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay. */
  initialReadinessDelayMs: number;
}

export type ReconcileResult = void | { requeueAfterMs: number };

export abstract class Controller {
  readonly queue = new WorkQueue<string>({ baseDelayMs: 5, maxDelayMs: 60_000 });
  readonly log: Logger;
  syncs = 0;
  errors = 0;

  constructor(
    readonly name: string,
    protected readonly ctx: ControllerContext,
  ) {
    this.log = ctx.log.child({ controller: name });
  }

  /** Brings the object under `key` to its desired state. Throwing retries it with back-off. */
  abstract reconcile(key: string): Promise<ReconcileResult>;

  enqueue(obj: KubeObject): void {
    this.queue.add(objectKey(obj));
  }

  protected get workers(): number {
    return this.ctx.options.concurrentSyncs[this.name] ?? 5;
  }

  /** Work until `signal` aborts; callers start informers and wait for them to sync first. */
  async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await Promise.all(Array.from({ length: this.workers }, () => this.worker()));
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      this.syncs++;
      try {
        const result = await this.reconcile(key);
        this.queue.forget(key);
        if (result && result.requeueAfterMs > 0) this.queue.addAfter(key, result.requeueAfterMs);
      } catch (err) {
        this.errors++;
        const retries = this.queue.retries(key);
        this.log[retries > 5 ? 'warn' : 'debug']({ key, err: (err as Error).message, retries }, 'reconcile failed; will retry');
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }
}

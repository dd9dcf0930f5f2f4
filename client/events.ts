// Records core/v1 Events about objects, as Kubernetes components do: a repeat of the same
// event (same object, type, reason, message, source) bumps count and lastTimestamp on the
// existing Event instead of creating another. Events are written in the background, one at a
// time, as client-go's broadcaster does: a burst (a scheduler binding thousands of pods) queues
// them behind its real work instead of doubling its writes; past 1000 waiting, new ones are
// dropped and counted. Writes are rate limited as the kubelet's --event-qps/--event-burst
// (50/s after a burst of 100; kube-scheduler's client has the same limits), so a burst of
// thousands of pods costs the apiserver a few hundred Events, not one write per pod.
import type { Logger } from 'pino';
import type { KubeObject } from '../api/types/meta.js';
import { resource } from './rest.js';
import type { ApiClient } from './api-client.js';
import { rfc3339 } from '../api/time.js';

const events = resource('v1/events');

export interface EventSource {
  component: string;
  host?: string;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

const MAX_REMEMBERED = 4096;
const MAX_QUEUED = 1000;

export interface EventRateLimit {
  /** Writes per second once the burst is spent. */
  qps: number;
  burst: number;
}

export const DEFAULT_EVENT_RATE_LIMIT: EventRateLimit = { qps: 50, burst: 100 };

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private readonly queued: Array<() => Promise<void>> = [];
  private writing = false;
  /** Events not written because too many were waiting. */
  dropped = 0;
  private tokens: number;
  private refilledAt = Date.now();

  constructor(
    private readonly client: ApiClient,
    private readonly source: EventSource,
    private readonly log?: Logger,
    private readonly limit: EventRateLimit = DEFAULT_EVENT_RATE_LIMIT,
  ) {
    this.tokens = limit.burst;
  }

  /**
   * A recorder for another part of the same process, writing as `component` with a queue and
   * rate limit of its own: kube-controller-manager gives each controller its own broadcaster,
   * so a burst of one controller's events (a node controller meeting a thousand nodes) does
   * not hold back or crowd out another's.
   */
  forComponent(component: string): EventRecorder {
    return new EventRecorder(this.client, { ...this.source, component }, this.log, this.limit);
  }

  /** Fire and forget: queued and written in the background; one that cannot be written is logged, never thrown. */
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void {
    if (this.queued.length >= MAX_QUEUED) {
      if (this.dropped++ % 100 === 0) this.log?.warn({ dropped: this.dropped, reason }, 'too many events waiting to be written: dropping');
      return;
    }
    this.queued.push(() => this.record(obj, type, reason, message, fieldPath).catch((err) => this.log?.warn({ err: (err as Error).message, reason }, 'could not record event')));
    if (!this.writing) void this.drain();
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.queued.length) {
      await this.takeToken();
      await this.queued.shift()!();
    }
    this.writing = false;
  }

  /** A token bucket: `burst` writes at once, then `qps` a second. */
  private async takeToken(): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.limit.qps);
      this.refilledAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      // Unreferenced: waiting Events never keep a stopping component alive.
      await new Promise((r) => setTimeout(r, Math.ceil(((1 - this.tokens) / this.limit.qps) * 1000)).unref());
    }
  }

  async record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): Promise<void> {
    const namespace = obj.metadata.namespace || 'default';
    const involvedObject = {
      kind: obj.kind,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      uid: obj.metadata.uid,
      apiVersion: obj.apiVersion,
      resourceVersion: obj.metadata.resourceVersion,
      ...(fieldPath ? { fieldPath } : {}),
    };
    const key = JSON.stringify([involvedObject.uid, involvedObject.name, fieldPath ?? '', type, reason, message, this.source.component, this.source.host ?? '']);
    const now = rfc3339();
    const prior = this.seen.get(key);
    if (prior) {
      prior.count++;
      try {
        await this.client.patch(events, prior.namespace, prior.name, { count: prior.count, lastTimestamp: now }, 'merge');
        return;
      } catch {
        // The earlier event is gone (expired or deleted): write a new one below.
        this.seen.delete(key);
      }
    }
    const name = `${obj.metadata.name}.${(Date.now() * 1e6 + Math.floor(Math.random() * 1e6)).toString(16)}`;
    await this.client.create(events, namespace, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject,
      reason,
      message,
      type,
      source: { component: this.source.component, ...(this.source.host ? { host: this.source.host } : {}) },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? '',
    });
    if (this.seen.size >= MAX_REMEMBERED) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { name, namespace, count: 1, firstTimestamp: now });
  }
}

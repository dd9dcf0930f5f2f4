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

/** What the recorders of one process share, as client-go's broadcaster: one queue, one rate limit, one memory of repeats. */
interface EventSink {
  readonly client: ApiClient;
  readonly log?: Logger;
  readonly limit: EventRateLimit;
  readonly seen: Map<string, Seen>;
  readonly queued: Array<() => Promise<void>>;
  writing: boolean;
  dropped: number;
  tokens: number;
  refilledAt: number;
}

export class EventRecorder {
  private sink: EventSink;

  constructor(client: ApiClient, private readonly source: EventSource, log?: Logger, limit: EventRateLimit = DEFAULT_EVENT_RATE_LIMIT) {
    this.sink = { client, log, limit, seen: new Map(), queued: [], writing: false, dropped: 0, tokens: limit.burst, refilledAt: Date.now() };
  }

  /**
   * A recorder for another part of the same process (kube-controller-manager's
   * "deployment-controller", "node-controller"...), writing through this one's queue and rate limit.
   */
  forComponent(component: string): EventRecorder {
    const other = new EventRecorder(this.sink.client, { ...this.source, component }, this.sink.log, this.sink.limit);
    other.sink = this.sink;
    return other;
  }

  /** Events not written because too many were waiting. */
  get dropped(): number {
    return this.sink.dropped;
  }

  /** Fire and forget: queued and written in the background; one that cannot be written is logged, never thrown. */
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void {
    const sink = this.sink;
    if (sink.queued.length >= MAX_QUEUED) {
      if (sink.dropped++ % 100 === 0) sink.log?.warn({ dropped: sink.dropped, reason }, 'too many events waiting to be written: dropping');
      return;
    }
    sink.queued.push(() => this.record(obj, type, reason, message, fieldPath).catch((err) => sink.log?.warn({ err: (err as Error).message, reason }, 'could not record event')));
    if (!sink.writing) void drain(sink);
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
    const prior = this.sink.seen.get(key);
    if (prior) {
      prior.count++;
      try {
        await this.sink.client.patch(events, prior.namespace, prior.name, { count: prior.count, lastTimestamp: now }, 'merge');
        return;
      } catch {
        // The earlier event is gone (expired or deleted): write a new one below.
        this.sink.seen.delete(key);
      }
    }
    const name = `${obj.metadata.name}.${(Date.now() * 1e6 + Math.floor(Math.random() * 1e6)).toString(16)}`;
    await this.sink.client.create(events, namespace, {
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
    if (this.sink.seen.size >= MAX_REMEMBERED) this.sink.seen.delete(this.sink.seen.keys().next().value!);
    this.sink.seen.set(key, { name, namespace, count: 1, firstTimestamp: now });
  }
}

async function drain(sink: EventSink): Promise<void> {
  sink.writing = true;
  while (sink.queued.length) {
    await takeToken(sink);
    await sink.queued.shift()!();
  }
  sink.writing = false;
}

/** A token bucket: `burst` writes at once, then `qps` a second. */
async function takeToken(sink: EventSink): Promise<void> {
  for (;;) {
    const now = Date.now();
    sink.tokens = Math.min(sink.limit.burst, sink.tokens + ((now - sink.refilledAt) / 1000) * sink.limit.qps);
    sink.refilledAt = now;
    if (sink.tokens >= 1) {
      sink.tokens -= 1;
      return;
    }
    // Unreferenced: waiting Events never keep a stopping component alive.
    await new Promise((r) => setTimeout(r, Math.ceil(((1 - sink.tokens) / sink.limit.qps) * 1000)).unref());
  }
}

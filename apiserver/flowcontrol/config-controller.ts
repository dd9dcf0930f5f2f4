// The apiserver's view of API Priority and Fairness' configuration, as Kubernetes' apiserver
// keeps it: the FlowSchemas in matching order and the PriorityLevelConfigurations by name, read
// from this server's own watch caches and made again only when one of them changes; each
// schema's Dangling condition (whether its priority level exists) written to its status; and
// each priority level's nominal seats for the metrics, from its share of the server's
// concurrency limit. Every apiserver runs its own copy; the status writes agree.
import type { Logger } from 'pino';
import { setCondition, type Condition } from '../../api/conditions.js';
import { deepEqual } from '../../api/codec/values.js';
import { QUEUING_DEFAULTS } from '../../api/kinds/flowcontrol/prioritylevelconfiguration.js';
import { findResource } from '../../api/resources.js';
import { StatusError } from '../../api/status.js';
import { rfc3339 } from '../../api/time.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { UserInfo } from '../../component-base/authn/user.js';
import type { RequestAttributes } from '../authz/request-info.js';
import type { Registry } from '../registry/registry.js';
import type { ResourceStore } from '../registry/store.js';
import type { Subscription } from '../storage/watch-cache.js';
import { classify, matchingOrder, type Classification } from './classifier.js';
import type { LevelLimits } from './dispatcher.js';

interface Config {
  ordered: KubeObject[];
  levels: Map<string, KubeObject>;
  /** Each Limited level's seats and queuing, made when first asked for. */
  limits?: Map<string, LevelLimits>;
}

/** What the dispatcher needs of each Limited level: its nominal seats of `serverLimit`, and its queues if it queues. */
export function levelLimits(levels: Iterable<KubeObject>, serverLimit: number): Map<string, LevelLimits> {
  const all = [...levels];
  const seats = nominalSeats(all, serverLimit);
  const out = new Map<string, LevelLimits>();
  for (const l of all) {
    const n = seats.get(l.metadata.name!);
    if (n === undefined) continue;
    const response = l.spec?.limited?.limitResponse;
    const q = response?.type === 'Queue' ? response.queuing ?? {} : undefined;
    const positive = (v: unknown, fallback: number) => (typeof v === 'number' && v > 0 ? Math.floor(v) : fallback);
    out.set(l.metadata.name!, { seats: n, ...(q ? { queuing: { queues: positive(q.queues, QUEUING_DEFAULTS.queues), handSize: positive(q.handSize, QUEUING_DEFAULTS.handSize), queueLengthLimit: positive(q.queueLengthLimit, QUEUING_DEFAULTS.queueLengthLimit) } } : {}) });
  }
  return out;
}

/** The Dangling condition of a schema that refers to `level`, as Kubernetes words it. */
export function danglingCondition(level: string, exists: boolean): Condition {
  return exists
    ? { type: 'Dangling', status: 'False', reason: 'Found', message: `This FlowSchema references the PriorityLevelConfiguration object named "${level}" and it exists` }
    : { type: 'Dangling', status: 'True', reason: 'NotFound', message: `This FlowSchema references the PriorityLevelConfiguration object named "${level}" but there is no such object` };
}

/**
 * Each Limited priority level's nominal concurrency (seats): its nominalConcurrencyShares'
 * share of the server's concurrency limit, rounded up, as Kubernetes computes it.
 */
export function nominalSeats(levels: Iterable<KubeObject>, serverLimit: number): Map<string, number> {
  const limited = [...levels].filter((l) => l.spec?.type === 'Limited');
  const shares = (l: KubeObject) => {
    const n = l.spec?.limited?.nominalConcurrencyShares;
    return typeof n === 'number' && n >= 0 ? n : 30;
  };
  const total = limited.reduce((sum, l) => sum + shares(l), 0);
  return new Map(limited.map((l) => [l.metadata.name!, total > 0 ? Math.ceil((serverLimit * shares(l)) / total) : 0]));
}

/** Each priority level's seats in Prometheus text, by Kubernetes' metric names (the nominal limit, and its older name). */
export function flowControlMetrics(seats: Map<string, number>): string {
  const lines: string[] = [];
  for (const [name, help] of [
    ['apiserver_flowcontrol_nominal_limit_seats', 'Nominal number of execution seats configured for each priority level'],
    ['apiserver_flowcontrol_request_concurrency_limit', 'Nominal number of execution seats configured for each priority level (the older name)'],
  ]) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [level, n] of seats) lines.push(`${name}{priority_level=${JSON.stringify(level)}} ${n}`);
  }
  return `${lines.join('\n')}\n`;
}

export class FlowControlConfig {
  private config?: Config;
  private readonly subscriptions: Subscription[] = [];
  private readonly pending = new Set<string>();
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly registry: Registry,
    /** The server's concurrency limit: its in-flight limits for reads and writes together. */
    private readonly serverLimit: number,
    private readonly log: Logger,
  ) {}

  private store(plural: 'flowschemas' | 'prioritylevelconfigurations'): ResourceStore {
    return this.registry.storeFor(findResource('flowcontrol.apiserver.k8s.io', 'v1', plural)!);
  }

  private objects(plural: 'flowschemas' | 'prioritylevelconfigurations'): KubeObject[] {
    const store = this.store(plural);
    return store.cache.list(store.keyPrefix()).map((o) => o.obj);
  }

  /** Follows both kinds once their caches hold what etcd holds, and brings every schema's status up to date. */
  async start(): Promise<void> {
    await Promise.all([this.store('flowschemas').cache.ready, this.store('prioritylevelconfigurations').cache.ready]);
    for (const plural of ['flowschemas', 'prioritylevelconfigurations'] as const) this.follow(plural);
    this.checkAll();
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.subscriptions) s.cancel();
  }

  private follow(plural: 'flowschemas' | 'prioritylevelconfigurations'): void {
    if (this.stopped) return;
    const cache = this.store(plural).cache;
    try {
      const sub = cache.subscribe(cache.revision, (ev) => {
        this.config = undefined;
        // A schema's own change, or any level's (which may leave schemas dangling or not).
        if (plural === 'flowschemas') this.check(ev.object.obj.metadata.name!);
        else this.checkAll();
      });
      sub.onClose(() => setTimeout(() => this.follow(plural), 100).unref());
      this.subscriptions.push(sub);
    } catch {
      setTimeout(() => this.follow(plural), 100).unref();
    }
    this.config = undefined;
  }

  private current(): Config {
    if (!this.config) {
      const levels = new Map(this.objects('prioritylevelconfigurations').map((l) => [l.metadata.name!, l]));
      this.config = { ordered: matchingOrder(this.objects('flowschemas')), levels };
    }
    return this.config;
  }

  /** The schema and priority level of a request (see classifier.ts). */
  classify(user: UserInfo, attrs: RequestAttributes): Classification | undefined {
    const { ordered, levels } = this.current();
    return classify(ordered, levels, user, attrs);
  }

  /** The seats and queues of a Limited level (undefined: the level is exempt, or gone). */
  limitsOf(level: string): LevelLimits | undefined {
    const config = this.current();
    config.limits ??= levelLimits(config.levels.values(), this.serverLimit);
    return config.limits.get(level);
  }

  /** Nominal seats by priority level, for the metrics. */
  seats(): Map<string, number> {
    return nominalSeats(this.current().levels.values(), this.serverLimit);
  }

  private checkAll(): void {
    for (const s of this.objects('flowschemas')) this.check(s.metadata.name!);
  }

  private check(name: string): void {
    this.pending.add(name);
    this.running ??= (async () => {
      while (this.pending.size && !this.stopped) {
        const next = this.pending.values().next().value as string;
        this.pending.delete(next);
        try {
          await this.writeDangling(next);
        } catch (err) {
          this.log.warn({ flowSchema: next, err: (err as Error).message }, 'flow schema status not written; retrying');
          setTimeout(() => this.check(next), 1000).unref();
        }
      }
      this.running = undefined;
    })();
  }

  private async writeDangling(name: string): Promise<void> {
    const store = this.store('flowschemas');
    const schema = store.getCached(undefined, name)?.obj;
    if (!schema || schema.metadata.deletionTimestamp) return;
    const level = String(schema.spec?.priorityLevelConfiguration?.name ?? '');
    const wanted = danglingCondition(level, this.current().levels.has(level));
    const conditions = (schema.status?.conditions ?? []) as Condition[];
    const present = conditions.find((c) => c.type === 'Dangling');
    if (present && deepEqual({ ...present, lastTransitionTime: undefined }, { ...wanted, lastTransitionTime: undefined })) return;
    try {
      await store.update(undefined, name, {
        dryRun: false,
        subresource: 'status',
        mutate: (current) => ({ ...current, status: { ...(current.status ?? {}), conditions: setCondition((current.status?.conditions ?? []) as Condition[], wanted, rfc3339()) } }),
      });
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }
}

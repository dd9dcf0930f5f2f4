// The apiserver's view of API Priority and Fairness' configuration, as Kubernetes' apiserver
// keeps it: the FlowSchemas in matching order and the PriorityLevelConfigurations by name, read
// from this server's own watch caches and made again only when one of them changes; each
// schema's Dangling condition (whether its priority level exists) written to its status; and
// each priority level's limits for the dispatcher: its nominal share of the server's seats and
// what it may lend and borrow. Every apiserver runs its own copy; the status writes agree.
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
  /** Each level's seats and queuing, made when first asked for. */
  limits?: Map<string, LevelLimits>;
}

/** Go's math.Round: halves away from zero. */
function goRound(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/**
 * What the dispatcher needs of every priority level, as Kubernetes derives it: its nominal seats
 * (its nominalConcurrencyShares' share of `serverLimit`, rounded up), the seats it may lend
 * (lendablePercent of those) and borrow (borrowingLimitPercent of them; up to the server's
 * whole limit when unset), and its queues if it queues.
 */
export function levelLimits(levels: Iterable<KubeObject>, serverLimit: number): Map<string, LevelLimits> {
  const all = [...levels];
  const seats = nominalSeats(all, serverLimit);
  const out = new Map<string, LevelLimits>();
  const percent = (v: unknown) => (typeof v === 'number' && v >= 0 ? v : undefined);
  for (const l of all) {
    const nominal = seats.get(l.metadata.name!);
    if (nominal === undefined) continue;
    const exempt = l.spec?.type === 'Exempt';
    const config = exempt ? l.spec?.exempt : l.spec?.limited;
    const lendable = goRound((nominal * (percent(config?.lendablePercent) ?? 0)) / 100);
    const limit = exempt ? undefined : percent(config?.borrowingLimitPercent);
    const borrowing = limit === undefined ? serverLimit : goRound((nominal * limit) / 100);
    const response = l.spec?.limited?.limitResponse;
    const q = !exempt && response?.type === 'Queue' ? response.queuing ?? {} : undefined;
    const positive = (v: unknown, fallback: number) => (typeof v === 'number' && v > 0 ? Math.floor(v) : fallback);
    out.set(l.metadata.name!, {
      ...(exempt ? { exempt: true } : {}),
      nominal,
      lendable,
      borrowing,
      ...(q ? { queuing: { queues: positive(q.queues, QUEUING_DEFAULTS.queues), handSize: positive(q.handSize, QUEUING_DEFAULTS.handSize), queueLengthLimit: positive(q.queueLengthLimit, QUEUING_DEFAULTS.queueLengthLimit) } } : {}),
    });
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
 * Each priority level's nominal concurrency (seats): its nominalConcurrencyShares' share of
 * the server's concurrency limit, rounded up, as Kubernetes computes it. Exempt levels take
 * part with their own shares (zero unless configured).
 */
export function nominalSeats(levels: Iterable<KubeObject>, serverLimit: number): Map<string, number> {
  const known = [...levels].filter((l) => l.spec?.type === 'Limited' || l.spec?.type === 'Exempt');
  const shares = (l: KubeObject) => {
    const n = l.spec?.type === 'Exempt' ? l.spec?.exempt?.nominalConcurrencyShares ?? 0 : l.spec?.limited?.nominalConcurrencyShares;
    return typeof n === 'number' && n >= 0 ? n : 30;
  };
  const total = known.reduce((sum, l) => sum + shares(l), 0);
  return new Map(known.map((l) => [l.metadata.name!, total > 0 ? Math.ceil((serverLimit * shares(l)) / total) : 0]));
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

  /** Every priority level's seats and queues; the same map until the configuration changes. */
  limits(): Map<string, LevelLimits> {
    const config = this.current();
    config.limits ??= levelLimits(config.levels.values(), this.serverLimit);
    return config.limits;
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

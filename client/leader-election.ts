// Leader election on a coordination.k8s.io Lease, with Kubernetes' timings (lease 15 s,
// renew deadline 10 s, retry 2 s). Expiry is judged by when this process last saw the lease
// change, not by the holder's clock, so clock skew between machines does not matter.
import type { Logger } from 'pino';
import { StatusError } from '../api/status.js';
import { microTime } from '../api/time.js';
import type { KubeObject } from '../api/types/meta.js';
import { resource } from './rest.js';
import type { ApiClient } from './api-client.js';
import { sleep } from './sleep.js';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

const leases = resource('coordination.k8s.io/v1/leases');

export class LeaderElector {
  private observedRecord = '';
  private observedAt = 0;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  isLeader = false;

  constructor(
    private readonly client: ApiClient,
    private readonly opts: LeaderElectionOptions,
    private readonly log?: Logger,
  ) {
    this.leaseMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryMs = opts.retryPeriodMs ?? 2_000;
  }

  /** One attempt to take or keep the lease; true if this process holds it afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    let lease: KubeObject | undefined;
    try {
      lease = await this.client.get(leases, this.opts.namespace, this.opts.name);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
    const spec = {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: Math.round(this.leaseMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    if (!lease) {
      try {
        await this.client.create(leases, this.opts.namespace, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.opts.name, namespace: this.opts.namespace }, spec });
        this.observe(JSON.stringify(spec));
        return true;
      } catch (err) {
        if (err instanceof StatusError && err.code === 409) return false;
        throw err;
      }
    }
    const record = JSON.stringify(lease.spec ?? {});
    if (record !== this.observedRecord) this.observe(record);
    const holder = lease.spec?.holderIdentity ?? '';
    const held = holder !== '' && holder !== this.opts.identity && Date.now() < this.observedAt + this.leaseMs;
    if (held) return false;
    const mine = holder === this.opts.identity;
    lease.spec = {
      ...lease.spec,
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: spec.leaseDurationSeconds,
      renewTime: spec.renewTime,
      acquireTime: mine ? lease.spec?.acquireTime : spec.acquireTime,
      leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + (mine ? 0 : 1),
    };
    try {
      const updated = await this.client.update(leases, lease);
      this.observe(JSON.stringify(updated.spec));
      return true;
    } catch (err) {
      if (err instanceof StatusError && err.code === 409) return false;
      throw err;
    }
  }

  private observe(record: string): void {
    this.observedRecord = record;
    this.observedAt = Date.now();
  }

  /**
   * Waits to become leader, runs `lead` with a signal that aborts when leadership is lost or
   * `stop` aborts, and returns when either happens (releasing the lease on a clean stop).
   */
  async run(stop: AbortSignal, lead: (signal: AbortSignal) => void | Promise<void>): Promise<void> {
    while (!stop.aborted) {
      const acquired = await this.tryAcquireOrRenew().catch((err) => {
        this.log?.warn({ err: (err as Error).message }, 'leader election attempt failed');
        return false;
      });
      if (acquired) break;
      await sleep(this.retryMs, stop);
    }
    if (stop.aborted) return;
    this.isLeader = true;
    this.log?.info({ lease: `${this.opts.namespace}/${this.opts.name}`, identity: this.opts.identity }, 'became leader');
    const leading = new AbortController();
    stop.addEventListener('abort', () => leading.abort(), { once: true });
    const work = Promise.resolve(lead(leading.signal));
    let lastRenew = Date.now();
    while (!leading.signal.aborted) {
      await sleep(this.retryMs, leading.signal);
      if (leading.signal.aborted) break;
      const renewed = await this.tryAcquireOrRenew().catch(() => false);
      if (renewed) lastRenew = Date.now();
      else if (Date.now() - lastRenew > this.renewDeadlineMs) {
        this.log?.error('lost the leader lease');
        leading.abort();
      }
    }
    this.isLeader = false;
    await work.catch(() => undefined);
    if (stop.aborted) await this.release().catch(() => undefined);
  }

  /** Gives the lease up so another candidate can take over at once. */
  async release(): Promise<void> {
    const lease = await this.client.get(leases, this.opts.namespace, this.opts.name);
    if (lease.spec?.holderIdentity !== this.opts.identity) return;
    lease.spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime() };
    await this.client.update(leases, lease);
  }
}

/** The leader-election flags every controller-like component takes, as Kubernetes names them. */
export interface LeaderElectionFlags {
  'leader-elect': boolean;
  'leader-elect-lease-duration'?: number;
  'leader-elect-renew-deadline'?: number;
  'leader-elect-retry-period'?: number;
}

/**
 * Runs `work` while holding the lease named `lease` (kube-system), or straight away without
 * leader election. Leadership lost without a stop request sets exit code 1, so a restart
 * competes again, as Kubernetes' components do.
 */
export async function runLeading(
  client: ApiClient,
  flags: LeaderElectionFlags,
  lease: { name: string; identity: string },
  stop: AbortSignal,
  work: (signal: AbortSignal) => Promise<void>,
  log?: Logger,
  /** Kept current for the component's /metrics (leader_election_master_status). */
  status?: LeaderStatus,
): Promise<void> {
  if (!flags['leader-elect']) return work(stop);
  const elector = new LeaderElector(
    client,
    {
      namespace: 'kube-system',
      name: lease.name,
      identity: lease.identity,
      leaseDurationMs: flags['leader-elect-lease-duration'],
      renewDeadlineMs: flags['leader-elect-renew-deadline'],
      retryPeriodMs: flags['leader-elect-retry-period'],
    },
    log,
  );
  if (status) status.elector = elector;
  await elector.run(stop, work);
  if (!stop.aborted) process.exitCode = 1;
}

/** Who leads, for /metrics: Kubernetes' leader_election_master_status gauge. */
export class LeaderStatus {
  elector?: LeaderElector;

  constructor(readonly name: string) {}

  /** The gauge's line; none without leader election (as Kubernetes, which then has no such metric). */
  metrics(): string[] {
    return this.elector ? [`leader_election_master_status{name="${this.name}"} ${this.elector.isLeader ? 1 : 0}`] : [];
  }
}

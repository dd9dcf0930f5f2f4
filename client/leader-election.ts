// Leader election on a coordination.k8s.io Lease, with Kubernetes' timings (lease 15 s,
// renew deadline 10 s, retry 2 s). Expiry is judged by when this process last saw the lease
// change, not by the holder's clock, so clock skew between machines does not matter.
import type { Logger } from 'pino';
import { StatusError } from '../api/status.js';
import { microTime } from '../api/time.js';
import type { KubeObject } from '../api/types/meta.js';
import { FencedClient } from './fenced-client.js';
import { resource, RestClient, type ClientConfig } from './rest.js';
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
/** How soon to ask again when the apiserver did not answer at all. */
const UNREACHABLE_RETRY_MS = 200;

export class LeaderElector {
  private observedRecord = '';
  private observedAt = 0;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private lastRenewAt = 0;
  private lastObservedHolder = '';
  private writtenLease: KubeObject | undefined;
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
    // A leader renews in one request, the Lease as it last wrote it (client-go's fast path);
    // if that fails (someone else wrote it: a conflict), it reads the Lease and decides anew.
    const written = this.writtenLease;
    if (this.isLeader && written && Date.now() < this.observedAt + this.leaseMs) {
      try {
        const updated = await this.client.update(leases, { ...written, spec: { ...written.spec, renewTime: microTime(now) } });
        this.wrote(updated);
        return true;
      } catch (err) {
        this.log?.warn({ err: (err as Error).message }, 'could not renew the leader lease as last written; reading it');
      }
    }
    this.writtenLease = undefined;
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
        this.wrote(await this.client.create(leases, this.opts.namespace, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.opts.name, namespace: this.opts.namespace }, spec }));
        return true;
      } catch (err) {
        if (err instanceof StatusError && err.code === 409) return false;
        throw err;
      }
    }
    const record = JSON.stringify(lease.spec ?? {});
    if (record !== this.observedRecord) this.observe(record);
    const holder = lease.spec?.holderIdentity ?? '';
    this.lastObservedHolder = holder;
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
      this.wrote(await this.client.update(leases, lease));
      return true;
    } catch (err) {
      if (err instanceof StatusError && err.code === 409) return false;
      throw err;
    }
  }

  /** The Lease as this process last wrote it (the server's answer, with its resourceVersion). */
  private wrote(lease: KubeObject): void {
    this.writtenLease = lease;
    this.lastObservedHolder = this.opts.identity;
    this.observe(JSON.stringify(lease.spec));
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
    let acquiredAt = 0;
    while (!stop.aborted) {
      acquiredAt = Date.now();
      let unreachable = false;
      const acquired = await this.tryAcquireOrRenew().catch((err) => {
        this.log?.warn({ err: (err as Error).message }, 'leader election attempt failed');
        unreachable = !(err instanceof StatusError);
        return false;
      });
      if (acquired) break;
      // No answer at all (the apiserver still starting, as when a whole cluster starts at once):
      // ask again soon rather than a whole retry period later; an answer means wait the period.
      await sleep(unreachable ? Math.min(this.retryMs, UNREACHABLE_RETRY_MS) : this.retryMs, stop);
    }
    if (stop.aborted) return;
    this.lastRenewAt = acquiredAt;
    this.isLeader = true;
    this.log?.info({ lease: `${this.opts.namespace}/${this.opts.name}`, identity: this.opts.identity }, 'became leader');
    const leading = new AbortController();
    stop.addEventListener('abort', () => leading.abort(), { once: true });
    // The renew deadline is kept by a timer, not by the renew loop: a renewal can hang (a hung
    // apiserver) far longer than the deadline, and leadership must end on time regardless.
    let deadline: NodeJS.Timeout | undefined;
    const armDeadline = () => {
      clearTimeout(deadline);
      deadline = setTimeout(() => {
        this.log?.error({ lease: `${this.opts.namespace}/${this.opts.name}`, sinceRenewalMs: Date.now() - this.lastRenewAt }, 'lost the leader lease: not renewed within the renew deadline');
        leading.abort();
      }, Math.max(0, this.lastRenewAt + this.renewDeadlineMs - Date.now()));
    };
    armDeadline();
    const work = Promise.resolve(lead(leading.signal));
    /** The last renewal attempt: a clean stop lets it settle before releasing, or the two writes race. */
    let renewal: Promise<boolean> = Promise.resolve(true);
    // After a failed renewal the next comes sooner: within the deadline there is time for
    // several tries, each (with a timed client) on a new connection, maybe a healthy apiserver.
    let pause = this.retryMs;
    while (!leading.signal.aborted) {
      await sleep(pause, leading.signal);
      if (leading.signal.aborted) break;
      const attempt = Date.now();
      renewal = this.tryAcquireOrRenew().catch((err) => {
        // Each failure is worth a line: a lease lost after several of them says why in the log.
        if (!leading.signal.aborted) this.log?.warn({ err: (err as Error).message, sinceRenewalMs: Date.now() - this.lastRenewAt }, 'could not renew the leader lease');
        return false;
      });
      const renewed = await untilAborted(renewal, leading.signal, false);
      pause = renewed ? this.retryMs : Math.max(100, this.retryMs / 4);
      if (renewed && !leading.signal.aborted) {
        this.lastRenewAt = attempt;
        armDeadline();
      } else if (!renewed && !leading.signal.aborted && this.lastObservedHolder !== '' && this.lastObservedHolder !== this.opts.identity) {
        // Someone else holds the Lease now (it expired under us): stop at once.
        this.log?.error({ holder: this.lastObservedHolder }, 'lost the leader lease to another holder');
        leading.abort();
      }
    }
    clearTimeout(deadline);
    this.isLeader = false;
    await work.catch(() => undefined);
    if (stop.aborted) {
      await renewal;
      await this.release().catch((err) => this.log?.warn({ err: (err as Error).message }, 'could not release the leader lease'));
    }
  }

  /**
   * True while this process leads and its last renewal is younger than the renew deadline: the
   * check a leader's writes pass before going out (FencedClient), so none leaves after the
   * point where another candidate could be about to take over.
   */
  holdsLease(): boolean {
    return this.isLeader && Date.now() - this.lastRenewAt < this.renewDeadlineMs;
  }

  /** Gives the lease up so another candidate can take over at once. */
  async release(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const lease = await this.client.get(leases, this.opts.namespace, this.opts.name);
      if (lease.spec?.holderIdentity !== this.opts.identity) return;
      lease.spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime() };
      try {
        await this.client.update(leases, lease);
        return;
      } catch (err) {
        // A write of ours landed in between (a renewal): read again and give it up then.
        if (!(err instanceof StatusError && err.code === 409) || attempt >= 2) throw err;
      }
    }
  }
}

/** `work`'s result, or `fallback` as soon as `signal` aborts (the work is left to finish unobserved). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, fallback: T): Promise<T> {
  if (signal.aborted) return Promise.resolve(fallback);
  return new Promise<T>((resolve) => {
    const onAbort = () => resolve(fallback);
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve(fallback);
      },
    );
  });
}

/**
 * The client leader election renews through, its own as in Kubernetes' components. Each request
 * gives up after half the renew deadline (at least a second), client-go's rule: a renewal stuck
 * on a hung apiserver is abandoned (its connection dropped) with time left for another try,
 * which may reach another apiserver behind a balancer, while a slow one (etcd syncing under
 * load) still has seconds to answer.
 */
export function leaderElectionClient(config: ClientConfig, flags: LeaderElectionFlags): RestClient {
  const timeoutMs = Math.max(1_000, (flags['leader-elect-renew-deadline'] ?? 10_000) / 2);
  return new RestClient({ ...config, userAgent: `${config.userAgent ?? 'kubette'}/leader-election`, connections: 2, timeoutMs });
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
  /** Where the apiserver is and who this is: leader election makes its own client from it. */
  clientConfig: ClientConfig,
  flags: LeaderElectionFlags,
  /** The Lease (in kube-system unless `namespace` says otherwise) and this candidate's identity. */
  lease: { name: string; identity: string; namespace?: string },
  stop: AbortSignal,
  work: (signal: AbortSignal) => Promise<void>,
  log?: Logger,
  /** Kept current for the component's /metrics (leader_election_master_status). */
  status?: LeaderStatus,
): Promise<void> {
  if (!flags['leader-elect']) return work(stop);
  const client = leaderElectionClient(clientConfig, flags);
  const elector = new LeaderElector(
    client,
    {
      namespace: lease.namespace ?? 'kube-system',
      name: lease.name,
      identity: lease.identity,
      leaseDurationMs: flags['leader-elect-lease-duration'],
      renewDeadlineMs: flags['leader-elect-renew-deadline'],
      retryPeriodMs: flags['leader-elect-retry-period'],
    },
    log,
  );
  if (status) status.elector = elector;
  try {
    await elector.run(stop, work);
  } finally {
    client.destroy();
  }
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

  /**
   * Why the leader is unwell, for the component's leaderElection health check: it leads but has
   * not renewed its Lease within the renew deadline. Candidates and followers are well.
   */
  renewalProblem(): string | undefined {
    const e = this.elector;
    return e?.isLeader && !e.holdsLease() ? `failed election to renew leadership on lease ${this.name}` : undefined;
  }

  /**
   * The client the component's work writes through: with leader election, every write first
   * checks that this process still holds the Lease within its renew deadline.
   */
  fence(client: ApiClient, leaderElect: boolean): ApiClient {
    if (!leaderElect) return client;
    return new FencedClient(client, () => this.elector?.holdsLease() ?? false, `${this.name} does not hold its leader Lease (kube-system/${this.name}) within the renew deadline`);
  }
}

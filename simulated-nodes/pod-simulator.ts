// The pods bound to simulated nodes, moved along as a kubelet would move them: after the start
// latency, Running and Ready with an address; pods that may finish, Succeeded (or Failed, at
// the failure rate) after their run time; pods being deleted, removed at once (their
// containers stop instantly), with the uid as precondition so a successor is never touched.
// One watch on every bound pod serves all the simulated nodes.
import type { Logger } from 'pino';
import { rfc3339 } from '../api/time.js';
import { podStatusPatch } from '../api/kubelet-patches.js';
import type { Pod } from '../api/types/pod.js';
import { StatusError } from '../api/status.js';
import type { ApiClient } from '../client/api-client.js';
import { Informer, objectKey } from '../client/informer.js';
import { resource } from '../client/rest.js';
import { WorkQueue } from '../client/workqueue.js';
import { PodAddresses } from './addresses.js';
import type { Limiter } from './limiter.js';
import type { NodeFleet } from './node-fleet.js';
import { finishedStatus, runMillis, runningStatus } from './pod-lifecycle.js';

const pods = resource('v1/pods');

export interface PodSimulationOptions {
  startLatencyMs: number;
  /** Run time of pods that may finish (restartPolicy Never/OnFailure) without the annotation. */
  runMs: number;
  /** The share of finishing pods that exit 1 instead of 0. */
  failureRate: number;
  workers: number;
  /** For tests: the dice (default Math.random). */
  random?: () => number;
}

export class PodSimulator {
  readonly informer: Informer<Pod>;
  private readonly queue = new WorkQueue<string>({ baseDelayMs: 200, maxDelayMs: 30_000 });
  private readonly addresses = new Map<string, PodAddresses>();
  /** When each pod was first seen bound here, and when it was reported running. */
  private readonly seenAt = new Map<string, number>();
  private readonly runningAt = new Map<string, number>();
  started = 0;
  finished = 0;
  deleted = 0;
  errors = 0;

  constructor(
    private readonly client: ApiClient,
    private readonly fleet: NodeFleet,
    private readonly opts: PodSimulationOptions,
    private readonly limiter: Limiter,
    private readonly log: Logger,
  ) {
    this.informer = new Informer<Pod>(client, pods, { fieldSelector: 'spec.nodeName!=' }, log.child({ informer: 'pods' }));
    this.informer.addHandler({
      add: (p) => this.onPod(p),
      update: (_old, p) => this.onPod(p),
      delete: (p) => this.forget(p),
    });
  }

  private addressesOf(node: string): PodAddresses {
    let a = this.addresses.get(node);
    if (!a) this.addresses.set(node, (a = new PodAddresses(this.fleet.index.get(node)!)));
    return a;
  }

  private onPod(p: Pod): void {
    if (!this.fleet.owns(p.spec.nodeName)) return;
    const key = objectKey(p);
    if (!this.seenAt.has(key)) {
      this.seenAt.set(key, Date.now());
      // Pods that already run (the simulator restarted) keep their addresses.
      if (p.status?.podIP) this.addressesOf(p.spec.nodeName!).adopt(p.metadata.uid!, p.status.podIP);
    }
    this.queue.add(key);
  }

  private forget(p: Pod): void {
    const key = objectKey(p);
    this.seenAt.delete(key);
    this.runningAt.delete(key);
    if (this.fleet.owns(p.spec.nodeName)) this.addressesOf(p.spec.nodeName!).release(p.metadata.uid!);
  }

  /** Where `key` stands, and what to do about it now; returns a delay to look again after, if any. */
  private async sync(key: string): Promise<number | undefined> {
    const pod = this.informer.get(key);
    if (!pod || !this.fleet.owns(pod.spec.nodeName)) return undefined;
    const node = pod.spec.nodeName!;
    if (pod.metadata.deletionTimestamp) {
      try {
        await this.client.delete(pods, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
        this.deleted++;
      } catch (err) {
        if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
      }
      return undefined;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      this.addressesOf(node).release(pod.metadata.uid!);
      return undefined;
    }
    const now = Date.now();
    if (phase !== 'Running') {
      const due = (this.seenAt.get(key) ?? now) + this.opts.startLatencyMs;
      if (now < due) return due - now;
      const podIP = this.addressesOf(node).assign(pod.metadata.uid!);
      await this.client.patch(pods, pod.metadata.namespace, pod.metadata.name!, { status: podStatusPatch(runningStatus(pod, { hostIP: this.fleet.hostIP(node), podIP }, rfc3339())) }, 'strategic', 'status');
      this.runningAt.set(key, Date.now());
      this.started++;
      return runMillis(pod, this.opts.runMs);
    }
    const runFor = runMillis(pod, this.opts.runMs);
    if (runFor === undefined) return undefined;
    // After a restart of the simulator, the pod's start time stands in for when it began.
    const reported = Date.parse(pod.status?.startTime ?? '');
    const since = this.runningAt.get(key) ?? (Number.isNaN(reported) ? now : reported);
    if (now < since + runFor) return since + runFor - now;
    const exitCode = (this.opts.random ?? Math.random)() < this.opts.failureRate ? 1 : 0;
    if (exitCode !== 0 && pod.spec.restartPolicy === 'OnFailure') {
      // The kubelet would start the container again in the same pod.
      const restarts = (pod.status?.containerStatuses?.[0]?.restartCount ?? 0) + 1;
      const podIP = this.addressesOf(node).assign(pod.metadata.uid!);
      await this.client.patch(pods, pod.metadata.namespace, pod.metadata.name!, { status: podStatusPatch(runningStatus(pod, { hostIP: this.fleet.hostIP(node), podIP }, rfc3339(), restarts)) }, 'strategic', 'status');
      this.runningAt.set(key, Date.now());
      return runFor;
    }
    await this.client.patch(pods, pod.metadata.namespace, pod.metadata.name!, { status: podStatusPatch(finishedStatus(pod, exitCode, rfc3339())) }, 'strategic', 'status');
    this.finished++;
    this.addressesOf(node).release(pod.metadata.uid!);
    return undefined;
  }

  async run(signal: AbortSignal): Promise<void> {
    const informing = this.informer.run(signal);
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    const worker = async () => {
      for (;;) {
        const key = await this.queue.get();
        if (key === undefined) return;
        try {
          const again = await this.limiter.run(() => this.sync(key));
          this.queue.forget(key);
          if (again !== undefined) this.queue.addAfter(key, again);
        } catch (err) {
          this.errors++;
          this.log.warn({ pod: key, err: (err as Error).message }, 'could not move simulated pod along');
          this.queue.addRateLimited(key);
        } finally {
          this.queue.done(key);
        }
      }
    };
    await Promise.all([informing, ...Array.from({ length: this.opts.workers }, worker)]);
  }

  runningPods(): number {
    let n = 0;
    for (const a of this.addresses.values()) n += a.size;
    return n;
  }
}

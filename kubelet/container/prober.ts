// Liveness, readiness and startup probes: one loop per probe per running container, with the
// thresholds, delays and timeouts of the probe spec. Results are kept by container id; a change
// that matters (ready flips, started, a liveness/startup failure) asks for the pod to be synced.
import type { Container, Pod, Probe } from '../../api/types/pod.js';
import type { EventRecorder } from '../../client/events.js';
import { sleep } from '../../client/sleep.js';
import { runHandler, type HandlerResult } from './handlers.js';
import type { ContainerRuntime } from '../runtime/runtime.js';

type ProbeKind = 'liveness' | 'readiness' | 'startup';
const TITLE: Record<ProbeKind, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

export interface ProbeTarget {
  id: string;
  container: Container;
  fieldPath: string;
}

export class Prober {
  readonly ready = new Map<string, boolean>();
  readonly started = new Map<string, boolean>();
  readonly failures = new Map<string, string>();
  private readonly loops = new Map<string, AbortController>();

  /** Listeners for one pod's readiness changes (a pod being terminated reports them itself). */
  private readonly readinessWatchers = new Map<string, () => void>();

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly recorder: EventRecorder,
    private readonly onChange: (podUid: string) => void,
  ) {}

  /** Calls `fn` whenever a readiness result of the pod flips, until the returned function is called. */
  watchReadiness(uid: string, fn: () => void): () => void {
    this.readinessWatchers.set(uid, fn);
    return () => {
      if (this.readinessWatchers.get(uid) === fn) this.readinessWatchers.delete(uid);
    };
  }

  /** Runs probes for exactly these running containers of the pod; stops the rest of its loops. */
  reconcile(pod: Pod, running: ProbeTarget[], podIP: string | undefined): void {
    const uid = pod.metadata.uid!;
    const wanted = new Set<string>();
    for (const t of running) {
      const kinds: Array<[ProbeKind, Probe | undefined]> = [
        ['startup', t.container.startupProbe],
        ['liveness', t.container.livenessProbe],
        ['readiness', t.container.readinessProbe],
      ];
      for (const [kind, probe] of kinds) {
        if (!probe) continue;
        const key = `${uid}/${t.id}/${kind}`;
        wanted.add(key);
        if (this.loops.has(key)) continue;
        const stop = new AbortController();
        this.loops.set(key, stop);
        if (kind === 'readiness' && !this.ready.has(t.id)) this.ready.set(t.id, false);
        if (kind === 'startup' && !this.started.has(t.id)) this.started.set(t.id, false);
        void this.loop(pod, t, kind, probe, podIP, stop.signal);
      }
    }
    for (const [key, stop] of this.loops) {
      if (key.startsWith(`${uid}/`) && !wanted.has(key)) {
        stop.abort();
        this.loops.delete(key);
      }
    }
    this.forgetMissing(uid, new Set(running.map((t) => t.id)));
  }

  stopPod(uid: string): void {
    for (const [key, stop] of this.loops) {
      if (key.startsWith(`${uid}/`)) {
        stop.abort();
        this.loops.delete(key);
      }
    }
  }

  private readonly idsByPod = new Map<string, Set<string>>();

  private forgetMissing(uid: string, ids: Set<string>): void {
    for (const id of this.idsByPod.get(uid) ?? []) {
      if (ids.has(id)) continue;
      this.ready.delete(id);
      this.started.delete(id);
      this.failures.delete(id);
    }
    this.idsByPod.set(uid, ids);
  }

  private async loop(pod: Pod, t: ProbeTarget, kind: ProbeKind, probe: Probe, podIP: string | undefined, signal: AbortSignal): Promise<void> {
    const uid = pod.metadata.uid!;
    const period = Math.max(1, probe.periodSeconds ?? 10) * 1000;
    const successThreshold = Math.max(1, probe.successThreshold ?? 1);
    const failureThreshold = Math.max(1, probe.failureThreshold ?? 3);
    await sleep((probe.initialDelaySeconds ?? 0) * 1000, signal);
    let successes = 0;
    let failures = 0;
    while (!signal.aborted) {
      // Liveness and readiness wait until a startup probe has succeeded.
      if (kind !== 'startup' && t.container.startupProbe && !this.started.get(t.id)) {
        await sleep(Math.min(period, 1000), signal);
        continue;
      }
      const result = await this.probeOnce(t, probe, podIP);
      if (signal.aborted) return;
      if (result.ok) {
        successes++;
        failures = 0;
        if (result.warning) this.recorder.event(pod, 'Warning', 'ProbeWarning', `${TITLE[kind]} probe warning: ${result.warning}`, t.fieldPath);
      } else {
        failures++;
        successes = 0;
        this.recorder.event(pod, 'Warning', 'Unhealthy', `${TITLE[kind]} probe failed: ${result.message}`, t.fieldPath);
      }
      if (kind === 'readiness') {
        const before = this.ready.get(t.id);
        if (successes >= successThreshold) this.ready.set(t.id, true);
        if (failures >= failureThreshold) this.ready.set(t.id, false);
        if (before !== this.ready.get(t.id)) {
          this.onChange(uid);
          this.readinessWatchers.get(uid)?.();
        }
      } else if (kind === 'startup') {
        if (result.ok) {
          this.started.set(t.id, true);
          this.onChange(uid);
          return; // a startup probe's work ends with its first success
        }
        if (failures >= failureThreshold) {
          this.failures.set(t.id, 'failed startup probe');
          this.onChange(uid);
          return;
        }
      } else if (failures >= failureThreshold) {
        this.failures.set(t.id, 'failed liveness probe');
        this.onChange(uid);
        return;
      }
      await sleep(period, signal);
    }
  }

  private probeOnce(t: ProbeTarget, probe: Probe, podIP: string | undefined): Promise<HandlerResult> {
    return runHandler(this.runtime, probe, { id: t.id, container: t.container, podIP }, Math.max(1, probe.timeoutSeconds ?? 1) * 1000);
  }
}

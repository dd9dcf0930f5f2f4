// The pod planner: given a pod's spec and the containers the runtime has for it, decide what to
// kill, create and start. Pure (no I/O, time passed in), so every case is a table test; the pod
// worker carries the plan out. Follows the kubelet's rules: a pod runs in a sandbox; init
// containers run one at a time, in order, each to success (a sidecar, restartPolicy Always, to its
// start, and is then kept running beside the rest); then the app containers start; exits
// are restarted by restartPolicy with crash-loop back-off; a changed spec or a failed liveness
// probe replaces a container; ephemeral containers start once; a pod whose containers have all
// finished for good is terminal.
import type { Container, EphemeralContainer, Pod } from '../../api/types/pod.js';
import { byAttemptDesc, containerHash, type ObservedContainer } from './observed.js';
import { isPodFinished } from '../../api/conditions.js';
import { isSidecar } from '../../api/pod-resources.js';

export interface PlanInput {
  pod: Pod;
  /** Every container the runtime has for this pod on this node, sandboxes included. */
  containers: ObservedContainer[];
  /** The crash-loop window (ms) `name` is still inside after exiting at `finishedAt`, or 0. */
  restartBackoff(name: string, finishedAt: number): number;
  /** Container ids a liveness or startup probe has failed for, with the reason. */
  probeFailures: ReadonlyMap<string, string>;
  /** Startup probe results by container id (only containers with a startup probe appear). */
  started: ReadonlyMap<string, boolean>;
}

export interface StartAction {
  container: Container | EphemeralContainer;
  kind: 'init' | 'app' | 'ephemeral';
  attempt: number;
}

export interface KillAction {
  id: string;
  name: string;
  message: string;
  /** The grace period a failed probe sets for its kill (its terminationGracePeriodSeconds), instead of the pod's. */
  graceSeconds?: number;
}

/** The grace period of a kill for a failed liveness or startup probe, when the probe sets one. */
function probeGrace(c: Container, failure: string | undefined): number | undefined {
  const probe = failure?.includes('liveness') ? c.livenessProbe : failure?.includes('startup') ? c.startupProbe : undefined;
  return typeof probe?.terminationGracePeriodSeconds === 'number' ? probe.terminationGracePeriodSeconds : undefined;
}

export interface PodActions {
  /** Stop every running container of the pod, the sandbox last. */
  killPod: boolean;
  /** The pod has finished for good (Succeeded or Failed): nothing will be started again. */
  terminal: boolean;
  createSandbox?: { attempt: number };
  kill: KillAction[];
  start: StartAction[];
  /** Exited containers and sandboxes no longer needed (older than the previous attempt). */
  remove: string[];
  /** Containers held back, and why (crash-loop back-off). */
  waiting: Record<string, { reason: string; message: string }>;
}

/** Go's time.Duration format for whole seconds, as Kubernetes prints back-off windows ("40s", "2m40s"). */
export function goSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}

function finishedMs(c: ObservedContainer): number {
  return c.finishedAt ? Date.parse(c.finishedAt) : 0;
}

/** A container whose start failed stays "created": it counts as a failed run. */
export function hasExited(c: ObservedContainer): boolean {
  return c.state === 'exited' || c.state === 'unknown' || c.state === 'created';
}

export function exitCodeOf(c: ObservedContainer): number {
  return c.state === 'created' ? 128 : c.exitCode;
}

function newestByName(containers: ObservedContainer[]): Map<string, ObservedContainer[]> {
  const out = new Map<string, ObservedContainer[]>();
  for (const c of containers) {
    const key = `${c.kind}/${c.name}`;
    (out.get(key) ?? out.set(key, []).get(key)!).push(c);
  }
  for (const list of out.values()) list.sort(byAttemptDesc);
  return out;
}

export function computePodActions(input: PlanInput): PodActions {
  const { pod, containers } = input;
  const spec = pod.spec;
  const policy = spec.restartPolicy ?? 'Always';
  const podRef = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
  const actions: PodActions = { killPod: false, terminal: false, kill: [], start: [], remove: [], waiting: {} };

  const groups = newestByName(containers);
  const sandboxes = groups.get('sandbox/POD') ?? [];
  const sandbox = sandboxes[0];
  for (const old of sandboxes.slice(1)) if (old.state !== 'running') actions.remove.push(old.id);
  for (const [key, list] of groups) {
    if (key === 'sandbox/POD') continue;
    for (const old of list.slice(2)) if (old.state !== 'running') actions.remove.push(old.id);
  }
  const newest = (kind: 'init' | 'app' | 'ephemeral', name: string) => groups.get(`${kind}/${name}`)?.[0];
  const nextAttempt = (kind: 'init' | 'app', name: string) => {
    const n = newest(kind, name);
    return n ? n.attempt + 1 : 0;
  };
  const anyRunning = containers.some((c) => c.state === 'running');

  if (isPodFinished(pod)) {
    actions.terminal = true;
    actions.killPod = anyRunning;
    return actions;
  }

  if (!sandbox || sandbox.state !== 'running') {
    actions.killPod = anyRunning;
    // With restartPolicy Never, a pod whose containers already ran is not run a second time.
    if (sandbox && policy === 'Never' && containers.some((c) => c.kind === 'app')) return actions;
    actions.createSandbox = { attempt: sandbox ? sandbox.attempt + 1 : 0 };
    const firstInit = spec.initContainers?.[0];
    if (firstInit) actions.start.push({ container: firstInit, kind: 'init', attempt: nextAttempt('init', firstInit.name) });
    else for (const c of spec.containers) actions.start.push({ container: c, kind: 'app', attempt: nextAttempt('app', c.name) });
    return actions;
  }

  const restartWaits = (name: string, last: ObservedContainer): boolean => {
    const windowMs = input.restartBackoff(name, finishedMs(last));
    if (windowMs <= 0) return false;
    actions.waiting[name] = { reason: 'CrashLoopBackOff', message: `back-off ${goSeconds(windowMs)} restarting failed container=${name} pod=${podRef}` };
    return true;
  };

  // Ephemeral containers (kubectl debug) start once, even while init containers run, and are
  // never restarted, not even in a new sandbox.
  for (const ec of spec.ephemeralContainers ?? []) {
    if (!newest('ephemeral', ec.name)) actions.start.push({ container: ec, kind: 'ephemeral', attempt: 0 });
  }

  // A sidecar (an init container with restartPolicy Always) is kept running whatever the pod's
  // restartPolicy: started when absent, restarted after an exit (with back-off), a changed spec
  // or a failed liveness or startup probe. Answers whether it runs and has started (its startup
  // probe, if any, succeeded): only then may the init containers after it run.
  const keepSidecar = (ic: Container): boolean => {
    const last = newest('init', ic.name);
    if (!last || last.sandboxId !== sandbox.id) {
      actions.start.push({ container: ic, kind: 'init', attempt: nextAttempt('init', ic.name) });
      return false;
    }
    if (last.state === 'running') {
      let why: string | undefined;
      if (last.hash && last.hash !== containerHash(ic)) why = `Init container ${ic.name} definition changed`;
      else if (input.probeFailures.has(last.id)) why = `Init container ${ic.name} ${input.probeFailures.get(last.id)}`;
      if (why) {
        const grace = probeGrace(ic, input.probeFailures.get(last.id));
        actions.kill.push({ id: last.id, name: ic.name, message: why, ...(grace !== undefined ? { graceSeconds: grace } : {}) });
        actions.start.push({ container: ic, kind: 'init', attempt: last.attempt + 1 });
        return false;
      }
      return !ic.startupProbe || input.started.get(last.id) === true;
    }
    if (hasExited(last) && !restartWaits(ic.name, last)) actions.start.push({ container: ic, kind: 'init', attempt: last.attempt + 1 });
    return false;
  };

  // Once a regular container has run in this sandbox the pod is initialized for good: only its
  // sidecars are still looked after. Before, init containers go in order, one at a time, each
  // to success (a sidecar: to its start), and the first that is not there yet decides.
  const initialized = containers.some((c) => c.kind === 'app' && c.sandboxId === sandbox.id);
  if (initialized) {
    for (const ic of spec.initContainers ?? []) if (isSidecar(ic)) keepSidecar(ic);
  } else {
    for (const ic of spec.initContainers ?? []) {
      if (isSidecar(ic)) {
        if (keepSidecar(ic)) continue;
        return actions;
      }
      const last = newest('init', ic.name);
      if (!last || last.sandboxId !== sandbox.id) {
        actions.start.push({ container: ic, kind: 'init', attempt: nextAttempt('init', ic.name) });
        return actions;
      }
      if (last.state === 'running') return actions;
      if (hasExited(last) && exitCodeOf(last) === 0) continue;
      if (policy === 'Never') {
        actions.terminal = true;
        actions.killPod = true;
        actions.start = [];
        return actions;
      }
      if (!restartWaits(ic.name, last)) actions.start.push({ container: ic, kind: 'init', attempt: last.attempt + 1 });
      return actions;
    }
  }

  let finished = 0;
  let succeeded = 0;
  for (const c of spec.containers) {
    const last = newest('app', c.name);
    if (!last) {
      actions.start.push({ container: c, kind: 'app', attempt: 0 });
      continue;
    }
    if (last.sandboxId !== sandbox.id) {
      // Left from an earlier sandbox: this sandbox has not run it yet.
      if (last.state === 'running') actions.kill.push({ id: last.id, name: c.name, message: `Stopping container ${c.name}` });
      actions.start.push({ container: c, kind: 'app', attempt: last.attempt + 1 });
      continue;
    }
    if (last.state === 'running') {
      let why: string | undefined;
      let restart = true;
      if (last.hash && last.hash !== containerHash(c)) why = `Container ${c.name} definition changed, will be restarted`;
      else if (input.probeFailures.has(last.id)) {
        restart = policy !== 'Never';
        why = `Container ${c.name} ${input.probeFailures.get(last.id)}${restart ? ', will be restarted' : ''}`;
      }
      if (why) {
        const grace = probeGrace(c, input.probeFailures.get(last.id));
        actions.kill.push({ id: last.id, name: c.name, message: why, ...(grace !== undefined ? { graceSeconds: grace } : {}) });
        if (restart) actions.start.push({ container: c, kind: 'app', attempt: last.attempt + 1 });
      }
      continue;
    }
    if (!hasExited(last)) continue; // paused, restarting, removing: leave it to settle
    const code = exitCodeOf(last);
    const restart = policy === 'Always' || (policy === 'OnFailure' && code !== 0);
    if (!restart) {
      finished++;
      if (code === 0) succeeded++;
      continue;
    }
    if (!restartWaits(c.name, last)) actions.start.push({ container: c, kind: 'app', attempt: last.attempt + 1 });
  }

  // Every regular container has finished for good: the pod is done, and its sidecars, which
  // would otherwise keep it alive, are stopped with it rather than restarted.
  if (policy !== 'Always' && finished === spec.containers.length && (policy === 'Never' || succeeded === finished)) {
    actions.terminal = true;
    actions.killPod = true;
    actions.start = [];
    actions.kill = [];
    actions.waiting = {};
  }
  return actions;
}

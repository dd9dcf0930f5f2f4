// Building blocks of Table columns (what `kubectl get` prints); each kind's module lists its
// own columns (api/kinds/). Cells are computed from the object at serving time, with the same
// names, order and wide-only priorities as Kubernetes.
import { asText } from './codec/values.js';
import { isConditionTrue, isPodFinished, isPodReady } from './conditions.js';
import { isSidecar } from './pod-resources.js';
import { ageSince } from './duration.js';
import { labelSelectorToString } from './labels.js';
import type { KubeObject } from './types/meta.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
  /**
   * The cell's value. A cell function that takes `now` is recomputed for every response; one
   * that does not is computed once per object version and reused (apiserver/http/render.ts).
   */
  cell: (obj: KubeObject, now: number) => string | number | boolean | null;
  /**
   * For a cell that takes `now`: the little of the object it reads (timestamps, counts), shaped
   * like the object. Taken once per object version and given to `cell` instead of the object,
   * so a cached object held only as bytes is not parsed again for every Table.
   */
  reads?: (obj: KubeObject) => KubeObject;
}

type Cell = PrinterColumn['cell'];

export function col(name: string, cell: Cell, opts: Partial<Omit<PrinterColumn, 'name' | 'cell'>> = {}): PrinterColumn {
  return {
    name,
    type: opts.type ?? 'string',
    format: opts.format ?? '',
    description: opts.description ?? `${name} of the object`,
    priority: opts.priority ?? 0,
    cell,
    ...(opts.reads ? { reads: opts.reads } : {}),
  };
}
export const wide = { priority: 1 };

export const nameCol = col('Name', (o) => o.metadata.name ?? '', {
  format: 'name',
  description: 'Name must be unique within a namespace. Cannot be updated.',
});
export const ageCol = col('Age', (o, now) => ageSince(o.metadata.creationTimestamp, now), {
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  reads: (o) => ({ metadata: { creationTimestamp: o.metadata.creationTimestamp } }),
});
export const none = (v: unknown): string => (v === undefined || v === null || v === '' ? '<none>' : asText(v));

export const defaultColumns: PrinterColumn[] = [
  nameCol,
  col('Created At', (o) => o.metadata.creationTimestamp ?? '', { type: 'date', description: 'Object creation time' }),
];

function templateContainers(spec: any): any[] {
  return spec?.template?.spec?.containers ?? [];
}
export const containersCol = col('Containers', (o) => templateContainers(o.spec).map((c) => c.name).join(','), wide);
export const imagesCol = col('Images', (o) => templateContainers(o.spec).map((c) => c.image).join(','), wide);
export const selectorCol = col('Selector', (o) => labelSelectorToString(o.spec?.selector) || '<none>', wide);

// ---- pods

interface PodSummary {
  ready: string;
  status: string;
  /** Restarts of its containers, and when the last one ended (ms since the epoch, 0 if none known). */
  restarts: { count: number; last: number };
}

/** "3", or "3 (5m ago)" when the last restart's end is known. */
export function restartsText(restarts: { count: number; last: number }, now: number): string {
  const text = String(restarts.count);
  return restarts.last > 0 && restarts.count > 0 ? `${text} (${ageSince(new Date(restarts.last).toISOString(), now)} ago)` : text;
}

export function summarizePod(pod: KubeObject): PodSummary {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const initSpecs: any[] = Array.isArray(spec.initContainers) ? spec.initContainers : [];
  const sidecarNames = new Set(initSpecs.filter(isSidecar).map((c) => c.name));
  // Sidecars run beside the regular containers, so they count among them.
  const total = (spec.containers ?? []).length + sidecarNames.size;
  let restarts = 0;
  let lastRestart = 0;
  let sidecarRestarts = 0;
  let lastSidecarRestart = 0;
  let readyContainers = 0;
  let reason: string = status.reason || status.phase || 'Pending';
  // A pod held back by scheduling gates says so (kubectl's printer reads its PodScheduled condition).
  if ((status.conditions ?? []).some((c: any) => c?.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';
  const finishedAt = (cs: any) => Date.parse(cs.lastState?.terminated?.finishedAt ?? '') || 0;

  let initializing = false;
  const initStatuses: any[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    restarts += cs.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, finishedAt(cs));
    const sidecar = sidecarNames.has(cs.name);
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = Math.max(lastSidecarRestart, finishedAt(cs));
    }
    const t = cs.state?.terminated;
    const w = cs.state?.waiting;
    if (t && t.exitCode === 0) continue;
    if (sidecar && cs.started) {
      if (cs.ready) readyContainers++;
      continue;
    }
    if (t) {
      reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    } else if (w?.reason && w.reason !== 'PodInitializing') {
      reason = `Init:${w.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  // Once initialized (a sidecar restarting does not undo it), the regular containers tell.
  if (!initializing || isConditionTrue(pod, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses: any[] = [...(status.containerStatuses ?? [])].reverse();
    for (const cs of statuses) {
      restarts += cs.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, finishedAt(cs));
      const w = cs.state?.waiting;
      const t = cs.state?.terminated;
      if (w?.reason) reason = w.reason;
      else if (t?.reason) reason = t.reason;
      else if (t) reason = t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`;
      else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = isPodReady(pod) ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && !isPodFinished(pod)) reason = 'Terminating';

  return { ready: `${readyContainers}/${total}`, status: reason, restarts: { count: restarts, last: lastRestart } };
}

export const dataCount = (o: KubeObject) =>
  Object.keys((o.data as object) ?? {}).length + Object.keys((o.binaryData as object) ?? {}).length;

export const createdAtColumns: PrinterColumn[] = [
  nameCol,
  col('Created At', (o) => o.metadata.creationTimestamp ?? '', { type: 'string' }),
];

/** A label map as `k=v,k=v`, sorted (Services' and ReplicationControllers' selectors). */
export function mapSelector(m: Record<string, string> | undefined): string {
  return Object.entries(m ?? {}).map(([k, v]) => `${k}=${v}`).sort().join(',') || '<none>';
}


// Building blocks of Table columns (what `kubectl get` prints); each kind's module lists its
// own columns (api/kinds/). Cells are computed from the object at serving time, with the same
// names, order and wide-only priorities as Kubernetes.
import { asText } from './codec/values.js';
import { isPodReady } from './conditions.js';
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
  const total = (spec.containers ?? []).length;
  let restarts = 0;
  let lastRestart = 0;
  let readyContainers = 0;
  let reason: string = status.reason || status.phase || 'Pending';
  const noteRestart = (cs: any) => {
    restarts += cs.restartCount ?? 0;
    const finished = cs.lastState?.terminated?.finishedAt;
    if (finished) lastRestart = Math.max(lastRestart, Date.parse(finished) || 0);
  };

  let initializing = false;
  const initStatuses: any[] = status.initContainerStatuses ?? [];
  const initCount = (spec.initContainers ?? []).length;
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    noteRestart(cs);
    const t = cs.state?.terminated;
    const w = cs.state?.waiting;
    if (t && t.exitCode === 0) continue;
    if (cs.started && cs.state?.running) continue; // a restartable (sidecar) init container
    if (t) {
      reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    } else if (w?.reason && w.reason !== 'PodInitializing') {
      reason = `Init:${w.reason}`;
    } else {
      reason = `Init:${i}/${initCount}`;
    }
    initializing = true;
    break;
  }

  if (!initializing) {
    let hasRunning = false;
    const statuses: any[] = [...(status.containerStatuses ?? [])].reverse();
    for (const cs of statuses) {
      noteRestart(cs);
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

  if (pod.metadata.deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';

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


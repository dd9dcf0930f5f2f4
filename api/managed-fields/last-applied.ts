// Moving from client-side to server-side apply, as Kubernetes' apiserver does it for kubectl:
// a server-side apply by the manager "kubectl" may take over fields the client-side applier
// (kubectl-client-side-apply, or anyone) owns when the object's last-applied-configuration
// still says what they hold, and keeps that annotation in step with what it applies.
import { deepEqual, isObject } from '../codec/values.js';
import type { KubeObject } from '../types/meta.js';
import { valueAt, type FieldPath } from './field-set.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** The one manager Kubernetes upgrades: kubectl's server-side apply. Others opt out by using their own name. */
export const KUBECTL_MANAGER = 'kubectl';
/** Kubernetes' limit on all of an object's annotations together. */
const ANNOTATIONS_LIMIT = 256 * 1024;

function lastAppliedOf(live: KubeObject | undefined): unknown {
  const text = live?.metadata.annotations?.[LAST_APPLIED];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Which conflicting fields kubectl may take over: those the last-applied configuration sets to
 * what the object still holds (nobody changed them since the client-side apply).
 */
export function conflictAllowance(live: KubeObject | undefined, manager: string): ((path: FieldPath) => boolean) | undefined {
  if (manager !== KUBECTL_MANAGER) return undefined;
  const lastApplied = lastAppliedOf(live);
  if (!isObject(lastApplied)) return undefined;
  return (path) => {
    const before = valueAt(lastApplied, path);
    const now = valueAt(live, path);
    return before.found && now.found && deepEqual(before.value, now.value);
  };
}

/** Go's encoding/json of a decoded object: keys sorted at every level, then a newline. */
function goJson(v: unknown): string {
  const sorted = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sorted);
    if (!isObject(x)) return x;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x).sort()) out[k] = sorted(x[k]);
    return out;
  };
  return `${JSON.stringify(sorted(v))}\n`;
}

/** After kubectl's server-side apply, an object that had the annotation gets the configuration just applied. */
export function syncLastApplied(object: KubeObject, config: KubeObject, manager: string): void {
  const annotations = object.metadata.annotations;
  if (manager !== KUBECTL_MANAGER || !annotations?.[LAST_APPLIED]) return;
  const metadata = { ...config.metadata };
  if (metadata.annotations) {
    const { [LAST_APPLIED]: _old, ...others } = metadata.annotations;
    metadata.annotations = others;
  }
  const next: Record<string, string> = { ...annotations, [LAST_APPLIED]: goJson({ ...config, metadata }) };
  const size = Object.entries(next).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  // Too big to keep: Kubernetes drops the annotation rather than refuse the apply.
  if (size > ANNOTATIONS_LIMIT) delete next[LAST_APPLIED];
  object.metadata.annotations = next;
}

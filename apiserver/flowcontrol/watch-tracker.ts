// How many watches may care about a write, as Kubernetes' APF watch tracker counts them: watches
// are counted by resource, namespace and name (selectors are ignored: every event is checked
// against them anyway), and a write is seen by the resource's cluster-wide watches, those of its
// namespace and those of its name. A watch of pods on one node (`spec.nodeName=<node>`, the
// kubelet's) is left out: the watch cache indexes those, so an event costs them nothing.
import type { ResourceAttributes } from '../authz/request-info.js';

/** Verbs that change nothing, so no watcher hears of them. */
const READ_ONLY = new Set(['get', 'list', 'watch', 'proxy']);

const key = (group: string, resource: string, namespace: string, name: string) => `${group}\0${resource}\0${namespace}\0${name}`;

/**
 * The value a field selector requires of `field` exactly (`field=v`, `field==v`), if it does.
 * Read by hand, in one pass per term: a regular expression with optional spaces around an
 * optional value takes quadratic time over a selector of spaces (a client's input).
 */
export function requiredField(fieldSelector: string | undefined, field: string): string | undefined {
  for (const term of (fieldSelector ?? '').split(',')) {
    const at = term.indexOf('=');
    if (at <= 0 || term[at - 1] === '!') continue;
    if (term.slice(0, at).trim() !== field) continue;
    const value = term.slice(term[at + 1] === '=' ? at + 2 : at + 1);
    if (!value.includes('=')) return value.trim();
  }
  return undefined;
}

export class WatchTracker {
  private readonly counts = new Map<string, number>();

  /** Counts a watch until the function returned is called (once). */
  register(attrs: ResourceAttributes, fieldSelector: string | undefined): () => void {
    if (attrs.resource === 'pods' && attrs.apiGroup === '' && requiredField(fieldSelector, 'spec.nodeName')) return () => undefined;
    const k = key(attrs.apiGroup, attrs.resource, attrs.namespace, attrs.name || (requiredField(fieldSelector, 'metadata.name') ?? ''));
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    let forgotten = false;
    return () => {
      if (forgotten) return;
      forgotten = true;
      const n = (this.counts.get(k) ?? 1) - 1;
      if (n > 0) this.counts.set(k, n);
      else this.counts.delete(k);
    };
  }

  /** The watches that may be told of a write with these attributes (none for a read). */
  interested(attrs: ResourceAttributes): number {
    if (READ_ONLY.has(attrs.verb)) return 0;
    const { apiGroup, resource, namespace, name } = attrs;
    let n = this.counts.get(key(apiGroup, resource, '', '')) ?? 0;
    if (namespace) n += this.counts.get(key(apiGroup, resource, namespace, '')) ?? 0;
    if (name) n += this.counts.get(key(apiGroup, resource, namespace, name)) ?? 0;
    return n;
  }
}

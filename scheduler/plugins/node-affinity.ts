// nodeSelector and required node affinity as a filter; preferred node affinity as a score.
import { normalizeToMax, ok, unresolvable, type FilterPlugin, type ScorePlugin } from '../framework.js';
import type { Node } from '../../api/types/core.js';
import type { NodeSelectorRequirement, NodeSelectorTerm } from '../../api/types/pod.js';

function requirementMatches(req: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const n = Number(value);
      const bound = Number(values[0]);
      if (value === undefined || !Number.isInteger(n) || !Number.isInteger(bound)) return false;
      return req.operator === 'Gt' ? n > bound : n < bound;
    }
    default:
      return false;
  }
}

/** A NodeSelectorTerm: all its label and field requirements hold. An empty term matches nothing. */
export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  return (
    exprs.every((r) => requirementMatches(r, labels[r.key])) &&
    fields.every((r) => requirementMatches(r, r.key === 'metadata.name' ? node.metadata.name : undefined))
  );
}

export const nodeAffinity: FilterPlugin = {
  name: 'NodeAffinity',
  filter(state, n) {
    const labels = n.node.metadata.labels ?? {};
    const selector = state.pod.spec.nodeSelector ?? {};
    const selectorOk = Object.entries(selector).every(([k, v]) => labels[k] === v);
    const required = state.pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    const terms = required?.nodeSelectorTerms ?? [];
    const affinityOk = !required || terms.some((t) => termMatches(t, n.node));
    return selectorOk && affinityOk ? ok : unresolvable("node(s) didn't match Pod's node affinity/selector");
  },
};

export const preferredNodeAffinity: ScorePlugin = {
  name: 'NodeAffinityPreferred',
  weight: 2,
  score(state, n) {
    const preferred = state.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    return preferred.reduce((sum, p) => sum + (termMatches(p.preference ?? {}, n.node) ? Number(p.weight ?? 0) : 0), 0);
  },
  normalize: (scores) => normalizeToMax(scores),
};

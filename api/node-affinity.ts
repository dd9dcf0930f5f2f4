// Whether a node is one a pod's nodeSelector and required node affinity accept: what the
// scheduler filters on and the DaemonSet controller decides placement by.
import type { Node } from './types/core.js';
import type { NodeSelectorRequirement, NodeSelectorTerm, PodSpec } from './types/pod.js';

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

/** nodeSelector and requiredDuringSchedulingIgnoredDuringExecution both accept the node. */
export function nodeMatchesPod(spec: Pick<PodSpec, 'nodeSelector' | 'affinity'>, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  const selectorOk = Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => labels[k] === v);
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return selectorOk && (!required || (required.nodeSelectorTerms ?? []).some((t) => termMatches(t, node)));
}

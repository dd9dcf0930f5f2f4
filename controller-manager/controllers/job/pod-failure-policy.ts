// A Job's podFailurePolicy: the first rule that matches a failed pod decides what its failure
// means: FailJob fails the Job at once, Ignore does not count it against backoffLimit, Count
// counts it (as without a policy). Rules match on containers' exit codes (In / NotIn, one
// container or any) or on the pod's conditions (e.g. DisruptionTarget).
import type { Pod } from '../../../api/types/pod.js';

export interface PodFailurePolicyRule {
  action: 'FailJob' | 'Ignore' | 'Count' | 'FailIndex';
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn'; values: number[] };
  onPodConditions?: Array<{ type: string; status?: string }>;
}

export interface PolicyDecision {
  action: PodFailurePolicyRule['action'];
  message: string;
}

export function decide(rules: PodFailurePolicyRule[] | undefined, pod: Pod): PolicyDecision | undefined {
  const ns = pod.metadata.namespace;
  const name = pod.metadata.name;
  const exits = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].flatMap((s) =>
    s.state && 'terminated' in s.state && s.state.terminated.exitCode !== 0 ? [{ container: s.name, code: s.state.terminated.exitCode }] : [],
  );
  for (const [i, rule] of (rules ?? []).entries()) {
    const codes = rule.onExitCodes;
    if (codes) {
      const hit = exits.find((e) => (!codes.containerName || codes.containerName === e.container) && (codes.operator === 'In' ? codes.values.includes(e.code) : !codes.values.includes(e.code)));
      if (hit) return { action: rule.action, message: `Container ${hit.container} for pod ${ns}/${name} failed with exit code ${hit.code} matching ${rule.action} rule at index ${i}` };
    }
    for (const want of rule.onPodConditions ?? []) {
      const c = (pod.status?.conditions ?? []).find((x) => x.type === want.type && x.status === (want.status ?? 'True'));
      if (c) return { action: rule.action, message: `Pod ${ns}/${name} has condition ${want.type} matching ${rule.action} rule at index ${i}` };
    }
  }
  return undefined;
}

// Pods: status starts Pending with a QoS class, bound pods are deleted gracefully (the kubelet
// finishes the deletion), and pods tolerate node failure for a default time.
import { parseQuantity } from '../../../api/quantity.js';
import type { KubeObject } from '../../../api/types/meta.js';
import { withStatus, type Strategy } from '../strategy.js';
import { isPodFinished } from '../../../api/conditions.js';

type AnyObj = Record<string, any>;

export function qosClass(spec: AnyObj | undefined): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers: AnyObj[] = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  let anySet = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) anySet = true;
      const l = parseQuantity(lim[r]);
      const q = parseQuantity(req[r] ?? lim[r]);
      if (l === undefined || q === undefined || l !== q || l === 0) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export interface PodStrategyOptions {
  notReadyTolerationSeconds: number;
  unreachableTolerationSeconds: number;
}

function addDefaultTolerations(spec: AnyObj, opts: PodStrategyOptions): void {
  const tolerations: AnyObj[] = (spec.tolerations ??= []);
  const covers = (key: string) =>
    tolerations.some((t) => (t.operator === 'Exists' && !t.key) || (t.key === key && (!t.effect || t.effect === 'NoExecute')));
  for (const [key, seconds] of [
    ['node.kubernetes.io/not-ready', opts.notReadyTolerationSeconds],
    ['node.kubernetes.io/unreachable', opts.unreachableTolerationSeconds],
  ] as const) {
    if (!covers(key)) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  }
}

export function podStrategy(opts: PodStrategyOptions): Strategy {
  return withStatus({
    prepareForCreate(pod: KubeObject) {
      pod.metadata.generation = 1;
      pod.status = { phase: 'Pending', qosClass: qosClass(pod.spec) };
      addDefaultTolerations(pod.spec ?? (pod.spec = {}), opts);
    },
    gracePeriod(pod, options) {
      if (!pod.spec?.nodeName) return 0;
      if (isPodFinished(pod)) return 0;
      const requested = options.gracePeriodSeconds;
      if (requested !== undefined && requested !== null) return Math.max(0, requested);
      return pod.spec?.terminationGracePeriodSeconds ?? 30;
    },
    returnDeletedObject: true,
  });
}

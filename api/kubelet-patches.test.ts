import { describe, expect, it } from 'vitest';
import { applyStrategicMergePatch } from './patch/strategic-merge.js';
import { nodeStatusPatch, podStatusPatch } from './kubelet-patches.js';
import { schemaFor } from './schema/kinds.js';
import type { Pod, PodCondition, PodStatus } from './types/pod.js';

const podSchema = schemaFor('v1', 'Pod');
const nodeSchema = schemaFor('v1', 'Node');
const T0 = '2026-11-23T10:00:00Z';
const T1 = '2026-11-23T10:00:05Z';

const cond = (type: string, status: 'True' | 'False', extra: Partial<PodCondition> = {}): PodCondition => ({ type, status, lastProbeTime: null, lastTransitionTime: T0, ...extra });

/** What the apiserver stores after a node's patch of `stored`. */
function afterPatch(stored: PodStatus, computed: PodStatus): PodStatus {
  const pod = { metadata: { name: 'p' }, spec: { containers: [] }, status: stored };
  return (applyStrategicMergePatch(pod, { status: podStatusPatch(computed) }, podSchema) as Pod).status!;
}

describe('the status patches a node sends', () => {
  it('of a pod keep a condition someone else added after the kubelet read the pod', () => {
    // The kubelet computed from a copy without DisruptionTarget; the scheduler added it since.
    const seen: PodStatus = { phase: 'Running', conditions: [cond('PodScheduled', 'True'), cond('Ready', 'False', { reason: 'ContainersNotReady', message: 'containers with unready status: [app]' })] };
    const stored: PodStatus = { ...seen, conditions: [...seen.conditions!, cond('DisruptionTarget', 'True', { reason: 'PreemptionByScheduler' })] };
    const computed: PodStatus = { phase: 'Running', conditions: [cond('Ready', 'True', { lastTransitionTime: T1 }), cond('PodScheduled', 'True')] };

    const out = afterPatch(stored, computed);
    const byType = new Map(out.conditions!.map((c) => [c.type, c]));
    expect(byType.get('DisruptionTarget')).toMatchObject({ status: 'True', reason: 'PreemptionByScheduler' });
    // The kubelet's own condition is exactly what it computed: the old reason and message are gone.
    expect(byType.get('Ready')).toEqual({ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: T1 });
    expect(out.conditions!.map((c) => c.type)).toEqual(['Ready', 'PodScheduled', 'DisruptionTarget']);
  });

  it('of a pod order conditions as computed, and replace the pod addresses', () => {
    const stored: PodStatus = { podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }], hostIPs: [{ ip: '127.0.0.1' }], conditions: [cond('PodScheduled', 'True')] };
    const computed: PodStatus = {
      podIP: '10.0.0.2',
      podIPs: [{ ip: '10.0.0.2' }],
      hostIPs: [{ ip: '127.0.0.1' }],
      conditions: [cond('Initialized', 'True'), cond('PodScheduled', 'True')],
    };
    const out = afterPatch(stored, computed);
    expect(out.podIPs).toEqual([{ ip: '10.0.0.2' }]);
    expect(out.hostIPs).toEqual([{ ip: '127.0.0.1' }]);
    expect(out.conditions!.map((c) => c.type)).toEqual(['Initialized', 'PodScheduled']);
  });

  it('of a Node keep a condition the node does not own, and replace the addresses', () => {
    const stored = {
      conditions: [
        { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' },
        { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated' },
      ],
      addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'ExternalIP', address: '192.0.2.1' }],
    };
    const reported = { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }], addresses: [{ type: 'InternalIP', address: '10.0.0.2' }] };
    const node = { metadata: { name: 'n' }, status: stored };
    const out = (applyStrategicMergePatch(node, { status: nodeStatusPatch(reported) }, nodeSchema) as typeof node).status;
    expect(out.conditions).toEqual([reported.conditions[0], stored.conditions[1]]);
    expect(out.addresses).toEqual([{ type: 'InternalIP', address: '10.0.0.2' }]);
  });
});

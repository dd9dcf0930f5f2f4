import { describe, expect, it } from 'vitest';
import type { Taint } from '../../api/types/core.js';
import type { Pod, Toleration } from '../../api/types/pod.js';
import { evictionTime, readinessTaints } from './node-lifecycle.js';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2026-11-23T10:00:00Z' };
const pod = (tolerations: Toleration[] = []): Pod => ({ metadata: { name: 'p' }, spec: { tolerations, containers: [] } });

describe('node lifecycle', () => {
  it('taints by readiness', () => {
    expect(readinessTaints('True')).toEqual([]);
    expect(readinessTaints('Unknown').map((t) => `${t.key}:${t.effect}`)).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
    expect(readinessTaints('False')[0]!.key).toBe('node.kubernetes.io/not-ready');
  });

  it('evicts untolerating pods at once, tolerating ones after tolerationSeconds, forever-tolerating ones never', () => {
    expect(evictionTime(pod(), [unreachable], NOW)).toBe(NOW);
    expect(evictionTime(pod([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]), [unreachable], NOW)).toBe(NOW + 300_000);
    expect(evictionTime(pod([{ operator: 'Exists' }]), [unreachable], NOW)).toBeUndefined();
    expect(evictionTime(pod(), [{ key: 'x', effect: 'NoSchedule' }], NOW)).toBeUndefined();
  });
});

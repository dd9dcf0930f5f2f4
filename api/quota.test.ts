import { describe, expect, it } from 'vitest';
import { formatUsage, missingComputeResources, quotaApplies, usageOf } from './quota.js';
import type { KubeObject } from './types/meta.js';

const pod = (containers: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}, status: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns' },
  spec: { containers, ...extra },
  status,
});
const quota = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'ns' }, spec });

describe('quota usage', () => {
  it('counts a pod and sums its containers\' requests and limits (init containers at their largest)', () => {
    const p = pod([{ name: 'a', resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m' } } }, { name: 'b', resources: { requests: { cpu: '250m' } } }], { initContainers: [{ name: 'i', resources: { requests: { cpu: '2' } } }] });
    const u = usageOf('', 'pods', p);
    expect(Object.fromEntries(u)).toEqual({ 'count/pods': 1, pods: 1, 'requests.cpu': 2, cpu: 2, 'requests.memory': 64 * 2 ** 20, memory: 64 * 2 ** 20, 'limits.cpu': 0.5 });
    expect(usageOf('', 'pods', pod([], {}, { phase: 'Succeeded' })).size).toBe(0);
  });

  it('adds a pod\'s overhead (RuntimeClass) to its requests, and to the limits it has', () => {
    const p = pod([{ name: 'a', resources: { requests: { cpu: '250m' }, limits: { cpu: '500m' } } }], { overhead: { cpu: '100m', memory: '10Mi' } });
    expect(Object.fromEntries(usageOf('', 'pods', p))).toMatchObject({ 'requests.cpu': 0.35, 'requests.memory': 10 * 2 ** 20, 'limits.cpu': 0.6 });
    expect(usageOf('', 'pods', p).has('limits.memory')).toBe(false);
  });

  it('counts claims\' storage (per class too), services\' node ports and load balancers, and any kind as count/<plural>.<group>', () => {
    const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } } };
    expect(Object.fromEntries(usageOf('', 'persistentvolumeclaims', claim))).toEqual({
      'count/persistentvolumeclaims': 1,
      persistentvolumeclaims: 1,
      'requests.storage': 2 ** 30,
      'fast.storageclass.storage.k8s.io/requests.storage': 2 ** 30,
      'fast.storageclass.storage.k8s.io/persistentvolumeclaims': 1,
    });
    // A request lowered below what is being allocated (undoing an expansion) still counts the allocation.
    expect(usageOf('', 'persistentvolumeclaims', { ...claim, status: { allocatedResources: { storage: '4Gi' } } }).get('requests.storage')).toBe(4 * 2 ** 30);
    expect(usageOf('', 'persistentvolumeclaims', { ...claim, status: { allocatedResources: { storage: '512Mi' } } }).get('requests.storage')).toBe(2 ** 30);
    const lb = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }, { port: 443 }] } };
    expect(Object.fromEntries(usageOf('', 'services', lb))).toMatchObject({ services: 1, 'services.nodeports': 2, 'services.loadbalancers': 1 });
    expect(Object.fromEntries(usageOf('apps', 'deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }))).toEqual({ 'count/deployments.apps': 1 });
  });

  it('scoped quotas count only the pods in every scope', () => {
    const bestEffort = pod([{ name: 'a' }]);
    const burstable = pod([{ name: 'a', resources: { requests: { cpu: '1' } } }], { activeDeadlineSeconds: 60 });
    expect(quotaApplies(quota({ scopes: ['BestEffort'] }), '', 'pods', bestEffort)).toBe(true);
    expect(quotaApplies(quota({ scopes: ['BestEffort'] }), '', 'pods', burstable)).toBe(false);
    expect(quotaApplies(quota({ scopes: ['NotBestEffort', 'Terminating'] }), '', 'pods', burstable)).toBe(true);
    expect(quotaApplies(quota({ scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } }), '', 'pods', pod([], { priorityClassName: 'high' }))).toBe(true);
    expect(quotaApplies(quota({ scopes: ['BestEffort'] }), '', 'services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } })).toBe(false);
  });

  it('names the containers that leave out what a quota counts', () => {
    const p = pod([{ name: 'a', resources: { requests: { cpu: '1' } } }, { name: 'b' }]);
    expect(missingComputeResources(p, { 'requests.cpu': '4', 'limits.memory': '1Gi', pods: '3' })).toBe('must specify limits.memory for: a,b; requests.cpu for: b');
    expect(missingComputeResources(p, { pods: '3' })).toBeUndefined();
  });

  it('writes usage as Kubernetes writes it', () => {
    expect(formatUsage('requests.cpu', 1.5)).toBe('1500m');
    expect(formatUsage('requests.memory', 192 * 2 ** 20)).toBe('192Mi');
    expect(formatUsage('pods', 3)).toBe('3');
  });
});

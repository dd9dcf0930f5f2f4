import { describe, expect, it } from 'vitest';
import { MANDATORY_FLOW_SCHEMAS } from '../../api/kinds/flowcontrol/flowschema.js';
import { MANDATORY_PRIORITY_LEVELS } from '../../api/kinds/flowcontrol/prioritylevelconfiguration.js';
import { SUGGESTED_FLOW_SCHEMAS, SUGGESTED_PRIORITY_LEVELS } from '../../api/kinds/flowcontrol/suggested-configuration.js';
import type { KubeObject } from '../../api/types/meta.js';
import { requestAttributes } from '../authz/request-info.js';
import { classify, matchingOrder } from './classifier.js';
import { danglingCondition, levelLimits, nominalSeats } from './config-controller.js';

const level = (name: string, shares?: number): KubeObject => ({ metadata: { name }, spec: { type: 'Limited', limited: shares === undefined ? {} : { nominalConcurrencyShares: shares } } });
const schema = (name: string, precedence: number, levelName: string, rule: Record<string, unknown>): KubeObject => ({ metadata: { name }, spec: { matchingPrecedence: precedence, priorityLevelConfiguration: { name: levelName }, rules: [rule] } });

const levels = new Map([...MANDATORY_PRIORITY_LEVELS, level('workload')].map((l) => [l.metadata.name!, l]));
const user = (name: string, groups: string[] = ['system:authenticated']) => ({ name, groups });
const get = (path: string) => requestAttributes('GET', path);
const name = (c: ReturnType<typeof classify>) => c && [c.flowSchema.metadata.name, c.priorityLevel.metadata.name];

describe('API Priority and Fairness classification', () => {
  it('puts masters in exempt and everyone else in catch-all, with only the mandatory schemas', () => {
    const ordered = matchingOrder(MANDATORY_FLOW_SCHEMAS);
    expect(name(classify(ordered, levels, user('admin', ['system:masters', 'system:authenticated']), get('/api/v1/pods')))).toEqual(['exempt', 'exempt']);
    expect(name(classify(ordered, levels, user('alice'), get('/version')))).toEqual(['catch-all', 'catch-all']);
    expect(name(classify(ordered, levels, user('system:anonymous', ['system:unauthenticated']), get('/healthz')))).toEqual(['catch-all', 'catch-all']);
  });

  it('takes the lowest precedence first, then the name, and passes over a schema whose level is missing', () => {
    const everything = { subjects: [{ kind: 'Group', group: { name: '*' } }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] };
    const ordered = matchingOrder([...MANDATORY_FLOW_SCHEMAS, schema('b', 500, 'workload', everything), schema('a', 500, 'workload', everything), schema('dangling', 100, 'gone', everything)]);
    expect(name(classify(ordered, levels, user('alice'), get('/version')))).toEqual(['a', 'workload']);
  });

  it('matches users, groups and service accounts, verbs, groups, resources with subresources, namespaces and URL prefixes', () => {
    const rule = (subjects: unknown[], rules: Record<string, unknown>) => ({ subjects, ...rules });
    const pods = { resourceRules: [{ verbs: ['list', 'get'], apiGroups: [''], resources: ['pods', 'pods/status'], namespaces: ['team'] }] };
    const ordered = matchingOrder([
      ...MANDATORY_FLOW_SCHEMAS,
      schema('by-user', 10, 'workload', rule([{ kind: 'User', user: { name: 'noxu' } }], pods)),
      schema('by-sa', 11, 'workload', rule([{ kind: 'ServiceAccount', serviceAccount: { namespace: 'team', name: '*' } }], { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true }] })),
      schema('health', 12, 'workload', rule([{ kind: 'Group', group: { name: 'system:unauthenticated' } }], { nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz/*'] }] })),
    ]);
    const of = (u: ReturnType<typeof user>, attrs: ReturnType<typeof get>) => classify(ordered, levels, u, attrs)!.flowSchema.metadata.name;
    expect(of(user('noxu'), get('/api/v1/namespaces/team/pods'))).toBe('by-user');
    expect(of(user('noxu'), get('/api/v1/namespaces/team/pods/p/status'))).toBe('by-user');
    expect(of(user('noxu'), get('/api/v1/namespaces/other/pods'))).toBe('catch-all');
    expect(of(user('noxu'), requestAttributes('DELETE', '/api/v1/namespaces/team/pods/p'))).toBe('catch-all');
    expect(of(user('system:serviceaccount:team:builder'), get('/apis/apps/v1/deployments'))).toBe('by-sa');
    expect(of(user('system:serviceaccount:team:builder'), get('/apis/apps/v1/namespaces/team/deployments'))).toBe('catch-all');
    expect(of(user('system:serviceaccount:other:builder'), get('/apis/apps/v1/deployments'))).toBe('catch-all');
    const anonymous = user('system:anonymous', ['system:unauthenticated']);
    expect(of(anonymous, get('/healthz/etcd'))).toBe('health');
    expect(of(anonymous, get('/healthzz'))).toBe('catch-all');
  });

  it("sorts the cluster's own clients by the suggested configuration as a Kubernetes 1.32 cluster does", () => {
    const all = new Map([...MANDATORY_PRIORITY_LEVELS, ...SUGGESTED_PRIORITY_LEVELS].map((l) => [l.metadata.name!, l]));
    const ordered = matchingOrder([...MANDATORY_FLOW_SCHEMAS, ...SUGGESTED_FLOW_SCHEMAS]);
    const of = (u: ReturnType<typeof user>, attrs: ReturnType<typeof get>) => name(classify(ordered, all, u, attrs));
    const kubelet = user('system:node:n1', ['system:nodes', 'system:authenticated']);
    const put = (path: string) => requestAttributes('PUT', path);
    expect(of(kubelet, requestAttributes('PATCH', '/api/v1/nodes/n1/status'))).toEqual(['system-node-high', 'node-high']);
    expect(of(kubelet, put('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1'))).toEqual(['system-node-high', 'node-high']);
    expect(of(kubelet, get('/api/v1/pods?fieldSelector=spec.nodeName%3Dn1'))).toEqual(['system-nodes', 'system']);
    const cm = user('system:kube-controller-manager');
    expect(of(cm, put('/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager'))).toEqual(['system-leader-election', 'leader-election']);
    expect(of(cm, put('/api/v1/namespaces/default/endpoints/web'))).toEqual(['endpoint-controller', 'workload-high']);
    expect(of(cm, get('/apis/apps/v1/replicasets'))).toEqual(['kube-controller-manager', 'workload-high']);
    expect(of(user('system:kube-scheduler'), requestAttributes('POST', '/api/v1/namespaces/default/pods/p/binding'))).toEqual(['kube-scheduler', 'workload-high']);
    const sa = (ns: string) => user(`system:serviceaccount:${ns}:app`, ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated']);
    expect(of(sa('kube-system'), put('/api/v1/namespaces/kube-system/configmaps/lock'))).toEqual(['workload-leader-election', 'leader-election']);
    expect(of(sa('kube-system'), get('/api/v1/pods'))).toEqual(['kube-system-service-accounts', 'workload-high']);
    expect(of(sa('team'), get('/api/v1/pods'))).toEqual(['service-accounts', 'workload-low']);
    expect(of(user('system:anonymous', ['system:unauthenticated']), get('/readyz'))).toEqual(['probes', 'exempt']);
    expect(of(user('alice'), get('/api/v1/namespaces/default/pods'))).toEqual(['global-default', 'global-default']);
    // Each level's seats of 600 (--max-requests-inflight 400 + --max-mutating-requests-inflight 200), as Kubernetes reports them.
    expect(Object.fromEntries(nominalSeats(all.values(), 600))).toEqual({ exempt: 0, 'catch-all': 13, system: 74, 'node-high': 98, 'leader-election': 25, 'workload-high': 98, 'workload-low': 245, 'global-default': 49 });
    // What each may lend (lendablePercent, halves rounded away from zero as Go does) and borrow (unlimited: the server's 600).
    const limits = levelLimits(all.values(), 600);
    expect(limits.get('workload-low')).toEqual({ nominal: 245, lendable: 221, borrowing: 600, queuing: { queues: 128, handSize: 6, queueLengthLimit: 50 } });
    expect(limits.get('node-high')).toMatchObject({ nominal: 98, lendable: 25, borrowing: 600 });
    expect(limits.get('exempt')).toEqual({ exempt: true, nominal: 0, lendable: 0, borrowing: 600 });
    expect(limits.get('catch-all')).toEqual({ nominal: 13, lendable: 0, borrowing: 600 });
  });

  it('says whether a schema dangles, and shares the server limit among levels by their shares', () => {
    expect(danglingCondition('x', true)).toMatchObject({ status: 'False', reason: 'Found' });
    expect(danglingCondition('x', false)).toMatchObject({ status: 'True', reason: 'NotFound' });
    const seats = nominalSeats([level('a', 10), level('b', 30), level('c'), { metadata: { name: 'exempt' }, spec: { type: 'Exempt' } }], 600);
    expect(Object.fromEntries(seats)).toEqual({ a: 86, b: 258, c: 258, exempt: 0 });
    const capped = { metadata: { name: 'capped' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 10, lendablePercent: 25, borrowingLimitPercent: 50, limitResponse: { type: 'Reject' } } } };
    expect(levelLimits([capped], 60).get('capped')).toEqual({ nominal: 60, lendable: 15, borrowing: 30 });
  });
});

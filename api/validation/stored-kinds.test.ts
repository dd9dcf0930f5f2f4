// Kubernetes' validation of kinds that were stored unchecked before: each case is a write
// Kubernetes refuses (or accepts) and the field and reason a client sees.
import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../defaults.js';
import { StatusError } from '../status.js';
import type { KubeObject, StatusCause } from '../types/meta.js';
import { validateCreate, validateUpdate } from './kinds.js';

const target = (apiVersion: string, kind: string, namespaced = true) => ({ apiVersion, kind, group: apiVersion.includes('/') ? apiVersion.split('/')[0]! : '', namespaced });

function obj(apiVersion: string, kind: string, body: Record<string, unknown>, namespaced = true): KubeObject {
  const o = { apiVersion, kind, metadata: { name: 'x', ...(namespaced ? { namespace: 'ns' } : {}) }, ...body } as KubeObject;
  applyDefaults(o);
  return o;
}

function causes(fn: () => void): StatusCause[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).code).toBe(422);
    return (err as StatusError).details!.causes!;
  }
  return [];
}

const create = (o: KubeObject, namespaced = true) => causes(() => validateCreate(target(o.apiVersion!, o.kind!, namespaced), o));
const fields = (cs: StatusCause[]) => cs.map((c) => `${c.field} ${c.reason}`);
const BOGUS = { matchExpressions: [{ key: 'app', operator: 'Bogus' }] };

describe('label selectors of every kind that stores one', () => {
  it('refuses an unknown operator and an invalid value wherever a selector is stored', () => {
    expect(fields(create(obj('policy/v1', 'PodDisruptionBudget', { spec: { minAvailable: 1, selector: BOGUS } })))).toEqual(['spec.selector.matchExpressions[0].operator FieldValueInvalid']);
    expect(fields(create(obj('rbac.authorization.k8s.io/v1', 'ClusterRole', { aggregationRule: { clusterRoleSelectors: [BOGUS] } }, false), false))).toEqual([
      'aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator FieldValueInvalid',
    ]);
    expect(fields(create(obj('rbac.authorization.k8s.io/v1', 'ClusterRole', { aggregationRule: {} }, false), false))).toEqual(['aggregationRule.clusterRoleSelectors FieldValueRequired']);
    const values = { matchExpressions: [{ key: 'app', operator: 'In', values: ['not a label value!'] }] };
    expect(fields(create(obj('storage.k8s.io/v1', 'CSIStorageCapacity', { storageClassName: 'c', nodeTopology: values })))).toEqual(['nodeTopology.matchExpressions[0].values[0] FieldValueInvalid']);
  });

  it('keeps accepting, on an update, invalid selector values the stored object already had', () => {
    const values = { matchExpressions: [{ key: 'app', operator: 'In', values: ['not a label value!'] }] };
    const prev = obj('policy/v1', 'PodDisruptionBudget', { spec: { minAvailable: 1, selector: values } });
    const next = obj('policy/v1', 'PodDisruptionBudget', { spec: { minAvailable: 2, selector: values } });
    expect(causes(() => validateUpdate(target('policy/v1', 'PodDisruptionBudget'), next, prev))).toEqual([]);
    expect(create(next)).not.toEqual([]);
  });

  it('updates an object of 300,000 selectors without running out of stack', () => {
    const role = (label: string) => obj('rbac.authorization.k8s.io/v1', 'ClusterRole', { aggregationRule: { clusterRoleSelectors: Array.from({ length: 300_000 }, () => ({ matchLabels: { a: label } })) } }, false);
    expect(causes(() => validateUpdate(target('rbac.authorization.k8s.io/v1', 'ClusterRole', false), role('b'), role('a')))).toEqual([]);
  });

  it('checks webhook and policy binding selectors, where a bad one would fail every matching request', () => {
    const hook = { name: 'a.b.c', clientConfig: { url: 'https://127.0.0.1:1/x' }, sideEffects: 'None', admissionReviewVersions: ['v1'], objectSelector: BOGUS };
    const cs = create(obj('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', { webhooks: [hook] }, false), false);
    expect(fields(cs)).toContain('webhooks[0].objectSelector.matchExpressions[0].operator FieldValueInvalid');
    const binding = obj('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding', { spec: { policyName: 'p', validationActions: ['Deny'], matchResources: { namespaceSelector: BOGUS } } }, false);
    expect(fields(create(binding, false))).toContain('spec.matchResources.namespaceSelector.matchExpressions[0].operator FieldValueInvalid');
  });
});

describe('NetworkPolicy', () => {
  const np = (spec: Record<string, unknown>) => obj('networking.k8s.io/v1', 'NetworkPolicy', { spec: { podSelector: {}, ...spec } });

  it('accepts peers of one kind each, port ranges and both policy types', () => {
    const ok = np({
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }, { namespaceSelector: {}, podSelector: { matchLabels: { a: 'b' } } }], ports: [{ port: 80, endPort: 90 }, { port: 'http' }] }],
      egress: [{ to: [{ ipBlock: { cidr: 'fd00::/8' } }] }],
      policyTypes: ['Ingress', 'Egress'],
    });
    expect(create(ok)).toEqual([]);
  });

  it('refuses empty peers, ipBlock with selectors, exceptions outside the block, bad ports and policy types', () => {
    const bad = np({
      ingress: [{ from: [{}, { ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/16', '10.0.0.0/8'] } }, { ipBlock: { cidr: 'nope' } }], ports: [{ port: 'http', endPort: 90 }, { port: 90, endPort: 80 }, { endPort: 5 }, { protocol: 'ICMP' }] }],
      policyTypes: ['Bogus'],
    });
    expect(fields(create(bad))).toEqual([
      'spec.ingress[0].ports[0].endPort FieldValueInvalid',
      'spec.ingress[0].ports[1].endPort FieldValueInvalid',
      'spec.ingress[0].ports[2].endPort FieldValueInvalid',
      'spec.ingress[0].ports[3].protocol FieldValueNotSupported',
      'spec.ingress[0].from[0] FieldValueRequired',
      'spec.ingress[0].from[1] FieldValueForbidden',
      'spec.ingress[0].from[2].ipBlock.except[0] FieldValueInvalid',
      'spec.ingress[0].from[2].ipBlock.except[1] FieldValueInvalid',
      'spec.ingress[0].from[3].ipBlock.cidr FieldValueInvalid',
      'spec.policyTypes[0] FieldValueNotSupported',
    ]);
  });
});

describe('RBAC', () => {
  const rbac = 'rbac.authorization.k8s.io/v1';

  it('defaults the role reference and User and Group subjects to the RBAC group', () => {
    const b = obj(rbac, 'RoleBinding', { roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'u' }, { kind: 'Group', name: 'g' }, { kind: 'ServiceAccount', name: 'default' }] });
    expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' });
    expect((b.subjects as { apiGroup?: string }[]).map((s) => s.apiGroup)).toEqual(['rbac.authorization.k8s.io', 'rbac.authorization.k8s.io', undefined]);
    expect(create(b)).toEqual([]);
  });

  it('refuses rules without verbs, namespaced non-resource URLs and mixed rules', () => {
    const r = obj(rbac, 'Role', { rules: [{ apiGroups: [''], resources: ['pods'] }, { nonResourceURLs: ['/x'], verbs: ['get'] }, { verbs: ['get'] }] });
    expect(fields(create(r))).toEqual([
      'rules[0].verbs FieldValueRequired',
      'rules[1].nonResourceURLs FieldValueInvalid',
      'rules[2].apiGroups FieldValueRequired',
      'rules[2].resources FieldValueRequired',
    ]);
    const cr = obj(rbac, 'ClusterRole', { rules: [{ nonResourceURLs: ['/x'], verbs: ['get'] }, { nonResourceURLs: ['/y'], resources: ['pods'], verbs: ['get'] }] }, false);
    expect(fields(create(cr, false))).toEqual(['rules[1].nonResourceURLs FieldValueInvalid']);
  });

  it('refuses unknown role kinds and subjects, and a cluster binding of a service account without its namespace', () => {
    const b = obj(rbac, 'ClusterRoleBinding', { roleRef: { apiGroup: 'x', kind: 'Role', name: '' }, subjects: [{ kind: 'Bogus', name: 'u' }, { kind: 'ServiceAccount', name: 'default' }] }, false);
    expect(fields(create(b, false))).toEqual([
      'roleRef.apiGroup FieldValueNotSupported',
      'roleRef.kind FieldValueNotSupported',
      'roleRef.name FieldValueRequired',
      'subjects[0].kind FieldValueNotSupported',
      'subjects[1].namespace FieldValueRequired',
    ]);
  });

  it("refuses to change a binding's role, as Kubernetes shows it", () => {
    const prev = obj(rbac, 'RoleBinding', { roleRef: { kind: 'Role', name: 'a' } });
    const next = obj(rbac, 'RoleBinding', { roleRef: { kind: 'Role', name: 'b' } });
    expect(causes(() => validateUpdate(target(rbac, 'RoleBinding'), next, prev))).toEqual([
      { reason: 'FieldValueInvalid', field: 'roleRef', message: 'Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"b"}: cannot change roleRef' },
    ]);
  });
});

describe('finalizers', () => {
  it('limits built-in objects to the standard finalizers without a domain, and never both orphan and foregroundDeletion', () => {
    const cm = obj('v1', 'ConfigMap', {});
    cm.metadata.finalizers = ['mine', 'example.com/ok', 'kubernetes', 'orphan', 'foregroundDeletion', 'bad name!/x'];
    expect(fields(create(cm))).toEqual([
      'metadata.finalizers[0] FieldValueInvalid',
      'metadata.finalizers FieldValueInvalid',
      'metadata.finalizers FieldValueInvalid',
    ]);
  });

  it('lets definitions of the extension servers carry any qualified finalizer (the CRD cleanup one has no domain path)', () => {
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'x', finalizers: ['customresourcecleanup.apiextensions.k8s.io'] } } as KubeObject;
    expect(fields(causes(() => validateCreate(target(crd.apiVersion!, crd.kind!, false), crd))).filter((f) => f.startsWith('metadata.finalizers'))).toEqual([]);
  });

  it("checks a namespace's spec.finalizers the same way", () => {
    const ns = obj('v1', 'Namespace', { spec: { finalizers: ['bad one!'] } }, false);
    expect(fields(create(ns, false))).toEqual(['spec.finalizers FieldValueInvalid', 'spec.finalizers[0] FieldValueInvalid']);
  });
});

describe('Node', () => {
  it('refuses bad taints, duplicate key and effect pairs, and pod CIDRs that are not one per family', () => {
    const n = obj('v1', 'Node', { spec: { podCIDRs: ['10.0.0.0/24', '10.1.0.0/24'], taints: [{ key: 'k', effect: 'Bogus' }, { key: 'a', effect: 'NoSchedule' }, { key: 'a', value: 'x', effect: 'NoSchedule' }, { key: 'b' }] } }, false);
    const cs = create(n, false);
    expect(fields(cs)).toEqual([
      'metadata.taints[0].effect FieldValueNotSupported',
      'metadata.taints[2] FieldValueDuplicate',
      'metadata.taints[3].effect FieldValueRequired',
      'spec.podCIDRs FieldValueInvalid',
    ]);
    expect(cs[1]!.message).toBe('Duplicate value: core.Taint{Key:"a", Value:"x", Effect:"NoSchedule", TimeAdded:<nil>}: taints must be unique by key and effect pair');
    expect(create(obj('v1', 'Node', { spec: { podCIDRs: ['10.0.0.0/24', 'fd00::/64'] } }, false), false)).toEqual([]);
  });

  it('lets an update set pod CIDRs and the provider ID once, never change them', () => {
    const prev = obj('v1', 'Node', { spec: {} }, false);
    const set = obj('v1', 'Node', { spec: { podCIDRs: ['10.0.0.0/24'], providerID: 'p' } }, false);
    const changed = obj('v1', 'Node', { spec: { podCIDRs: ['10.9.0.0/24'], providerID: 'q' } }, false);
    const t = target('v1', 'Node', false);
    expect(causes(() => validateUpdate(t, set, prev))).toEqual([]);
    expect(fields(causes(() => validateUpdate(t, changed, set)))).toEqual(['spec.podCIDRs FieldValueForbidden', 'spec.providerID FieldValueForbidden']);
  });
});

describe('PersistentVolume', () => {
  const pv = (spec: Record<string, unknown>) => obj('v1', 'PersistentVolume', { spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], ...spec } }, false);

  it('needs exactly one volume source, a storage capacity, and node affinity for a local volume', () => {
    expect(fields(create(pv({}), false))).toEqual(['spec FieldValueRequired']);
    expect(fields(create(pv({ hostPath: { path: '/a/../b' }, nfs: { server: 's', path: '/' }, capacity: { storage: '1Gi', cpu: '1' } }), false))).toEqual([
      'spec.capacity FieldValueNotSupported',
      'spec.nfs FieldValueForbidden',
      'spec.hostPath.path FieldValueInvalid',
    ]);
    expect(fields(create(pv({ local: { path: 'relative' } }), false))).toEqual(['spec.local.path FieldValueInvalid', 'spec.nodeAffinity FieldValueRequired']);
    expect(create(pv({ hostPath: { path: '/data' } }), false)).toEqual([]);
  });

  it('keeps the volume source once created', () => {
    const prev = pv({ hostPath: { path: '/a' } });
    const next = pv({ hostPath: { path: '/b' } });
    expect(fields(causes(() => validateUpdate(target('v1', 'PersistentVolume', false), next, prev)))).toEqual(['spec.persistentvolumesource FieldValueForbidden']);
  });
});

describe('ResourceQuota', () => {
  it('refuses unknown resources, negative and fractional counts, unknown and conflicting scopes', () => {
    const q = obj('v1', 'ResourceQuota', {
      spec: { hard: { bogus: '1', cpu: '-1', pods: '1.5', 'count/deployments.apps': '2', 'requests.example.com/gpu': '1' }, scopes: ['BestEffort', 'NotBestEffort'] },
    });
    expect(fields(create(q))).toEqual([
      'spec.hard[bogus] FieldValueInvalid',
      'spec.hard[cpu] FieldValueInvalid',
      'spec.hard[pods] FieldValueInvalid',
      'spec.scopes FieldValueInvalid', // BestEffort limits only pods, not cpu
      'spec.scopes FieldValueInvalid', // conflicting scopes
    ]);
    const selector = obj('v1', 'ResourceQuota', { spec: { hard: { pods: '1' }, scopeSelector: { matchExpressions: [{ scopeName: 'Terminating', operator: 'In', values: ['x'] }, { scopeName: 'PriorityClass', operator: 'In' }] } } });
    expect(fields(create(selector))).toEqual(['spec.scopeSelector.matchExpressions.operator FieldValueInvalid', 'spec.scopeSelector.matchExpressions.values FieldValueRequired']);
  });
});

describe('Endpoints and EndpointSlices', () => {
  it("refuses what is not an IP of the slice's family, link-local addresses and unnamed ports among several", () => {
    const ep = obj('v1', 'Endpoints', { subsets: [{ addresses: [{ ip: 'nope' }, { ip: '169.254.169.254' }, { ip: '127.64.0.9' }], ports: [{ port: 80 }, { port: 99999, name: 'b' }] }, { ports: [{ port: 1 }] }] });
    expect(fields(create(ep))).toEqual([
      'subsets[0].addresses[0].ip FieldValueInvalid',
      'subsets[0].addresses[1].ip FieldValueInvalid',
      'subsets[0].ports[0].name FieldValueRequired',
      'subsets[0].ports[1].port FieldValueInvalid',
      'subsets[1] FieldValueRequired',
    ]);
    const slice = obj('discovery.k8s.io/v1', 'EndpointSlice', { addressType: 'IPv4', endpoints: [{ addresses: [] }, { addresses: ['fd00::1'] }], ports: [{ name: 'a', port: 1 }, { name: 'a', port: 2 }] });
    expect(fields(create(slice))).toEqual(['endpoints[0].addresses FieldValueRequired', 'endpoints[1].addresses[0] FieldValueInvalid', 'ports[1].name FieldValueDuplicate']);
  });
});

describe('Ingress and IngressClass', () => {
  it('refuses IP hosts, relative and traversing paths, missing path types and backends without a port', () => {
    const ing = obj('networking.k8s.io/v1', 'Ingress', {
      spec: {
        rules: [
          { host: '1.2.3.4', http: { paths: [{ path: 'x', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }, { path: '/a/../b', pathType: 'Exact', backend: { service: { name: 's' } } }, { path: '/', backend: { resource: { kind: 'K', name: 'n' } } }] } },
          { host: '*.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { name: 'http' } } } }] } },
        ],
      },
    });
    expect(fields(create(ing))).toEqual([
      'spec.rules[0].host FieldValueInvalid', // an IP (which is also a valid DNS subdomain)
      'spec.rules[0].http.paths[0].path FieldValueInvalid',
      'spec.rules[0].http.paths[1].path FieldValueInvalid',
      'spec.rules[0].http.paths[1].backend FieldValueRequired',
      'spec.rules[0].http.paths[2].pathType FieldValueRequired',
    ]);
    expect(fields(create(obj('networking.k8s.io/v1', 'Ingress', { spec: {} })))).toEqual(['spec FieldValueInvalid']);
  });

  it("needs a class's controller to be a domain-prefixed path, fixed once set", () => {
    expect(fields(create(obj('networking.k8s.io/v1', 'IngressClass', { spec: { controller: 'nginx' } }, false), false))).toEqual(['spec.controller FieldValueInvalid']);
    const prev = obj('networking.k8s.io/v1', 'IngressClass', { spec: { controller: 'example.com/a' } }, false);
    const next = obj('networking.k8s.io/v1', 'IngressClass', { spec: { controller: 'example.com/b' } }, false);
    expect(fields(causes(() => validateUpdate(target('networking.k8s.io/v1', 'IngressClass', false), next, prev)))).toEqual(['spec.controller FieldValueInvalid']);
  });
});

describe('Event', () => {
  const ev = (namespace: string, body: Record<string, unknown>) => {
    const o = obj('v1', 'Event', body);
    o.metadata.namespace = namespace;
    return o;
  };

  it("keeps an old-style event in its object's namespace, or default for a cluster object", () => {
    expect(create(ev('ns', { involvedObject: { kind: 'Pod', namespace: 'ns', name: 'p' }, reason: 'R' }))).toEqual([]);
    expect(create(ev('default', { involvedObject: { kind: 'Node', name: 'n' }, reason: 'R' }))).toEqual([]);
    expect(fields(create(ev('ns', { involvedObject: { kind: 'Node', name: 'n' } })))).toEqual(['involvedObject.namespace FieldValueInvalid']);
    expect(fields(create(ev('other', { involvedObject: { kind: 'Pod', namespace: 'ns', name: 'p' } })))).toEqual(['involvedObject.namespace FieldValueInvalid']);
  });

  it('needs a new-style event to name its reporter, action and reason within their lengths', () => {
    const e = ev('ns', { eventTime: '2026-01-01T00:00:00.000000Z', involvedObject: { kind: 'Pod', namespace: 'ns', name: 'p' }, reportingComponent: 'not qualified!', reason: 'r'.repeat(129), message: 'm'.repeat(1025) });
    expect(fields(create(e))).toEqual([
      'reportingController FieldValueInvalid',
      'reportingInstance FieldValueRequired',
      'action FieldValueRequired',
      'reason FieldValueInvalid',
      'message FieldValueInvalid',
    ]);
  });

  const STRICT = 'events.k8s.io/v1';
  const fresh = (body: Record<string, unknown> = {}) =>
    ev('ns', { eventTime: '2026-01-01T00:00:00.000000Z', involvedObject: { kind: 'Pod', namespace: 'ns', name: 'p' }, reportingComponent: 'example.com/c', reportingInstance: 'i', action: 'A', reason: 'R', type: 'Normal', ...body });
  const createAs = (o: KubeObject, version?: string) => causes(() => validateCreate(target('v1', 'Event'), o, version));
  const updateAs = (next: KubeObject, prev: KubeObject, version?: string) => causes(() => validateUpdate(target('v1', 'Event'), next, prev, version));

  it('holds a create through events.k8s.io/v1 to a known type, a time, a series of two or more and no deprecated fields; core/v1 is not', () => {
    expect(createAs(fresh(), STRICT)).toEqual([]);
    const old = fresh({ type: 'Bogus', count: 3, firstTimestamp: '2026-01-01T00:00:00Z', source: { component: 'kubelet' }, series: { count: 1 } });
    expect(createAs(old, 'v1')).toEqual([]);
    expect(createAs(old)).toEqual([]);
    expect(fields(createAs(old, STRICT))).toEqual([
      'series.count FieldValueInvalid',
      'series.lastObservedTime FieldValueRequired',
      'type FieldValueInvalid',
      'firstTimestamp FieldValueInvalid',
      'count FieldValueInvalid',
      'source FieldValueInvalid',
    ]);
    expect(createAs(old, STRICT).find((c) => c.field === 'type')!.message).toBe('Invalid value: "": has invalid value: Bogus');
    expect(fields(createAs(fresh({ eventTime: undefined }), STRICT))).toContain('eventTime FieldValueRequired');
  });

  it('checks an event name as a path segment, and as a DNS subdomain only through events.k8s.io/v1', () => {
    const named = (name: string) => {
      const o = fresh();
      o.metadata.name = name;
      return o;
    };
    expect(createAs(named('Pod_A.17a2b'), 'v1')).toEqual([]);
    expect(fields(createAs(named('Pod_A.17a2b'), STRICT))).toEqual(['metadata.name FieldValueInvalid']);
    expect(fields(createAs(named('a/b'), 'v1'))).toEqual(['metadata.name FieldValueInvalid']);
  });

  it('lets an update through events.k8s.io/v1 change only the series and metadata', () => {
    const prev = fresh({ series: { count: 2, lastObservedTime: '2026-01-01T00:00:01.000000Z' } });
    const next = fresh({ series: { count: 3, lastObservedTime: '2026-01-01T00:00:02.000000Z' } });
    next.metadata.labels = { a: 'b' };
    expect(updateAs(next, prev, STRICT)).toEqual([]);
    const changed = fresh({ reason: 'Other', message: 'new note', reportingComponent: 'example.com/other', series: { count: 1, lastObservedTime: '2026-01-01T00:00:02.000000Z' } });
    expect(fields(updateAs(changed, prev, STRICT))).toEqual(['series.count FieldValueInvalid', 'reason FieldValueInvalid', 'message FieldValueInvalid', 'reportingController FieldValueInvalid']);
    expect(updateAs(changed, prev, STRICT).find((c) => c.field === 'reason')!.message).toBe('Invalid value: "Other": field is immutable');
    expect(updateAs(changed, prev, 'v1')).toEqual([]);
  });
});

describe('Job', () => {
  const template = { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } };
  it('knows the completion modes, and bounds an Indexed job: completions required, parallelism at most 100,000', () => {
    expect(fields(create(obj('batch/v1', 'Job', { spec: { completionMode: 'Bogus', template } })))).toEqual(['spec.completionMode FieldValueNotSupported']);
    expect(fields(create(obj('batch/v1', 'Job', { spec: { completionMode: 'Indexed', parallelism: 100_001, template } })))).toEqual([
      'spec.completions FieldValueRequired',
      'spec.parallelism FieldValueInvalid',
    ]);
  });
});

describe('Service', () => {
  it("refuses a port name that is not a DNS label (its endpoints would be refused forever)", () => {
    const svc = obj('v1', 'Service', { spec: { selector: { a: 'b' }, ports: [{ name: '/../x', port: 80 }] } });
    expect(fields(create(svc))).toEqual(['spec.ports[0].name FieldValueInvalid']);
  });
});

describe('probes and lifecycle hooks', () => {
  it('reads a string port as a name: "0" and "80" are refused (a controller reading them as numbers failed every status write)', () => {
    const pod = obj('v1', 'Pod', {
      spec: {
        containers: [{
          name: 'c', image: 'i',
          readinessProbe: { httpGet: { path: '/', port: '0' } },
          livenessProbe: { tcpSocket: { port: 'http' } },
          lifecycle: { preStop: { httpGet: { path: '/', port: '80', scheme: 'GOPHER' } } },
        }],
      },
    });
    expect(fields(create(pod))).toEqual([
      'spec.containers[0].lifecycle.preStop.httpGet.port FieldValueInvalid',
      'spec.containers[0].lifecycle.preStop.httpGet.scheme FieldValueNotSupported',
      'spec.containers[0].readinessProbe.httpGet.port FieldValueInvalid',
    ]);
  });
});

describe('DaemonSet and StatefulSet update strategies', () => {
  const template = { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  const spec = { selector: { matchLabels: { a: 'b' } }, template };
  it('knows the strategy types and bounds their rolling updates', () => {
    expect(fields(create(obj('apps/v1', 'DaemonSet', { spec: { ...spec, updateStrategy: { type: 'Bogus' } } })))).toEqual(['spec.updateStrategy FieldValueNotSupported']);
    expect(fields(create(obj('apps/v1', 'DaemonSet', { spec: { ...spec, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } } })))).toEqual([
      'spec.updateStrategy.rollingUpdate.maxUnavailable FieldValueInvalid',
    ]);
    expect(fields(create(obj('apps/v1', 'StatefulSet', { spec: { ...spec, serviceName: 's', updateStrategy: { type: 'Bogus' } } })))).toEqual(['spec.updateStrategy FieldValueInvalid']);
    expect(fields(create(obj('apps/v1', 'StatefulSet', { spec: { ...spec, serviceName: 's', updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } } } })))).toEqual([
      'spec.updateStrategy.rollingUpdate FieldValueInvalid',
    ]);
    expect(create(obj('apps/v1', 'StatefulSet', { spec: { ...spec, serviceName: 's' } }))).toEqual([]);
    expect(create(obj('apps/v1', 'DaemonSet', { spec }))).toEqual([]);
  });
});

describe('FlowSchema rules', () => {
  const schema = (rule: Record<string, unknown>) =>
    obj('flowcontrol.apiserver.k8s.io/v1', 'FlowSchema', { spec: { priorityLevelConfiguration: { name: 'workload-low' }, rules: [{ subjects: [{ kind: 'Group', group: { name: 'g' } }], ...rule }] } }, false);
  const fs = (rule: Record<string, unknown>) => fields(create(schema(rule), false));

  it('accepts the suggested and mandatory schemas', async () => {
    const { SUGGESTED_FLOW_SCHEMAS } = await import('../kinds/flowcontrol/suggested-configuration.js');
    const { MANDATORY_FLOW_SCHEMAS } = await import('../kinds/flowcontrol/flowschema.js');
    for (const o of [...SUGGESTED_FLOW_SCHEMAS, ...MANDATORY_FLOW_SCHEMAS]) expect(create(structuredClone(o), false), o.metadata.name).toEqual([]);
  });

  it('refuses unknown verbs, wildcards beside other values, invalid namespaces and URLs', () => {
    expect(fs({ resourceRules: [{ verbs: ['get', 'Bogus'], apiGroups: [''], resources: ['pods'], namespaces: ['a'] }] })).toEqual(['spec.rules[0].resourceRules[0].verbs FieldValueNotSupported']);
    expect(fs({ resourceRules: [{ verbs: ['*', 'get'], apiGroups: ['*', 'apps'], resources: ['*', 'x'], namespaces: ['*', 'a'] }] })).toEqual([
      'spec.rules[0].resourceRules[0].verbs FieldValueInvalid',
      'spec.rules[0].resourceRules[0].apiGroups FieldValueInvalid',
      'spec.rules[0].resourceRules[0].resources FieldValueInvalid',
      'spec.rules[0].resourceRules[0].namespaces FieldValueInvalid',
    ]);
    expect(fs({ resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], namespaces: ['Bogus', 'ok'] }] })).toEqual(['spec.rules[0].resourceRules[0].namespaces[0] FieldValueInvalid']);
    expect(fs({ nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['healthz', '/a//b', '/a b', '/*/x', '/ok/*', '/'] }] })).toEqual([
      'spec.rules[0].nonResourceRules[0].nonResourceURLs[0] FieldValueInvalid',
      'spec.rules[0].nonResourceRules[0].nonResourceURLs[1] FieldValueInvalid',
      'spec.rules[0].nonResourceRules[0].nonResourceURLs[2] FieldValueInvalid',
      'spec.rules[0].nonResourceRules[0].nonResourceURLs[3] FieldValueInvalid',
    ]);
  });

  it('checks a service account subject names a valid account and namespace', () => {
    const subject = (serviceAccount: Record<string, unknown>) =>
      fields(create(obj('flowcontrol.apiserver.k8s.io/v1', 'FlowSchema', { spec: { priorityLevelConfiguration: { name: 'p' }, rules: [{ subjects: [{ kind: 'ServiceAccount', serviceAccount }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] }] } }, false), false));
    expect(subject({ name: '*', namespace: 'kube-system' })).toEqual([]);
    expect(subject({ name: 'Bad_Name', namespace: 'Bad' })).toEqual(['spec.rules[0].subjects[0].serviceAccount.name FieldValueInvalid', 'spec.rules[0].subjects[0].serviceAccount.namespace FieldValueInvalid']);
    expect(subject({ name: 'a' })).toEqual(['spec.rules[0].subjects[0].serviceAccount.namespace FieldValueRequired']);
  });
});

describe('LimitRange and Lease values', () => {
  it('refuses negative bounds and a limit type given twice', () => {
    const lr = (limits: unknown[]) => fields(create(obj('v1', 'LimitRange', { spec: { limits } })));
    expect(lr([{ type: 'Container', defaultRequest: { cpu: '-5m' }, max: { cpu: '1' } }])).toEqual(['spec.limits[0].defaultRequest[cpu] FieldValueInvalid']);
    expect(lr([{ type: 'Container', max: { cpu: '1' } }, { type: 'Container', min: { cpu: '0' } }])).toEqual(['spec.limits[1].type FieldValueDuplicate']);
    expect(lr([{ type: 'Container', max: { cpu: '1' } }, { type: 'Pod', max: { cpu: '2' } }])).toEqual([]);
  });

  it('takes a lease duration only above zero', () => {
    const lease = (spec: Record<string, unknown>) => fields(create(obj('coordination.k8s.io/v1', 'Lease', { spec })));
    expect(lease({ leaseDurationSeconds: 0 })).toEqual(['spec.leaseDurationSeconds FieldValueInvalid']);
    expect(lease({ leaseDurationSeconds: 15, leaseTransitions: -1 })).toEqual(['spec.leaseTransitions FieldValueInvalid']);
    expect(lease({ leaseDurationSeconds: 15 })).toEqual([]);
  });
});

describe('Service addressing', () => {
  const svc = (spec: Record<string, unknown>) => fields(create(obj('v1', 'Service', { spec: { ports: [{ port: 80 }], ...spec } })));

  it('takes what Kubernetes takes', () => {
    expect(svc({ type: 'LoadBalancer', externalIPs: ['192.0.2.10'], loadBalancerSourceRanges: ['10.0.0.0/8', ' 192.168.0.1/16'], ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv4', 'IPv6'], sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ port: 80, appProtocol: 'kubernetes.io/h2c' }] })).toEqual([]);
    expect(svc({ type: 'ExternalName', externalName: 'db.example.com.', ports: [] })).toEqual([]);
    // ClientIP without a timeout takes the default, three hours.
    expect(svc({ sessionAffinity: 'ClientIP' })).toEqual([]);
  });

  it('refuses addresses, ranges, families and names that are not what they say', () => {
    expect(svc({ type: 'ExternalName', externalName: 'Not_A_Host', ports: [] })).toEqual(['spec.externalName FieldValueInvalid']);
    expect(svc({ externalIPs: ['bogus', '127.0.0.1', '169.254.169.254', '0.0.0.0'] })).toEqual([
      'spec.externalIPs[0] FieldValueInvalid',
      'spec.externalIPs[1] FieldValueInvalid',
      'spec.externalIPs[2] FieldValueInvalid',
      'spec.externalIPs[3] FieldValueInvalid',
    ]);
    expect(svc({ loadBalancerSourceRanges: ['10.0.0.0/8'] })).toEqual(['spec.loadBalancerSourceRanges FieldValueForbidden']);
    expect(svc({ type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0'] })).toEqual(['spec.loadBalancerSourceRanges[0] FieldValueInvalid']);
    expect(svc({ ipFamilyPolicy: 'Bogus', ipFamilies: ['IPv4', 'IPv4', 'IPv5'] })).toEqual([
      'spec.ipFamilyPolicy FieldValueNotSupported',
      'spec.ipFamilies[1] FieldValueDuplicate',
      'spec.ipFamilies[2] FieldValueNotSupported',
      'spec.ipFamilies FieldValueInvalid',
    ]);
    expect(svc({ ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4', 'IPv6'] })).toEqual(['spec.ipFamilies FieldValueInvalid']);
    expect(svc({ ports: [{ port: 80, appProtocol: '' }] })).toEqual(['spec.ports[0].appProtocol FieldValueInvalid']);
  });

  it('keeps ClientIP affinity within a day, and refuses its configuration without it', () => {
    for (const timeoutSeconds of [0, -1, 86401]) expect(svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds } } })).toEqual(['spec.sessionAffinityConfig.clientIP.timeoutSeconds FieldValueInvalid']);
    expect(svc({ sessionAffinity: 'None', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } } })).toEqual(['spec.sessionAffinityConfig FieldValueForbidden']);
  });
});

describe('CustomResourceDefinition names', () => {
  const crd = (names: Record<string, unknown>) =>
    fields(create(obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', { metadata: { name: 'widgets.example.com' }, spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', ...names }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] } }, false), false));

  it('takes kinds of mixed case that are otherwise DNS-1035 labels, list kinds too', () => {
    expect(crd({ kind: 'Widget', listKind: 'WidgetList' })).toEqual([]);
    // The singular and list kind default from the kind, and are as long.
    expect(crd({ kind: 'W'.repeat(64) })).toEqual(['spec.names.singular FieldValueInvalid', 'spec.names.kind FieldValueInvalid', 'spec.names.listKind FieldValueInvalid']);
    expect(crd({ kind: 'Widget', listKind: 'a/b' })).toEqual(['spec.names.listKind FieldValueInvalid']);
  });
});

describe('Job policies', () => {
  const template = { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } };
  const job = (spec: Record<string, unknown>) => fields(create(obj('batch/v1', 'Job', { spec: { template, ...spec } })));
  const indexed = { completionMode: 'Indexed', completions: 4 };

  it('takes the policies Kubernetes takes', () => {
    expect(job({ ...indexed, backoffLimitPerIndex: 1, maxFailedIndexes: 2, successPolicy: { rules: [{ succeededIndexes: '0,2-3', succeededCount: 2 }] }, podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { containerName: 'c', operator: 'In', values: [1, 3] } }, { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] } })).toEqual([]);
  });

  it('refuses unknown actions, operators and statuses, unordered exit codes and rules of neither or both kinds', () => {
    expect(job({ podFailurePolicy: { rules: [{ action: 'Bogus', onExitCodes: { containerName: 'x', operator: 'Is', values: [3, 0, 3] } }, { action: 'Count', onPodConditions: [{ type: '-', status: 'Maybe' }], onExitCodes: { operator: 'NotIn', values: [1] } }, { action: 'FailIndex' }] } })).toEqual([
      'spec.podFailurePolicy.rules[0].action FieldValueNotSupported',
      'spec.podFailurePolicy.rules[0].onExitCodes.operator FieldValueNotSupported',
      'spec.podFailurePolicy.rules[0].onExitCodes.containerName FieldValueInvalid',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[2] FieldValueDuplicate',
      'spec.podFailurePolicy.rules[0].onExitCodes.values FieldValueInvalid',
      'spec.podFailurePolicy.rules[1].onPodConditions[0].type FieldValueInvalid',
      'spec.podFailurePolicy.rules[1].onPodConditions[0].status FieldValueNotSupported',
      'spec.podFailurePolicy.rules[1] FieldValueInvalid',
      'spec.podFailurePolicy.rules[2].action FieldValueInvalid',
      'spec.podFailurePolicy.rules[2] FieldValueInvalid',
    ]);
    expect(job({ podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [0] } }] }, podReplacementPolicy: 'TerminatingOrFailed' })).toEqual([
      'spec.podFailurePolicy.rules[0].onExitCodes.values[0] FieldValueInvalid',
      'spec.podReplacementPolicy FieldValueNotSupported',
    ]);
    expect(job({ podReplacementPolicy: 'Bogus' })).toEqual(['spec.podReplacementPolicy FieldValueNotSupported']);
  });

  it('bounds backoff per index and reads success indexes as Kubernetes writes them', () => {
    expect(job({ backoffLimitPerIndex: -1, maxFailedIndexes: 2 })).toEqual(['spec.backoffLimitPerIndex FieldValueInvalid', 'spec.backoffLimitPerIndex FieldValueInvalid']);
    expect(job({ ...indexed, maxFailedIndexes: 5 })).toEqual(['spec.backoffLimitPerIndex FieldValueRequired', 'spec.maxFailedIndexes FieldValueInvalid']);
    expect(job({ completionMode: 'Indexed', completions: 200_000, parallelism: 20_000, backoffLimitPerIndex: 1 })).toEqual(['spec.maxFailedIndexes FieldValueRequired', 'spec.parallelism FieldValueInvalid']);
    for (const succeededIndexes of ['Bogus', '3,1', '1-1', '0-9', '1-2-3', '-1']) {
      expect(job({ ...indexed, successPolicy: { rules: [{ succeededIndexes }] } }), succeededIndexes).toEqual(['spec.successPolicy.rules[0].succeededIndexes FieldValueInvalid']);
    }
    expect(job({ ...indexed, successPolicy: { rules: [{ succeededIndexes: '0-1', succeededCount: 3 }, {}] } })).toEqual(['spec.successPolicy.rules[0].succeededCount FieldValueInvalid', 'spec.successPolicy.rules[1] FieldValueRequired']);
    expect(job({ successPolicy: { rules: [{ succeededCount: 1 }] } })).toEqual(['spec.successPolicy FieldValueInvalid']);
  });
});

describe('workload, endpoint, autoscaler, claim and storage class values', () => {
  const template = { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };

  it('keeps CronJob history and deadlines and StatefulSet counts non-negative, and retention policies known', () => {
    const jobTemplate = { spec: { template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } } };
    expect(fields(create(obj('batch/v1', 'CronJob', { spec: { schedule: '@hourly', jobTemplate, startingDeadlineSeconds: -1, successfulJobsHistoryLimit: -1, failedJobsHistoryLimit: -1 } })))).toEqual([
      'spec.startingDeadlineSeconds FieldValueInvalid',
      'spec.successfulJobsHistoryLimit FieldValueInvalid',
      'spec.failedJobsHistoryLimit FieldValueInvalid',
    ]);
    expect(fields(create(obj('apps/v1', 'StatefulSet', { spec: { selector: { matchLabels: { a: 'b' } }, template, minReadySeconds: -1, revisionHistoryLimit: -1, ordinals: { start: -1 }, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Bogus' } } })))).toEqual([
      'spec.minReadySeconds FieldValueInvalid',
      'spec.revisionHistoryLimit FieldValueInvalid',
      'spec.ordinals.start FieldValueInvalid',
      'spec.persistentVolumeClaimRetentionPolicy.whenDeleted FieldValueNotSupported',
    ]);
  });

  it('checks endpoint zones, hints and application protocols', () => {
    const slice = (endpoint: Record<string, unknown>, port: Record<string, unknown> = {}) =>
      fields(create(obj('discovery.k8s.io/v1', 'EndpointSlice', { addressType: 'IPv4', endpoints: [{ addresses: ['10.1.1.1'], ...endpoint }], ports: [{ port: 80, protocol: 'TCP', ...port }] })));
    expect(slice({ zone: 'zone-a', hints: { forZones: [{ name: 'zone-a' }] } }, { appProtocol: 'kubernetes.io/h2c' })).toEqual([]);
    expect(slice({ zone: 'a/b', hints: { forZones: [{ name: 'x' }, { name: 'x' }, { name: 'not a zone' }] } }, { appProtocol: '/../x' })).toEqual([
      'endpoints[0].zone FieldValueInvalid',
      'endpoints[0].hints.forZones[1].name FieldValueDuplicate',
      'endpoints[0].hints.forZones[2].name FieldValueInvalid',
      'ports[0].appProtocol FieldValueInvalid',
    ]);
    expect(fields(create(obj('v1', 'Endpoints', { subsets: [{ addresses: [{ ip: '10.1.1.1' }], ports: [{ port: 80, protocol: 'TCP', appProtocol: '' }] }] })))).toEqual(['subsets[0].ports[0].appProtocol FieldValueInvalid']);
  });

  it('checks an autoscaler container and metric names, claim limits and storage class topologies', () => {
    const hpa = (metric: Record<string, unknown>) => fields(create(obj('autoscaling/v2', 'HorizontalPodAutoscaler', { spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' }, maxReplicas: 3, metrics: [metric] } })));
    expect(hpa({ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'Not_A_Container', target: { type: 'Utilization', averageUtilization: 50 } } })).toEqual(['spec.metrics[0].containerResource.container FieldValueInvalid']);
    expect(hpa({ type: 'Pods', pods: { metric: { name: 'a/b' }, target: { type: 'AverageValue', averageValue: '1' } } })).toEqual(['spec.metrics[0].pods.metric.name FieldValueInvalid']);
    const claim = (resources: Record<string, unknown>) => fields(create(obj('v1', 'PersistentVolumeClaim', { spec: { accessModes: ['ReadWriteOnce'], resources } })));
    expect(claim({ requests: { storage: '1Gi' }, limits: { storage: '2Gi' } })).toEqual([]);
    expect(claim({ requests: { storage: '1Gi' }, limits: { storage: '-1' } })).toEqual(['spec.resources.limits[storage] FieldValueInvalid', 'spec.resources.requests FieldValueInvalid']);
    const sc = (allowedTopologies: unknown[]) => fields(create(obj('storage.k8s.io/v1', 'StorageClass', { provisioner: 'example.com/p', allowedTopologies }, false), false));
    expect(sc([{ matchLabelExpressions: [{ key: 'zone', values: ['a', 'b'] }] }])).toEqual([]);
    expect(sc([{ matchLabelExpressions: [{ key: '-', values: [] }, { key: 'zone', values: ['a', 'a'] }, { key: 'zone', values: ['b'] }] }])).toEqual([
      'allowedTopologies[0].matchLabelExpressions[0].values FieldValueRequired',
      'allowedTopologies[0].matchLabelExpressions[0].key FieldValueInvalid',
      'allowedTopologies[0].matchLabelExpressions[1].values[1] FieldValueDuplicate',
      'allowedTopologies[0].matchLabelExpressions[2].key FieldValueDuplicate',
    ]);
  });
});

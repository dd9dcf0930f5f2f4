import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../defaults.js';
import { StatusError } from '../status.js';
import type { KubeObject } from '../types/meta.js';
import { validateCreate, validateUpdate } from './kinds.js';

const deploymentTarget = { apiVersion: 'apps/v1', kind: 'Deployment', group: 'apps', namespaced: true };
const podTarget = { apiVersion: 'v1', kind: 'Pod', group: '', namespaced: true };

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
    },
  };
}

function causesOf(fn: () => void) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).code).toBe(422);
    return (err as StatusError).details!.causes!;
  }
  throw new Error('expected a 422');
}

describe('validation', () => {
  it('shows template labels the selector does not match as Go prints a map[string]string', () => {
    const d = deployment();
    (d.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels = { tier: 'b', app: 'other' };
    applyDefaults(d);
    expect(causesOf(() => validateCreate(deploymentTarget, d))).toContainEqual({
      reason: 'FieldValueInvalid',
      field: 'spec.template.metadata.labels',
      message: 'Invalid value: map[string]string{"app":"other", "tier":"b"}: `selector` does not match template `labels`',
    });
  });

  it('accepts a well-formed deployment', () => {
    const d = deployment();
    applyDefaults(d);
    expect(() => validateCreate(deploymentTarget, d)).not.toThrow();
  });

  it('reports each problem as a field-level cause, the way kubectl prints them', () => {
    const d = deployment();
    d.metadata.name = 'Web_1';
    d.spec.replicas = -1;
    d.spec.template.metadata.labels = { app: 'other' };
    d.spec.template.spec.containers[0].image = '';
    const causes = causesOf(() => validateCreate(deploymentTarget, d));
    expect(causes.map((c) => c.field)).toEqual(
      expect.arrayContaining(['metadata.name', 'spec.replicas', 'spec.template.metadata.labels', 'spec.template.spec.containers[0].image']),
    );
    expect(causes.find((c) => c.field === 'spec.replicas')!.message).toBe('Invalid value: -1: must be greater than or equal to 0');
  });

  it('forbids changing a deployment selector and most of a pod spec', () => {
    const before = deployment();
    const after = deployment();
    after.spec.selector = { matchLabels: { app: 'web', v: '2' } };
    after.spec.template.metadata.labels.v = '2';
    expect(causesOf(() => validateUpdate(deploymentTarget, after, before))[0]!.field).toBe('spec.selector');

    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'a' }] } };
    const newImage = structuredClone(pod);
    newImage.spec.containers[0].image = 'b';
    expect(() => validateUpdate(podTarget, newImage, pod)).not.toThrow();
    const newCommand = structuredClone(pod);
    newCommand.spec.containers[0].command = ['sh'];
    expect(causesOf(() => validateUpdate(podTarget, newCommand, pod))[0]!.reason).toBe('FieldValueForbidden');
  });
});

describe('container resources', () => {
  const podWith = (resources: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'a', resources }] } });
  const messages = (resources: Record<string, unknown>) => causesOf(() => validateCreate(podTarget, podWith(resources))).map((c) => `${c.field}: ${c.message}`);

  it('accepts standard, huge-page and extended resources', () => {
    const pod = podWith({ limits: { cpu: '1', memory: '1Gi', 'hugepages-2Mi': '4Mi', 'example.com/gpu': '2' }, requests: { 'ephemeral-storage': '1Gi' } });
    applyDefaults(pod);
    expect(() => validateCreate(podTarget, pod)).not.toThrow();
  });

  it('names what a container may not ask for, own keys only', () => {
    expect(messages(JSON.parse('{"limits":{"__proto__":"1","pods":"1","foo":"1"}}'))).toEqual([
      expect.stringMatching(/^spec.containers\[0\].resources.limits\[__proto__\]: Invalid value: "__proto__": name part must consist of/),
      'spec.containers[0].resources.limits[__proto__]: Invalid value: "__proto__": must be a standard resource for containers',
      'spec.containers[0].resources.limits[pods]: Invalid value: "pods": must be a standard resource for containers',
      'spec.containers[0].resources.limits[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.limits[foo]: Invalid value: "foo": must be a standard resource for containers',
    ]);
    expect(messages({ limits: { 'requests.example.com/x': '1' } })).toEqual(['spec.containers[0].resources.limits[requests.example.com/x]: Invalid value: "requests.example.com/x": doesn\'t follow extended resource name standard']);
  });

  it('holds extended resources and huge pages to whole units, equal requests and limits, and cpu or memory beside huge pages', () => {
    expect(messages({ limits: { 'example.com/gpu': '500m' }, requests: { 'example.com/gpu': '500m' } })).toContain('spec.containers[0].resources.limits[example.com/gpu]: Invalid value: "500m": must be an integer');
    expect(messages({ limits: { 'example.com/gpu': '2' }, requests: { 'example.com/gpu': '1' } })).toEqual(['spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/gpu limit of 2']);
    expect(messages({ requests: { 'example.com/gpu': '1' } })).toEqual(['spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources']);
    expect(messages({ limits: { 'hugepages-2Mi': '4Mi' }, requests: { 'hugepages-2Mi': '4Mi' } })).toEqual(['spec.containers[0].resources: Forbidden: HugePages require cpu or memory']);
    expect(messages({ limits: { cpu: '1' }, requests: { cpu: '2' } })).toEqual(['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1']);
  });
});

describe('where a pod may run beside others', () => {
  const podWith = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'a' }], ...spec } });
  const messages = (spec: Record<string, unknown>) => causesOf(() => validateCreate(podTarget, podWith(spec))).map((c) => `${c.field}: ${c.message}`);
  const constraint = (extra: Record<string, unknown>) => ({ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...extra });

  it('accepts topology spread constraints and affinity terms as Kubernetes does', () => {
    const term = { topologyKey: 'zone', labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] } };
    const pod = podWith({
      topologySpreadConstraints: [constraint({ minDomains: 2, matchLabelKeys: ['pod-template-hash'], nodeTaintsPolicy: 'Honor' }), constraint({ whenUnsatisfiable: 'ScheduleAnyway' })],
      affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] }, podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } },
    });
    applyDefaults(pod);
    expect(() => validateCreate(podTarget, pod)).not.toThrow();
  });

  it('names each broken rule of a topology spread constraint', () => {
    const f = 'spec.topologySpreadConstraints';
    expect(messages({ topologySpreadConstraints: [constraint({ maxSkew: 0, topologyKey: '', whenUnsatisfiable: 'Never' })] })).toEqual([
      `${f}[0].maxSkew: Invalid value: 0: must be greater than zero`,
      `${f}[0].topologyKey: Required value: can not be empty`,
      `${f}[0].whenUnsatisfiable: Unsupported value: "Never": supported values: "DoNotSchedule", "ScheduleAnyway"`,
    ]);
    expect(messages({ topologySpreadConstraints: [constraint({}), constraint({ maxSkew: 2 })] })).toEqual([`${f}[0].{topologyKey, whenUnsatisfiable}: Duplicate value: "{zone, DoNotSchedule}"`]);
    expect(messages({ topologySpreadConstraints: [constraint({ whenUnsatisfiable: 'ScheduleAnyway', minDomains: 0, nodeAffinityPolicy: 'Always' })] })).toEqual([
      `${f}[0].minDomains: Invalid value: 0: must be greater than zero`,
      `${f}[0].minDomains: Invalid value: 0: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway`,
      `${f}[0].nodeAffinityPolicy: Unsupported value: "Always": supported values: "Honor", "Ignore"`,
    ]);
    expect(messages({ topologySpreadConstraints: [constraint({ matchLabelKeys: ['app'], labelSelector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['x'] }] } })] })).toEqual([
      `${f}[0].matchLabelKeys[0]: Invalid value: "app": exists in both matchLabelKeys and labelSelector`,
      `${f}[0].labelSelector.matchExpressions[0].values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
    ]);
  });

  it('needs a topology key in every affinity term, and weights of 1 to 100', () => {
    const f = 'spec.affinity';
    expect(messages({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } } }] }, podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, podAffinityTerm: { topologyKey: 'bad key!', labelSelector: { matchExpressions: [{ key: 'app', operator: 'In' }] } } }] } } })).toEqual([
      `${f}.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty`,
      `${f}.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100`,
      `${f}.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchExpressions[0].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
      expect.stringMatching(/^spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution\[0\].podAffinityTerm.topologyKey: Invalid value: "bad key!": name part must consist of/),
    ]);
  });
});

describe('defaulting', () => {
  it("defaults a deployment's template exactly as it defaults the same ReplicaSet template", () => {
    const d = deployment();
    const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1' }, spec: { template: structuredClone(d.spec.template) } };
    applyDefaults(d);
    applyDefaults(rs);
    expect(rs.spec.template).toEqual(d.spec.template);
    expect(d.spec.template.spec.containers[0]).toMatchObject({ imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log' });
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
  });

  it('defaults pods: IfNotPresent for tagged images, requests from limits; not the service account, which admission sets', () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'busybox:1.36', resources: { limits: { cpu: '1' } } }] },
    };
    applyDefaults(pod);
    expect(pod.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', enableServiceLinks: true });
    // Kubernetes' ServiceAccount and Priority admission plugins set these, after a create's managedFields are recorded.
    for (const f of ['serviceAccountName', 'serviceAccount', 'priority', 'preemptionPolicy']) expect(pod.spec).not.toHaveProperty(f);
    expect(pod.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(pod.spec.containers[0].resources.requests).toEqual({ cpu: '1' });
  });
});

describe('ControllerRevision validation', () => {
  const target = { apiVersion: 'apps/v1', kind: 'ControllerRevision', group: 'apps', namespaced: true };
  const revision = (data: unknown, n: number): KubeObject => ({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'web-1', namespace: 'default' }, data, revision: n } as KubeObject);

  it('needs data and a revision of at least 0, and never lets the data change', () => {
    expect(causesOf(() => validateCreate(target, revision(undefined, -1)))).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value: data is mandatory', field: 'data' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'revision' },
    ]);
    const stored = revision({ spec: { template: { x: 1 } } }, 1);
    expect(() => validateUpdate(target, revision({ spec: { template: { x: 1 } } }, 3), stored)).not.toThrow();
    expect(causesOf(() => validateUpdate(target, revision({ spec: { template: { x: 2 } } }, 1), stored)).map((c) => `${c.field}: ${c.message}`)).toEqual(['data: Invalid value: {"spec":{"template":{"x":2}}}: field is immutable']);
  });
});


describe('RuntimeClass validation', () => {
  const target = { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', group: 'node.k8s.io', namespaced: false };
  const rc = (extra: Record<string, unknown>): KubeObject => ({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'gvisor' }, handler: 'runsc', ...extra });

  it('wants a DNS-label handler, valid overhead quantities and scheduling, and a handler that does not change', () => {
    expect(() => validateCreate(target, rc({ overhead: { podFixed: { cpu: '250m' } }, scheduling: { nodeSelector: { a: 'b' }, tolerations: [{ key: 'k', operator: 'Exists' }] } }))).not.toThrow();
    expect(causesOf(() => validateCreate(target, rc({ handler: undefined })))).toContainEqual({ reason: 'FieldValueRequired', message: 'Required value', field: 'handler' });
    expect(causesOf(() => validateCreate(target, rc({ handler: 'Run_SC' })))[0]).toMatchObject({ field: 'handler', message: expect.stringContaining('a lowercase RFC 1123 label') });
    expect(causesOf(() => validateCreate(target, rc({ overhead: { podFixed: { cpu: '-1' } } })))[0]).toMatchObject({ field: 'overhead.podFixed[cpu]', message: 'Invalid value: "-1": must be greater than or equal to 0' });
    expect(causesOf(() => validateCreate(target, rc({ scheduling: { tolerations: [{ key: 'k', operator: 'Exists' }, { key: 'k', operator: 'Exists' }] } })))[0]).toMatchObject({ field: 'scheduling.tolerations[1]', reason: 'FieldValueDuplicate' });
    expect(causesOf(() => validateUpdate(target, rc({ handler: 'runc' }), rc({}))).map((c) => c.message)).toContain('Invalid value: "runc": field is immutable');
  });
});

describe('Secret and ConfigMap validation', () => {
  const secretTarget = { apiVersion: 'v1', kind: 'Secret', group: '', namespaced: true };
  const secret = (type: string, data: Record<string, string> = {}, annotations?: Record<string, string>): KubeObject =>
    ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default', ...(annotations ? { annotations } : {}) }, type, data }) as KubeObject;
  const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
  const problems = (o: KubeObject) => causesOf(() => validateCreate(secretTarget, o)).map((c) => `${c.field}: ${c.message}`);

  it('holds each well-known type to what it must carry', () => {
    expect(problems(secret('kubernetes.io/service-account-token'))).toEqual(['metadata.annotations[kubernetes.io/service-account.name]: Required value']);
    expect(() => validateCreate(secretTarget, secret('kubernetes.io/service-account-token', {}, { 'kubernetes.io/service-account.name': 'bot' }))).not.toThrow();
    expect(problems(secret('kubernetes.io/dockerconfigjson'))).toEqual(['data[.dockerconfigjson]: Required value']);
    expect(problems(secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('{"auths":') }))).toEqual([
      'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": unexpected end of JSON input',
    ]);
    expect(problems(secret('kubernetes.io/dockercfg', { '.dockercfg': b64('[1]') }))).toEqual([
      'data[.dockercfg]: Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}',
    ]);
    expect(() => validateCreate(secretTarget, secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('{"auths":{}}') }))).not.toThrow();
    expect(problems(secret('kubernetes.io/basic-auth'))).toEqual(['data[%s][username]: Required value', 'data[%s][password]: Required value']);
    expect(() => validateCreate(secretTarget, secret('kubernetes.io/basic-auth', { password: '' }))).not.toThrow();
    expect(problems(secret('kubernetes.io/ssh-auth', { 'ssh-privatekey': '' }))).toEqual(['data[%s][ssh-privatekey]: Required value']);
    expect(problems(secret('kubernetes.io/tls', { 'tls.crt': b64('c') }))).toEqual(['data[tls.key]: Required value']);
    expect(() => validateCreate(secretTarget, secret('example.com/anything'))).not.toThrow();
  });

  it('count 1 MiB of the bytes themselves, not of their base64 or UTF-16 forms', () => {
    // 900 KB of bytes is 1.2 MB as base64: within the limit.
    expect(() => validateCreate(secretTarget, secret('Opaque', { big: b64(Buffer.alloc(900 * 1024)) }))).not.toThrow();
    expect(problems(secret('Opaque', { big: b64(Buffer.alloc(1024 * 1024 + 1)) }))).toEqual(['data: Too long: may not be more than 1048576 bytes']);
    const cmTarget = { apiVersion: 'v1', kind: 'ConfigMap', group: '', namespaced: true };
    // 400,000 three-byte characters: 1.2 MB of UTF-8 in a JavaScript string of length 400,000.
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { text: '€'.repeat(400_000) } } as KubeObject;
    expect(causesOf(() => validateCreate(cmTarget, cm)).map((c) => c.field)).toEqual(['data']);
  });
});

describe('PersistentVolumeClaim validation', () => {
  const target = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', group: '', namespaced: true };
  const claim = (spec: Record<string, unknown>, phase?: string): KubeObject =>
    ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec, ...(phase ? { status: { phase } } : {}) }) as KubeObject;
  const good = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };
  const problems = (fn: () => void) => causesOf(fn).map((c) => `${c.field}: ${c.message}`);

  it('needs access modes Kubernetes knows and a positive storage request', () => {
    expect(() => validateCreate(target, claim(good))).not.toThrow();
    expect(problems(() => validateCreate(target, claim({})))).toEqual(['spec.accessModes: Required value: at least 1 access mode is required', 'spec.resources[storage]: Required value']);
    expect(problems(() => validateCreate(target, claim({ accessModes: ['ReadWriteOncePod', 'Sometimes', 'ReadOnlyMany'], resources: { requests: { storage: '0' } }, volumeMode: 'Tape' })))).toEqual([
      'spec.accessModes: Unsupported value: "Sometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      'spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes',
      'spec.resources[storage]: Invalid value: "0": must be greater than zero',
      'spec.volumeMode: Unsupported value: "Tape": supported values: "Block", "Filesystem"',
    ]);
  });

  it('lets an update name the volume once and grow a bound claim, nothing else', () => {
    const stored = claim(good);
    expect(() => validateUpdate(target, claim({ ...good, volumeName: 'pv-1' }), stored)).not.toThrow();
    const bound = claim({ ...good, volumeName: 'pv-1' }, 'Bound');
    expect(problems(() => validateUpdate(target, claim({ ...good, volumeName: 'pv-2' }, 'Bound'), bound))).toEqual([
      'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    ]);
    expect(() => validateUpdate(target, claim({ ...good, volumeName: 'pv-1', resources: { requests: { storage: '2Gi' } } }, 'Bound'), bound)).not.toThrow();
    // Smaller again, to undo an expansion not yet done, but never at or below the volume's capacity.
    const growing = { ...claim({ ...good, volumeName: 'pv-1', resources: { requests: { storage: '4Gi' } } }), status: { phase: 'Bound', capacity: { storage: '1Gi' } } } as KubeObject;
    const asking = (storage: string) => ({ ...growing, spec: { ...growing.spec, resources: { requests: { storage } } } }) as KubeObject;
    expect(() => validateUpdate(target, asking('2Gi'), growing)).not.toThrow();
    for (const storage of ['1Gi', '512Mi']) {
      expect(problems(() => validateUpdate(target, asking(storage), growing))).toEqual(['spec.resources.requests.storage: Forbidden: field can not be less than status.capacity']);
    }
    // Unbound, the request is as immutable as the rest.
    expect(problems(() => validateUpdate(target, claim({ ...good, resources: { requests: { storage: '2Gi' } } }), stored))[0]).toMatch(/^spec: Forbidden: spec is immutable/);
  });

  it('checks what a resizer writes in the status when it changes: known resources and resize states', () => {
    const bound = { ...claim({ ...good, volumeName: 'pv-1' }), status: { phase: 'Bound', capacity: { storage: '1Gi' } } } as KubeObject;
    const withStatus = (extra: Record<string, unknown>) => ({ ...bound, status: { ...bound.status, ...extra } }) as KubeObject;
    expect(() => validateUpdate(target, withStatus({ allocatedResources: { storage: '2Gi' }, allocatedResourceStatuses: { storage: 'ControllerResizeInProgress', 'example.com/iops': 'NodeResizePending' } }), bound)).not.toThrow();
    expect(problems(() => validateUpdate(target, withStatus({ allocatedResourceStatuses: JSON.parse('{"__proto__":"x","cpu":"NodeResizePending","storage":"Bogus"}') }), bound))).toEqual([
      expect.stringMatching(/^status\.allocatedResourceStatuses\[__proto__\]: Invalid value: "__proto__": name part must consist of/),
      'status.allocatedResourceStatuses[cpu]: Unsupported value: "cpu": supported values: "storage"',
      expect.stringMatching(/^status\.allocatedResourceStatuses\[storage\]: Unsupported value: "Bogus": supported values: "ControllerResizeInProgress", /),
    ]);
    expect(problems(() => validateUpdate(target, withStatus({ allocatedResources: { storage: '-1Gi' } }), bound))).toEqual(['status.allocatedResources[storage]: Invalid value: "-1Gi": must be greater than or equal to 0']);
    // A value stored before is not checked again by an update that leaves it as it was.
    const old = withStatus({ allocatedResourceStatuses: { storage: 'Bogus' } });
    expect(() => validateUpdate(target, old, old)).not.toThrow();
  });

  it("checks a pod's generic ephemeral volume as a claim template: labels and annotations only", () => {
    const pod = (ephemeral: unknown): KubeObject => {
      const p = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'scratch', ephemeral }] } } as KubeObject;
      applyDefaults(p);
      return p;
    };
    expect(() => validateCreate(podTarget, (pod({ volumeClaimTemplate: { metadata: { labels: { a: 'b' } }, spec: good } })))).not.toThrow();
    expect(problems(() => validateCreate(podTarget, (pod({}))))).toEqual(['spec.volumes[0].ephemeral.volumeClaimTemplate: Required value']);
    expect(problems(() => validateCreate(podTarget, (pod({ volumeClaimTemplate: { metadata: { name: 'mine' }, spec: { accessModes: ['ReadWriteOnce'] } } }))))).toEqual([
      'spec.volumes[0].ephemeral.volumeClaimTemplate.metadata.name: Forbidden: cannot be set for an ephemeral volume',
      'spec.volumes[0].ephemeral.volumeClaimTemplate.spec.resources[storage]: Required value',
    ]);
  });
});

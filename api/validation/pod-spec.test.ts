import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../types/meta.js';
import { podCreateCauses } from '../../test/harness/pod-validation.js';

const probe = { exec: { command: ['true'] } };

function pod(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...spec } };
}

describe("a container's restartPolicy", () => {
  it('makes an init container a sidecar, which may have probes and hooks', () => {
    const sidecar = { name: 's', image: 'busybox:1.36', restartPolicy: 'Always', readinessProbe: probe, livenessProbe: probe, startupProbe: probe, lifecycle: { preStop: probe } };
    expect(podCreateCauses(pod({ initContainers: [sidecar] }))).toEqual([]);
  });

  it('takes only Always on an init container and nothing on a regular or ephemeral one', () => {
    expect(podCreateCauses(pod({ initContainers: [{ name: 'i', image: 'busybox:1.36', restartPolicy: 'OnFailure' }] }))).toEqual([
      'spec.initContainers[0].restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    ]);
    expect(podCreateCauses(pod({ containers: [{ name: 'c', image: 'busybox:1.36', restartPolicy: 'Always' }] }))).toEqual([
      'spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers',
    ]);
  });

  it('refuses probes and hooks on init containers that run to completion', () => {
    const init = { name: 'i', image: 'busybox:1.36', livenessProbe: probe, readinessProbe: probe, startupProbe: probe, lifecycle: { postStart: probe } };
    expect(podCreateCauses(pod({ initContainers: [init] }))).toEqual([
      'spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always',
      'spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
      'spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
      'spec.initContainers[0].startupProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
    ]);
  });
});

describe('volume mounts with sub paths', () => {
  const withMount = (mount: Record<string, unknown>) =>
    pod({ volumes: [{ name: 'v', emptyDir: {} }], containers: [{ name: 'c', image: 'busybox:1.36', volumeMounts: [{ name: 'v', mountPath: '/m', ...mount }] }] });

  it('takes relative paths that stay inside the volume', () => {
    expect(podCreateCauses(withMount({ subPath: 'logs/a' }))).toEqual([]);
    expect(podCreateCauses(withMount({ subPathExpr: 'logs/$(POD_NAME)' }))).toEqual([]);
  });

  it('refuses absolute paths, paths with .., and both fields at once', () => {
    expect(podCreateCauses(withMount({ subPath: '/etc' }))).toEqual(['spec.containers[0].volumeMounts[0].subPath: Invalid value: "/etc": must be a relative path']);
    expect(podCreateCauses(withMount({ subPathExpr: 'a/../../b' }))).toEqual(['spec.containers[0].volumeMounts[0].subPathExpr: Invalid value: "a/../../b": must not contain \'..\'']);
    expect(podCreateCauses(withMount({ subPath: 'a', subPathExpr: 'b' }))).toEqual(['spec.containers[0].volumeMounts[0].subPathExpr: Invalid value: "b": subPathExpr and subPath are mutually exclusive']);
  });
});

describe('lifecycle hooks', () => {
  const withHooks = (lifecycle: Record<string, unknown>, grace?: number) =>
    pod({ ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}), containers: [{ name: 'c', image: 'busybox:1.36', lifecycle }] });

  it('takes one action per hook, a sleep among them', () => {
    expect(podCreateCauses(withHooks({ preStop: { sleep: { seconds: 5 } }, postStart: { exec: { command: ['true'] } } }))).toEqual([]);
  });

  it('refuses hooks without an action or with two, and sleeps outside the grace period', () => {
    expect(podCreateCauses(withHooks({ preStop: {} }))).toEqual(['spec.containers[0].lifecycle.preStop: Required value: must specify a handler type']);
    expect(podCreateCauses(withHooks({ preStop: { exec: { command: ['true'] }, sleep: { seconds: 1 } } }))).toEqual([
      'spec.containers[0].lifecycle.preStop.sleep: Forbidden: may not specify more than 1 handler type',
    ]);
    expect(podCreateCauses(withHooks({ preStop: { sleep: { seconds: 60 } } }))).toEqual([
      'spec.containers[0].lifecycle.preStop.sleep: Invalid value: 60: must be greater than 0 and less than terminationGracePeriodSeconds (30). Please enable PodLifecycleSleepActionAllowZero feature gate if you need a sleep of zero duration.',
    ]);
    expect(podCreateCauses(withHooks({ preStop: { sleep: { seconds: 0 } } }, 10))[0]).toContain('less than terminationGracePeriodSeconds (10)');
  });
});

describe('volume sources', () => {
  const withVolume = (volume: Record<string, unknown>) => pod({ volumes: [{ name: 'v', ...volume }] });

  it('takes the sources the kubelet serves as Kubernetes writes them', () => {
    expect(podCreateCauses(withVolume({ hostPath: { path: '/var/log', type: 'Directory' } }))).toEqual([]);
    expect(podCreateCauses(withVolume({ emptyDir: { sizeLimit: '1Gi', medium: 'Memory' } }))).toEqual([]);
    expect(podCreateCauses(withVolume({ configMap: { name: 'c', items: [{ key: 'a', path: 'dir/a', mode: 0o400 }], defaultMode: 0o644 } }))).toEqual([]);
    const downward = { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'app', fieldRef: { fieldPath: "metadata.labels['app']" } }, { path: 'cpu', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu', divisor: '1m' } }] };
    expect(podCreateCauses(withVolume({ downwardAPI: downward }))).toEqual([]);
    const projected = { sources: [{ serviceAccountToken: { path: 'token', audience: 'vault' } }, { configMap: { name: 'c', items: [{ key: 'ca', path: 'ca.crt' }] } }, { downwardAPI: downward }] };
    expect(podCreateCauses(withVolume({ projected }))).toEqual([]);
  });

  it('refuses an unknown host path type, a negative size limit and paths that climb out of the volume', () => {
    expect(podCreateCauses(withVolume({ hostPath: { path: '/a/../etc', type: 'Bogus' } }))).toEqual([
      'spec.volumes[0].hostPath.path: Invalid value: "/a/../etc": must not contain \'..\'',
      'spec.volumes[0].hostPath.type: Unsupported value: "Bogus": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"',
    ]);
    expect(podCreateCauses(withVolume({ emptyDir: { sizeLimit: '-1' } }))).toEqual(['spec.volumes[0].emptyDir.sizeLimit: Forbidden: SizeLimit field must be a valid resource quantity']);
    expect(podCreateCauses(withVolume({ secret: { secretName: 's', defaultMode: 0o1000, items: [{ key: 'k', path: '../x' }, { key: '', path: '..data' }, { key: 'k', path: '/abs' }] } }))).toEqual([
      'spec.volumes[0].secret.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive',
      'spec.volumes[0].secret.items[0].path: Invalid value: "../x": must not contain \'..\'',
      'spec.volumes[0].secret.items[1].key: Required value',
      'spec.volumes[0].secret.items[1].path: Invalid value: "..data": must not start with \'..\'',
      'spec.volumes[0].secret.items[2].path: Invalid value: "/abs": must be a relative path',
    ]);
  });

  it('refuses downward API fields the kubelet cannot fill and projections that collide', () => {
    expect(podCreateCauses(withVolume({ downwardAPI: { items: [{ path: 'a', fieldRef: { fieldPath: 'spec.nodeName' } }, { path: 'b', fieldRef: { fieldPath: 'spec.bogus' } }, { path: 'c', resourceFieldRef: { resource: 'limits.cpu' } }, { path: 'd' }] } }))).toEqual([
      'spec.volumes[0].downwardAPI.items[0].fieldRef.fieldPath: Unsupported value: "spec.nodeName": supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"',
      'spec.volumes[0].downwardAPI.items[1].fieldRef.fieldPath: Invalid value: "spec.bogus": error converting fieldPath: field label not supported: spec.bogus',
      'spec.volumes[0].downwardAPI.items[2].resourceFieldRef.containerName: Required value',
      'spec.volumes[0].downwardAPI.items[3]: Required value: one of fieldRef and resourceFieldRef is required',
    ]);
    const projected = { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 60 } }, { secret: { name: 's', items: [{ key: 'k', path: 'token' }] }, configMap: { name: 'c' } }] };
    expect(podCreateCauses(withVolume({ projected }))).toEqual([
      'spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
      'spec.volumes[0].projected.sources[1]: Forbidden: may not specify more than 1 volume type per source',
      'spec.volumes[0].projected.sources[1].secret.items[0].path: Invalid value: "token": conflicting duplicate paths',
    ]);
  });

  it("checks environment variables' downward API fields and resource units", () => {
    const env = (valueFrom: Record<string, unknown>) => pod({ containers: [{ name: 'c', image: 'busybox:1.36', env: [{ name: 'X', valueFrom }] }] });
    expect(podCreateCauses(env({ fieldRef: { fieldPath: 'status.podIP' } }))).toEqual([]);
    expect(podCreateCauses(env({ resourceFieldRef: { resource: 'requests.memory', divisor: '1Mi' } }))).toEqual([]);
    expect(podCreateCauses(env({ fieldRef: { fieldPath: 'metadata.labels' } }))).toEqual([
      'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "metadata.labels": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
    ]);
    expect(podCreateCauses(env({ resourceFieldRef: { resource: 'limits.cpu', divisor: '1Mi' } }))).toEqual([
      'spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor: Invalid value: "1Mi": only divisor\'s values 1m, 1 are supported with the cpu resource',
    ]);
    expect(podCreateCauses(env({ resourceFieldRef: { resource: 'limits.bogus' } }))).toEqual([
      'spec.containers[0].env[0].valueFrom.resourceFieldRef.resource: Unsupported value: "limits.bogus": supported values: "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"',
    ]);
  });
});

describe('where and how a pod resolves names and nodes', () => {
  it('checks node affinity operators, keys, values and weights', () => {
    const affinity = (nodeAffinity: Record<string, unknown>) => pod({ affinity: { nodeAffinity } });
    const required = (matchExpressions: unknown[], matchFields: unknown[] = []) => affinity({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions, matchFields }] } });
    expect(podCreateCauses(required([{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'gpu', operator: 'Exists' }, { key: 'cores', operator: 'Gt', values: ['4'] }], [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }]))).toEqual([]);
    const term = 'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]';
    expect(podCreateCauses(required([{ key: 'zone', operator: 'Bogus' }, { key: '-', operator: 'In' }, { key: 'gpu', operator: 'Exists', values: ['x'] }], [{ key: 'spec.nodeName', operator: 'In', values: ['a', 'b'] }]))).toEqual([
      `${term}.matchExpressions[0].operator: Invalid value: "Bogus": not a valid selector operator`,
      `${term}.matchExpressions[1].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
      expect.stringMatching(new RegExp(`^${term.replace(/[.[\]]/g, '\\$&')}\\.matchExpressions\\[1\\]\\.key: Invalid value: "-": name part must consist of`)),
      `${term}.matchExpressions[2].values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
      `${term}.matchFields[0].values: Required value: must be only one value when \`operator\` is 'In' or 'NotIn' for node field selector`,
      `${term}.matchFields[0].key: Invalid value: "spec.nodeName": not a valid field selector key`,
    ]);
    expect(podCreateCauses(affinity({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } }))).toEqual([
      'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term',
    ]);
    expect(podCreateCauses(affinity({ preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] } }] }))).toEqual([
      'spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100',
    ]);
  });

  it('checks host aliases, DNS settings and the subdomain the kubelet and DNS use', () => {
    expect(podCreateCauses(pod({ subdomain: 'web', hostAliases: [{ ip: '10.1.1.1', hostnames: ['db.local'] }], dnsPolicy: 'None', dnsConfig: { nameservers: ['10.0.0.10', 'fd00::a'], searches: ['svc.cluster.local.'], options: [{ name: 'ndots', value: '2' }] } }))).toEqual([]);
    expect(podCreateCauses(pod({ subdomain: 'Web', hostAliases: [{ ip: 'db', hostnames: ['Not A Name'] }] }))).toEqual([
      expect.stringMatching(/^spec\.subdomain: Invalid value: "Web": a lowercase RFC 1123 label/),
      'spec.hostAliases[0].ip: Invalid value: "db": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      expect.stringMatching(/^spec\.hostAliases\[0\]\.hostnames\[0\]: Invalid value: "Not A Name": a lowercase RFC 1123 subdomain/),
    ]);
    expect(podCreateCauses(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1', '1.0.0.1', '8.8.8.8', 'dns'], searches: ['bad_domain'] } }))).toEqual([
      'spec.dnsConfig.nameservers: Invalid value: ["1.1.1.1","1.0.0.1","8.8.8.8","dns"]: must not have more than 3 nameservers',
      'spec.dnsConfig.nameservers[3]: Invalid value: "dns": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      expect.stringMatching(/^spec\.dnsConfig\.searches\[0\]: Invalid value: "bad_domain": a lowercase RFC 1123 subdomain/),
    ]);
    expect(podCreateCauses(pod({ dnsPolicy: 'None', dnsConfig: { searches: ['a.local'] } }))).toEqual(['spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None']);
  });
});

describe('probes, resize policies, gates and the OS', () => {
  const container = (fields: Record<string, unknown>) => pod({ containers: [{ name: 'c', image: 'busybox:1.36', ...fields }] });

  it('refuses header names that are no tokens, grace periods where they make no sense and a second success for liveness', () => {
    expect(podCreateCauses(container({ livenessProbe: { httpGet: { port: 80, httpHeaders: [{ name: 'X-Ok', value: 'a b' }, { name: 'Bad\r\nHost', value: 'x' }] }, terminationGracePeriodSeconds: 0, successThreshold: 2 }, readinessProbe: { ...probe, terminationGracePeriodSeconds: 5 } }))).toEqual([
      'spec.containers[0].livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0',
      'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
      'spec.containers[0].livenessProbe.httpGet.httpHeaders[1].name: Invalid value: "Bad\\r\\nHost": a valid HTTP header must consist of alphanumeric characters or \'-\' (e.g. \'X-Header-Name\', regex used for validation is \'[-A-Za-z0-9]+\')',
      'spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes',
    ]);
  });

  it('takes resize policies for cpu and memory once each, with a known restart policy', () => {
    expect(podCreateCauses(container({ resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }, { resourceName: 'memory', restartPolicy: 'RestartContainer' }] }))).toEqual([]);
    expect(podCreateCauses(container({ resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'Sometimes' }, { resourceName: 'cpu', restartPolicy: 'NotRequired' }, { resourceName: 'gpu', restartPolicy: 'NotRequired' }] }))).toEqual([
      'spec.containers[0].resizePolicy: Unsupported value: "Sometimes": supported values: "NotRequired", "RestartContainer"',
      'spec.containers[0].resizePolicy[1]: Duplicate value: "cpu"',
      'spec.containers[0].resizePolicy: Unsupported value: "gpu": supported values: "cpu", "memory"',
    ]);
  });

  it('checks readiness and scheduling gates as condition names and the OS by name', () => {
    expect(podCreateCauses(pod({ readinessGates: [{ conditionType: 'example.com/ready' }], schedulingGates: [{ name: 'example.com/quota' }], os: { name: 'linux' } }))).toEqual([]);
    const causes = podCreateCauses(pod({ readinessGates: [{ conditionType: '/x' }], schedulingGates: [{ name: 'g' }, { name: 'g' }], os: { name: 'plan9' } }));
    expect(causes.map((c) => c.slice(0, c.indexOf(':')))).toEqual(['spec.readinessGates[0].conditionType', 'spec.schedulingGates[1].name', 'spec.os.name']);
  });
});

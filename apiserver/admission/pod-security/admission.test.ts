import { describe, expect, it } from 'vitest';
import { findResource } from '../../../api/resources.js';
import { StatusError } from '../../../api/status.js';
import type { KubeObject } from '../../../api/types/meta.js';
import type { Pod } from '../../../api/types/pod.js';
import { namespacePolicy, PodSecurityAdmission } from './admission.js';
import { parsePodSecurityConfiguration } from './config.js';

const pods = findResource('', 'v1', 'pods')!;
const namespaces = findResource('', 'v1', 'namespaces')!;
const deployments = findResource('apps', 'v1', 'deployments')!;

function world(labels: Record<string, string>, existing: Pod[] = []) {
  return new PodSecurityAdmission({ namespaceLabels: (n) => (n === 'ns' ? labels : undefined), podsIn: () => existing });
}

const pod = (name: string, container: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'busybox', ...container }] } }) as KubeObject;

function thrown(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    return err as StatusError;
  }
  throw new Error('expected an error');
}

describe('namespace labels', () => {
  it('pick the levels and versions; warn follows a stricter enforce unless set', () => {
    const { policy, errors } = namespacePolicy({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.29' });
    expect(errors).toEqual([]);
    expect(policy).toEqual({ enforce: { level: 'baseline', minor: 29 }, audit: { level: 'privileged' }, warn: { level: 'baseline', minor: 29 } });
    expect(namespacePolicy({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' }).policy.warn).toEqual({ level: 'restricted' });
  });

  it('a level or version that does not parse is an error; enforce then fails closed, warn open', () => {
    const { policy, errors } = namespacePolicy({ 'pod-security.kubernetes.io/enforce': 'strict', 'pod-security.kubernetes.io/warn': 'loud', 'pod-security.kubernetes.io/audit-version': '1.2' });
    expect(errors.map((e) => `${e.label}=${e.value}: ${e.message}`)).toEqual([
      'pod-security.kubernetes.io/enforce=strict: must be one of privileged, baseline, restricted',
      'pod-security.kubernetes.io/audit-version=1.2: must be "latest" or "v1.x"',
      'pod-security.kubernetes.io/warn=loud: must be one of privileged, baseline, restricted',
    ]);
    expect([policy.enforce.level, policy.warn.level]).toEqual(['restricted', 'privileged']);
  });
});

describe('PodSecurity admission', () => {
  it('refuses a pod the enforce level forbids with 403, in the words kubectl shows', () => {
    const err = thrown(() => world({ 'pod-security.kubernetes.io/enforce': 'baseline' }).check(pods, pod('p', { securityContext: { privileged: true } }), undefined));
    expect(err.code).toBe(403);
    expect(err.message).toBe('pods "p" is forbidden: violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)');
  });

  it('warns, without refusing, under warn; and only warns about workload templates', () => {
    const restrictedWarn = world({ 'pod-security.kubernetes.io/warn': 'restricted' });
    expect(restrictedWarn.check(pods, pod('p'), undefined)).toEqual([expect.stringMatching(/^would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/)]);
    const enforcing = world({ 'pod-security.kubernetes.io/enforce': 'baseline' });
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns' }, spec: { template: { spec: { hostNetwork: true, containers: [{ name: 'c', image: 'x' }] } } } } as unknown as KubeObject;
    expect(enforcing.check(deployments, deployment, undefined)).toEqual(['would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)']);
  });

  it('checks a pod update only when it changes what the pod runs', () => {
    const admission = world({ 'pod-security.kubernetes.io/enforce': 'baseline' });
    const old = pod('p', { securityContext: { privileged: true } });
    const relabelled = { ...old, metadata: { ...old.metadata, labels: { a: 'b' } } } as KubeObject;
    expect(admission.check(pods, relabelled, old)).toEqual([]);
    const newImage = pod('p', { image: 'busybox:2', securityContext: { privileged: true } });
    expect(thrown(() => admission.check(pods, newImage, old)).code).toBe(403);
  });

  it('validates namespace labels (422), and warns about existing pods when enforce tightens', () => {
    const ns = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns', labels } }) as KubeObject;
    const err = thrown(() => world({}).check(namespaces, ns({ 'pod-security.kubernetes.io/enforce': 'strict' }), undefined));
    expect(err.code).toBe(422);
    expect(err.message).toBe('Namespace "ns" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted');
    const existing = [pod('b', { securityContext: { privileged: true } }), pod('a', { securityContext: { privileged: true } }), pod('ok')] as unknown as Pod[];
    const warnings = world({}, existing).check(namespaces, ns({ 'pod-security.kubernetes.io/enforce': 'baseline' }), ns({}));
    expect(warnings).toEqual(['existing pods in namespace "ns" violate the new PodSecurity enforce level "baseline:latest"', 'a (and 1 other pod): privileged']);
    // Loosening, or no change, says nothing.
    expect(world({}, existing).check(namespaces, ns({ 'pod-security.kubernetes.io/enforce': 'privileged' }), ns({ 'pod-security.kubernetes.io/enforce': 'baseline' }))).toEqual([]);
  });
});

describe('configuration: defaults, exemptions and audit annotations', () => {
  const config = parsePodSecurityConfiguration({
    apiVersion: 'pod-security.admission.config.k8s.io/v1',
    kind: 'PodSecurityConfiguration',
    defaults: { enforce: 'baseline', audit: 'restricted', 'audit-version': 'v1.30' },
    exemptions: { usernames: ['ops-admin'], runtimeClasses: ['sandboxed'], namespaces: ['tools'] },
  });
  const user = (name: string) => ({ name, groups: [] });
  const configured = (labels: Record<string, string> = {}) => new PodSecurityAdmission({ namespaceLabels: () => labels, podsIn: () => [] }, config);
  const privileged = (ns = 'ns', spec: Record<string, unknown> = {}) =>
    ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: ns }, spec: { ...spec, containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }] } }) as KubeObject;

  it('a namespace without labels gets the configured levels; its labels still win', () => {
    expect(thrown(() => configured().check(pods, privileged(), undefined, user('alice'))).message).toContain('violates PodSecurity "baseline:latest"');
    expect(configured({ 'pod-security.kubernetes.io/enforce': 'privileged' }).check(pods, privileged(), undefined, user('alice'))).toEqual([]);
  });

  it('exempt namespaces, users and runtime classes are not checked, and the audit log says which', () => {
    for (const [obj, who, why] of [
      [privileged('tools'), 'alice', 'namespace'],
      [privileged(), 'ops-admin', 'user'],
      [privileged('ns', { runtimeClassName: 'sandboxed' }), 'alice', 'runtimeClass'],
    ] as const) {
      const notes: Record<string, string> = {};
      expect(configured().check(pods, obj, undefined, user(who), (k, v) => (notes[k] = v))).toEqual([]);
      expect(notes).toEqual({ 'pod-security.kubernetes.io/exempt': why });
    }
  });

  it('records the enforced policy and the audit level\'s violations', () => {
    const notes: Record<string, string> = {};
    configured().check(pods, pod('plain'), undefined, user('alice'), (k, v) => (notes[k] = v));
    expect(notes['pod-security.kubernetes.io/enforce-policy']).toBe('baseline:latest');
    expect(notes['pod-security.kubernetes.io/audit-violations']).toMatch(/^would violate PodSecurity "restricted:v1.30": allowPrivilegeEscalation != false/);
  });

  it('tightening an exempt namespace says the policy has no effect', () => {
    const ns = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tools', labels } }) as KubeObject;
    expect(configured().check(namespaces, ns({ 'pod-security.kubernetes.io/enforce': 'restricted' }), ns({}))).toEqual(['namespace "tools" is exempt from Pod Security, and the policy will have no effect']);
  });

  it('a configuration that names an unknown level or version is refused with the field', () => {
    expect(() => parsePodSecurityConfiguration({ apiVersion: 'pod-security.admission.config.k8s.io/v1', kind: 'PodSecurityConfiguration', defaults: { enforce: 'strict' } })).toThrow(
      'defaults.enforce: Unsupported value: "strict": supported values: "privileged", "baseline", "restricted"',
    );
    expect(() => parsePodSecurityConfiguration({ apiVersion: 'pod-security.admission.config.k8s.io/v1', kind: 'PodSecurityConfiguration', defaults: { 'warn-version': '1.2' } })).toThrow('defaults.warn-version: Invalid value: "1.2": must be "latest" or "v1.x"');
    expect(() => parsePodSecurityConfiguration({ kind: 'Other' })).toThrow('expected a PodSecurityConfiguration');
  });
});

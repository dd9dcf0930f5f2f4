import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/types/meta.js';
import { matchedVersion, ruleMatches, webhookMatches, type AdmissionAttributes, type Webhook } from './matching.js';

const user = { name: 'alice', groups: [] };
const attrs = (a: Partial<AdmissionAttributes>): AdmissionAttributes => ({
  operation: 'CREATE',
  group: '',
  version: 'v1',
  resource: 'pods',
  kind: 'Pod',
  namespaced: true,
  name: 'p',
  namespace: 'ns',
  user,
  dryRun: false,
  ...a,
});
const obj = (labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', labels } });

describe('webhook rules', () => {
  const rule = { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] };

  it('match operation, group, version and resource, with wildcards', () => {
    expect(ruleMatches(rule, attrs({}), false)).toBe(true);
    expect(ruleMatches(rule, attrs({ operation: 'UPDATE' }), false)).toBe(false);
    expect(ruleMatches({ ...rule, operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }, attrs({ group: 'apps', resource: 'deployments' }), false)).toBe(true);
    expect(ruleMatches({ ...rule, apiGroups: ['apps'] }, attrs({}), false)).toBe(false);
  });

  it('tell subresources apart: pods, pods/status, pods/*, */scale, */*', () => {
    const status = attrs({ subresource: 'status' });
    expect(ruleMatches(rule, status, false)).toBe(false);
    expect(ruleMatches({ ...rule, resources: ['pods/status'] }, status, false)).toBe(true);
    expect(ruleMatches({ ...rule, resources: ['pods/*'] }, status, false)).toBe(true);
    expect(ruleMatches({ ...rule, resources: ['pods/*'] }, attrs({}), false)).toBe(false);
    expect(ruleMatches({ ...rule, apiGroups: ['*'], resources: ['*/scale'] }, attrs({ group: 'apps', resource: 'deployments', subresource: 'scale' }), false)).toBe(true);
    expect(ruleMatches({ ...rule, resources: ['*/*'] }, status, false)).toBe(true);
  });

  it('keep to their scope, and match another version of the resource only when Equivalent', () => {
    expect(ruleMatches({ ...rule, scope: 'Cluster' }, attrs({}), false)).toBe(false);
    expect(ruleMatches({ ...rule, scope: 'Namespaced' }, attrs({}), false)).toBe(true);
    const v2 = { ...rule, apiGroups: ['autoscaling'], apiVersions: ['v2'], resources: ['horizontalpodautoscalers'] };
    const viaV1 = attrs({ group: 'autoscaling', version: 'v1', resource: 'horizontalpodautoscalers' });
    expect(ruleMatches(v2, viaV1, false)).toBe(false);
    expect(ruleMatches(v2, viaV1, true)).toBe(true);
  });
});

describe('the version a webhook sees', () => {
  const hook = (apiVersions: string[][], matchPolicy?: 'Exact' | 'Equivalent'): Webhook => ({
    name: 'w.example.com',
    clientConfig: { url: 'https://x' },
    matchPolicy,
    rules: apiVersions.map((v) => ({ operations: ['CREATE'], apiGroups: ['autoscaling'], apiVersions: v, resources: ['horizontalpodautoscalers'] })),
  });
  const viaV1 = attrs({ group: 'autoscaling', version: 'v1', resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler' });
  const served = (v: string) => v === 'v1' || v === 'v2';

  it("is the request's own when a rule names it, else the first served version a rule names, under Equivalent only", () => {
    expect(matchedVersion(hook([['v2'], ['v1']]), viaV1, () => undefined, served)).toBe('v1');
    expect(matchedVersion(hook([['v2beta9', 'v2']]), viaV1, () => undefined, served)).toBe('v2');
    expect(matchedVersion(hook([['v2']], 'Exact'), viaV1, () => undefined, served)).toBeUndefined();
    // A version the resource is not served in matches nothing.
    expect(matchedVersion(hook([['v3']]), viaV1, () => undefined, served)).toBeUndefined();
    expect(matchedVersion(hook([['*']], 'Exact'), viaV1, () => undefined, served)).toBe('v1');
  });
});

describe('webhook selectors', () => {
  const hook = (h: Partial<Webhook>): Webhook => ({ name: 'w.example.com', clientConfig: { url: 'https://x' }, rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }], ...h });
  const labels: Record<string, Record<string, string>> = { ns: { team: 'a' }, other: { team: 'b' } };
  const nsLabels = (n: string) => labels[n];

  it('match the namespace of namespaced objects, a Namespace by its own labels, and let cluster-scoped objects through', () => {
    const h = hook({ namespaceSelector: { matchLabels: { team: 'a' } } });
    expect(webhookMatches(h, attrs({ object: obj() }), nsLabels)).toBe(true);
    expect(webhookMatches(h, attrs({ namespace: 'other', object: obj() }), nsLabels)).toBe(false);
    const ns = (l: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', labels: l } });
    expect(webhookMatches(h, attrs({ resource: 'namespaces', kind: 'Namespace', namespaced: false, namespace: undefined, object: ns({ team: 'a' }) }), nsLabels)).toBe(true);
    expect(webhookMatches(h, attrs({ resource: 'namespaces', kind: 'Namespace', namespaced: false, namespace: undefined, object: ns({}) }), nsLabels)).toBe(false);
    expect(webhookMatches(h, attrs({ resource: 'nodes', kind: 'Node', namespaced: false, namespace: undefined }), nsLabels)).toBe(true);
  });

  it('match the object selector against the new or the old object', () => {
    const h = hook({ objectSelector: { matchExpressions: [{ key: 'watched', operator: 'Exists' }] } });
    expect(webhookMatches(h, attrs({ object: obj({ watched: '1' }) }), nsLabels)).toBe(true);
    expect(webhookMatches(h, attrs({ object: obj() }), nsLabels)).toBe(false);
    expect(webhookMatches(h, attrs({ operation: 'UPDATE', object: obj(), oldObject: obj({ watched: '1' }) }), nsLabels)).toBe(true);
  });

  it('never send the webhook configurations themselves', () => {
    expect(webhookMatches(hook({}), attrs({ group: 'admissionregistration.k8s.io', resource: 'validatingwebhookconfigurations', namespaced: false }), nsLabels)).toBe(false);
  });
});

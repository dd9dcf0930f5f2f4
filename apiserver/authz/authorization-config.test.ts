import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAuthorizationConfig } from './authorization-config.js';

const dir = mkdtempSync(join(tmpdir(), 'authz-config-'));
const kubeconfig = join(dir, 'webhook.yaml');
writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\n');

const config = (authorizers: string) => `apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers:\n${authorizers}`;
const problems = async (text: string) => {
  try {
    await parseAuthorizationConfig(text);
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
};

describe('AuthorizationConfiguration', () => {
  it('takes the authorizers in order, webhooks with Kubernetes\' defaults and compiled match conditions', async () => {
    const parsed = await parseAuthorizationConfig(
      config(`- type: Webhook
  name: policy.example.com
  webhook:
    timeout: 3s
    subjectAccessReviewVersion: v1
    matchConditionSubjectAccessReviewVersion: v1
    failurePolicy: Deny
    connectionInfo: {type: KubeConfigFile, kubeConfigFile: ${kubeconfig}}
    matchConditions:
    - expression: has(request.resourceAttributes)
    - expression: "!request.user.startsWith('system:')"
- type: Node
  name: node
- type: RBAC
  name: rbac
`),
    );
    expect(parsed.authorizers.map((a) => [a.type, a.name])).toEqual([['Webhook', 'policy.example.com'], ['Node', 'node'], ['RBAC', 'rbac']]);
    const webhook = parsed.authorizers[0]!.type === 'Webhook' ? parsed.authorizers[0]!.webhook : undefined;
    expect(webhook).toMatchObject({ authorizedTTLMs: 300_000, unauthorizedTTLMs: 30_000, timeoutMs: 3_000, version: 'v1', failurePolicy: 'Deny', kubeConfigFile: kubeconfig });
    expect(webhook!.matchConditions.map((c) => c.evaluate({ request: { user: 'alice', groups: [], uid: '', extra: {}, resourceAttributes: { verb: 'get' } } }))).toEqual([true, true]);
  });

  it('names every problem by its field, as Kubernetes does', async () => {
    expect(await problems('apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers: []\n')).toBe('authorizers: Required value: at least one authorization mode must be defined');
    const message = await problems(
      config(`- type: RBAC
  name: rbac
- type: RBAC
  name: rbac2
- type: ABAC
  name: abac
- type: Node
  name: Not_A_Name
  webhook: {}
- type: Webhook
  name: hook
  webhook:
    timeout: 31s
    subjectAccessReviewVersion: v2
    failurePolicy: Sometimes
    connectionInfo: {type: KubeConfigFile, kubeConfigFile: relative.yaml}
    matchConditions:
    - expression: request.nope == 'x'
- type: Webhook
  name: hook
  webhook:
    timeout: 1s
    subjectAccessReviewVersion: v1
    failurePolicy: NoOpinion
    connectionInfo: {type: InClusterConfig}
    matchConditions:
    - expression: request.user
`),
    );
    expect(message.slice(1, -1).split(', authorizers')).toEqual([
      'authorizers[1].type: Duplicate value: "RBAC"',
      '[2].type: Unsupported value: "ABAC": supported values: "AlwaysAllow", "AlwaysDeny", "Node", "RBAC", "Webhook"',
      expect.stringMatching(/^\[3\]\.name: Invalid value: "Not_A_Name": authorizer name is invalid: /),
      '[3].webhook: Invalid value: "non-null": may only be specified when type=Webhook',
      '[4].webhook.timeout: Invalid value: "31s": must be > 0s and <= 30s',
      '[4].webhook.subjectAccessReviewVersion: Unsupported value: "v2": supported values: "v1", "v1beta1"',
      '[4].webhook.matchConditionSubjectAccessReviewVersion: Required value: required if match conditions are specified',
      '[4].webhook.failurePolicy: Unsupported value: "Sometimes": supported values: "NoOpinion", "Deny"',
      '[4].webhook.connectionInfo.kubeConfigFile: Invalid value: "relative.yaml": must be an absolute path',
      '[5].name: Duplicate value: "hook"',
      '[5].webhook.matchConditionSubjectAccessReviewVersion: Required value: required if match conditions are specified',
      '[4].webhook.matchConditions[0].expression: Invalid value: "request.nope == \'x\'": compilation failed: ERROR: <input>:1:9: undefined field \'nope\'',
      '[5].webhook.matchConditions[0].expression: Invalid value: "request.user": compilation failed: must evaluate to bool but got string',
    ]);
  });

  it('refuses other kinds and what is not YAML', async () => {
    expect(await problems('apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n')).toContain('is not AuthorizationConfiguration');
    expect(await problems('{')).toMatch(/^not YAML or JSON/);
  });

  it('refuses hostile files with field errors, never a crash or a polluted prototype', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const cases = [
      config('- __proto__: {type: AlwaysAllow}\n  type: RBAC\n  name: rbac\n- {type: Webhook, name: w, webhook: {__proto__: {polluted: true}, timeout: 3s}}\n'),
      config('- {type: [RBAC], name: {a: 1}}\n- {type: Webhook, name: w, webhook: {timeout: [1], authorizedTTL: "-5m", unauthorizedTTL: "5 parsecs", subjectAccessReviewVersion: 7, failurePolicy: null, connectionInfo: "x", matchConditions: "all"}}\n'),
      config(`- {type: Webhook, name: w, webhook: {timeout: 3s, subjectAccessReviewVersion: v1, matchConditionSubjectAccessReviewVersion: v1, failurePolicy: Deny, connectionInfo: {type: InClusterConfig}, matchConditions: [{expression: "${'!'.repeat(20000)}true"}, {expression: 7}]}}\n`),
      `apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers: ${deep}\n`,
      'a: &a [*a, *a]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b]\n',
    ];
    for (const text of cases) {
      const message = await problems(text);
      expect(message).not.toBe('accepted');
      expect(message.length).toBeLessThan(100_000);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await problems(cases[1]!)).toContain('authorizers[1].webhook.authorizedTTL: Invalid value: "-5m": must be > 0s');
  });
});

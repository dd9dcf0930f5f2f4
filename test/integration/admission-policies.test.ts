// ValidatingAdmissionPolicies against real etcd, the apiserver process and the
// controller-manager's status controller, driven by unmodified kubectl: a policy bound with Deny
// refuses writes with Kubernetes' message, Warn shows a warning, parameters come from a
// ConfigMap the binding names, expressions that do not compile are refused when the policy is
// written, and type confusions are reported in status.typeChecking.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { startComponent } from '../harness/components.js';
import { kubectlFor } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';
import { restCaller } from '../harness/rest.js';

let api: ApiServerHandle;
let kubectl: ReturnType<typeof kubectlFor>;
let manager: ReturnType<typeof startComponent>;

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
  kubectl = kubectlFor(api.url);
  manager = startComponent('controller-manager', ['--master', api.url, '--leader-elect=false', '--port', '0', '--controllers', 'validatingadmissionpolicy-status']);
});
afterAll(async () => {
  await manager?.stop();
  await api?.stop();
});

const call = restCaller(() => api.url);

const deployment = (name: string, namespace: string, replicas: number) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  });

describe('ValidatingAdmissionPolicy with kubectl', () => {
  it('denies, warns and reads parameters as Kubernetes does; refuses expressions that do not compile', async () => {
    await kubectl.ok(['create', 'namespace', 'policed']);
    await kubectl.ok(['label', 'namespace', 'policed', 'policed=true']);
    await kubectl.ok(['create', 'namespace', 'free']);
    const policy = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'replicas.example.com' },
      spec: {
        matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] },
        validations: [{ expression: 'object.spec.replicas > 1', messageExpression: "'wants replicas > 1, got ' + string(object.spec.replicas)" }],
      },
    };
    const binding = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'replicas-binding' },
      spec: { policyName: 'replicas.example.com', validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { policed: 'true' } } } },
    };
    expect(await kubectl.ok(['apply', '-f', '-'], JSON.stringify(policy))).toContain('validatingadmissionpolicy.admissionregistration.k8s.io/replicas.example.com created');
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify(binding));
    expect(await kubectl.ok(['get', 'validatingadmissionpolicies'])).toMatch(/^NAME\s+VALIDATIONS\s+PARAMKIND\s+AGE\nreplicas.example.com\s+1\s+<unset>\s+\d+s/);
    expect(await kubectl.ok(['get', 'validatingadmissionpolicybindings'])).toMatch(/^NAME\s+POLICYNAME\s+PARAMREF\s+AGE\nreplicas-binding\s+replicas.example.com\s+<unset>/);

    const denied = await kubectl.run(['apply', '-f', '-'], deployment('one', 'policed', 1));
    expect(denied.code).not.toBe(0);
    // kubectl words a 422 with causes as Kubernetes' own denials read: "is invalid: : <cause>".
    expect(denied.stderr).toContain('The deployments "one" is invalid: : ValidatingAdmissionPolicy \'replicas.example.com\' with binding \'replicas-binding\' denied request: wants replicas > 1, got 1');
    const status = await call('POST', '/apis/apps/v1/namespaces/policed/deployments', deployment('one', 'policed', 1));
    expect(status.status).toBe(422);
    expect(status.json.message).toBe('deployments.apps "one" is forbidden: ValidatingAdmissionPolicy \'replicas.example.com\' with binding \'replicas-binding\' denied request: wants replicas > 1, got 1');
    expect(status.json).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422, details: { name: 'one', group: 'apps', kind: 'deployments' } });
    expect(await kubectl.ok(['apply', '-f', '-'], deployment('two', 'policed', 2))).toContain('created');
    expect(await kubectl.ok(['apply', '-f', '-'], deployment('one', 'free', 1))).toContain('created');
    // An update is checked too; the scale subresource is another resource (deployments/scale), which the rule does not name.
    const patched = await kubectl.run(['patch', 'deployment', 'two', '-n', 'policed', '--type=merge', '-p', '{"spec":{"replicas":1}}']);
    expect(patched.stderr).toContain('wants replicas > 1, got 1');
    await kubectl.ok(['scale', 'deployment', 'two', '-n', 'policed', '--replicas=1']);

    // Warn: the write goes through, kubectl prints the warning.
    await kubectl.ok(['patch', 'validatingadmissionpolicybinding', 'replicas-binding', '--type=merge', '-p', '{"spec":{"validationActions":["Warn"]}}']);
    const warned = await kubectl.run(['apply', '-f', '-'], deployment('three', 'policed', 1));
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain("Warning: Validation failed for ValidatingAdmissionPolicy 'replicas.example.com' with binding 'replicas-binding': wants replicas > 1, got 1");

    // Parameters: the most replicas a namespace allows, from its ConfigMap.
    await kubectl.ok(['create', 'configmap', 'limits', '-n', 'policed', '--from-literal=max=3']);
    const limited = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'max-replicas.example.com' },
      spec: {
        paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
        matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] },
        validations: [{ expression: 'object.spec.replicas <= int(params.data.max)', messageExpression: "'at most ' + params.data.max + ' replicas here'", reason: 'Forbidden' }],
      },
    };
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify(limited));
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ ...binding, metadata: { name: 'max-binding' }, spec: { policyName: 'max-replicas.example.com', validationActions: ['Deny'], paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' } } }));
    const tooMany = await call('POST', '/apis/apps/v1/namespaces/policed/deployments', deployment('many', 'policed', 5));
    expect(tooMany.status).toBe(403);
    expect(tooMany.json.message).toContain("ValidatingAdmissionPolicy 'max-replicas.example.com' with binding 'max-binding' denied request: at most 3 replicas here");
    // No ConfigMap in the namespace: the binding cannot be configured, and Deny says so.
    const noParams = await kubectl.run(['apply', '-f', '-'], deployment('two', 'free', 2));
    expect(noParams.stderr).toContain('failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction');

    const broken = await kubectl.run(['apply', '-f', '-'], JSON.stringify({ ...policy, metadata: { name: 'broken.example.com' }, spec: { ...policy.spec, validations: [{ expression: 'object.spec.replicas >' }] } }));
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toContain('spec.validations[0].expression: Invalid value: "object.spec.replicas >": compilation failed: ERROR: <input>:1:');
    await kubectl.ok(['delete', 'validatingadmissionpolicybinding', 'replicas-binding', 'max-binding']);
    expect(await kubectl.ok(['apply', '-f', '-'], deployment('four', 'policed', 1))).toContain('created');
  });

  it('lets policies ask the authorizer what the user may do (RBAC), for a custom verb on the request\'s resource', async () => {
    await kubectl.ok(['create', 'namespace', 'approvals']);
    await kubectl.ok(['label', 'namespace', 'approvals', 'approvals=true']);
    await kubectl.ok(['create', 'role', 'deployer', '-n', 'approvals', '--verb=create,get,list', '--resource=deployments.apps']);
    await kubectl.ok(['create', 'rolebinding', 'jane-deployer', '-n', 'approvals', '--role=deployer', '--user=jane']);
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'approved.example.com' },
      spec: {
        matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments'] }] },
        validations: [{
          expression: "authorizer.requestResource.check('approve').allowed()",
          messageExpression: "'user ' + request.userInfo.username + ' may not approve deployments in ' + request.namespace",
          reason: 'Forbidden',
        }],
      },
    }));
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'approved-binding' },
      spec: { policyName: 'approved.example.com', validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { approvals: 'true' } } } },
    }));
    const refused = await waitFor('the policy in force', async () => {
      const r = await kubectl.run(['apply', '--as=jane', '-f', '-'], deployment('unapproved', 'approvals', 1));
      return r.code !== 0 ? r : undefined;
    }, 10_000, 200);
    expect(refused.stderr).toContain('user jane may not approve deployments in approvals');
    // The cluster admin may (system:masters), and so may jane once RBAC gives her the verb.
    expect(await kubectl.ok(['apply', '-f', '-'], deployment('by-admin', 'approvals', 1))).toContain('created');
    await kubectl.ok(['create', 'role', 'approver', '-n', 'approvals', '--verb=approve', '--resource=deployments.apps']);
    await kubectl.ok(['create', 'rolebinding', 'jane-approver', '-n', 'approvals', '--role=approver', '--user=jane']);
    const created = await waitFor('jane allowed', async () => {
      const r = await kubectl.run(['apply', '--as=jane', '-f', '-'], deployment('approved', 'approvals', 1));
      return r.code === 0 ? r.stdout : undefined;
    }, 10_000, 200);
    expect(created).toContain('deployment.apps/approved created');
    await kubectl.ok(['delete', 'validatingadmissionpolicybinding', 'approved-binding']);
    await kubectl.ok(['delete', 'validatingadmissionpolicy', 'approved.example.com']);
  });

  it('reports type confusions in status.typeChecking, as Kubernetes\' status controller does', async () => {
    const confused = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'confused.example.com' },
      spec: {
        matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] },
        validations: [{ expression: "object.spec.replicas > '1'", messageExpression: "'wants replicas > 1, got ' + object.spec.replicas" }],
      },
    };
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify(confused));
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ ...confused, metadata: { name: 'correct.example.com' }, spec: { ...confused.spec, validations: [{ expression: 'object.spec.replicas > 1' }] } }));
    const checked = async (name: string) =>
      waitFor(`${name} type-checked`, async () => {
        const p = JSON.parse(await kubectl.ok(['get', 'validatingadmissionpolicy', name, '-o', 'json']));
        return p.status?.typeChecking ? p : undefined;
      }, 20_000);
    const correct = await checked('correct.example.com');
    expect(correct.status).toMatchObject({ observedGeneration: 1 });
    expect(correct.status.typeChecking.expressionWarnings ?? []).toEqual([]);
    const warnings = (await checked('confused.example.com')).status.typeChecking.expressionWarnings;
    expect(warnings).toHaveLength(2);
    expect(warnings[0].fieldRef).toBe('spec.validations[0].expression');
    expect(warnings[0].warning).toContain("found no matching overload for '_>_' applied to '(int, string)'");
    expect(warnings[1].fieldRef).toBe('spec.validations[0].messageExpression');
    expect(warnings[1].warning).toContain("found no matching overload for '_+_' applied to '(string, int)'");

    // A custom resource's policy is checked against its definition's schema.
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'crontabs.policy.example.com' },
      spec: {
        group: 'policy.example.com',
        scope: 'Namespaced',
        names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' }, cron: { type: 'string' } } } } } } }],
      },
    }));
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      ...confused,
      metadata: { name: 'crontab.example.com' },
      spec: {
        matchConstraints: { resourceRules: [{ apiGroups: ['policy.example.com'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['crontabs'] }] },
        validations: [{ expression: "object.spec.replicas > 1 && object.metadata.labels['team'] != ''" }, { expression: 'object.spec.schedule == "x"' }],
      },
    }));
    const custom = (await checked('crontab.example.com')).status.typeChecking.expressionWarnings;
    expect(custom.map((w: { fieldRef: string }) => w.fieldRef)).toEqual(['spec.validations[1].expression']);
    expect(custom[0].warning).toContain("policy.example.com/v1, Kind=CronTab: ERROR: <input>:1:");
    expect(custom[0].warning).toContain("undefined field 'schedule'");
  });
});

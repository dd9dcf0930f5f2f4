import { describe, expect, it } from 'vitest';
import { StatusError } from '../../../api/status.js';
import type { KubeObject } from '../../../api/types/meta.js';
import type { AuthorizeFn, CheckAttributes, CheckUser } from '../../../api/cel/authorizer-library.js';
import type { AdmissionAttributes } from '../webhooks/matching.js';
import { ValidatingPolicyAdmission, type PolicyAuthorize, type PolicySource } from './validating-policy.js';

const policy = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicy',
  metadata: { name, uid: name, resourceVersion: '1' },
  spec: {
    failurePolicy: 'Fail',
    matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] },
    ...spec,
  },
});
const binding = (name: string, policyName: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicyBinding',
  metadata: { name },
  spec: { policyName, validationActions: ['Deny'], ...spec },
});

function admission(policies: KubeObject[], bindings: KubeObject[], params: KubeObject[] = [], authorize?: PolicyAuthorize): ValidatingPolicyAdmission {
  const namespaces: Record<string, KubeObject> = {
    marked: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'marked', labels: { policed: 'true' } } },
    plain: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'plain' } },
  };
  const source: PolicySource = {
    policies: () => policies,
    bindings: () => bindings,
    namespace: (n) => namespaces[n],
    params: (apiVersion, kind, namespace, name) =>
      apiVersion === 'v1' && kind === 'ConfigMap' ? { namespaced: true, objects: params.filter((p) => p.metadata.namespace === namespace && (name === undefined || p.metadata.name === name)) } : undefined,
  };
  return new ValidatingPolicyAdmission(source, authorize);
}

const deployment = (replicas: number, namespace = 'marked', operation: AdmissionAttributes['operation'] = 'CREATE'): AdmissionAttributes => ({
  operation,
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  kind: 'Deployment',
  namespaced: true,
  name: 'web',
  namespace,
  object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace, labels: { app: 'web' } }, spec: { replicas } },
  user: { name: 'jane', groups: ['system:authenticated'] },
  dryRun: false,
});

async function denial(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  throw new Error('not denied');
}

describe('ValidatingAdmissionPolicy', () => {
  const replicas = policy('replicas.example.com', {
    validations: [{ expression: 'object.spec.replicas > 1', messageExpression: "'wants replicas > 1, got ' + string(object.spec.replicas)" }],
  });

  it('denies what a bound policy refuses, in Kubernetes words, and lets the rest through', async () => {
    const a = admission([replicas], [binding('replicas-binding', 'replicas.example.com', { matchResources: { namespaceSelector: { matchLabels: { policed: 'true' } } } })]);
    const err = await denial(a.validate(deployment(1)));
    expect(err.code).toBe(422);
    expect(err.reason).toBe('Invalid');
    expect(err.message).toBe('deployments.apps "web" is forbidden: ValidatingAdmissionPolicy \'replicas.example.com\' with binding \'replicas-binding\' denied request: wants replicas > 1, got 1');
    expect(await a.validate(deployment(2))).toEqual({ warnings: [], annotations: {} });
    // Outside the binding's namespaces, and for other resources, the policy does not apply.
    expect(await a.validate(deployment(1, 'plain'))).toEqual({ warnings: [], annotations: {} });
    expect(await a.validate({ ...deployment(1), resource: 'replicasets', kind: 'ReplicaSet' })).toEqual({ warnings: [], annotations: {} });
  });

  it('does nothing without a binding, and warns or audits as the binding says', async () => {
    expect(await admission([replicas], []).validate(deployment(1))).toEqual({ warnings: [], annotations: {} });
    const out = await admission([replicas], [binding('b', 'replicas.example.com', { validationActions: ['Warn', 'Audit'] })]).validate(deployment(1));
    expect(out.warnings).toEqual(["Validation failed for ValidatingAdmissionPolicy 'replicas.example.com' with binding 'b': wants replicas > 1, got 1"]);
    expect(JSON.parse(out.annotations['validation.policy.admission.k8s.io/validation_failure']!)).toEqual([
      { message: 'wants replicas > 1, got 1', policy: 'replicas.example.com', binding: 'b', expressionIndex: 0, validationActions: ['Warn', 'Audit'] },
    ]);
  });

  it('uses message, then the expression, and a validation reason for the status code', async () => {
    const p = policy('p', { validations: [{ expression: 'object.spec.replicas < 10', message: 'too many', reason: 'Forbidden' }, { expression: "object.metadata.name != 'web'" }] });
    const err = await denial(admission([p], [binding('b', 'p')]).validate(deployment(20)));
    expect(err.code).toBe(403);
    expect(err.message).toContain('denied request: too many');
    const second = await denial(admission([p], [binding('b', 'p')]).validate(deployment(2)));
    expect(second.message).toContain("denied request: failed expression: object.metadata.name != 'web'");
  });

  it('reads parameters from the binding: by name, in the request namespace; a missing one per parameterNotFoundAction', async () => {
    const p = policy('max', { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'object.spec.replicas <= int(params.data.max)', messageExpression: "'at most ' + params.data.max" }] });
    const limits: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'limits', namespace: 'marked' }, data: { max: '3' } };
    const deny = binding('b', 'max', { paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' } });
    expect((await denial(admission([p], [deny], [limits]).validate(deployment(5)))).message).toContain('denied request: at most 3');
    await admission([p], [deny], [limits]).validate(deployment(3));
    expect((await denial(admission([p], [deny]).validate(deployment(3)))).message).toContain('failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction');
    await admission([p], [binding('b', 'max', { paramRef: { name: 'limits', parameterNotFoundAction: 'Allow' } })]).validate(deployment(3));
  });

  it('evaluates variables and match conditions; errors deny under Fail and pass under Ignore', async () => {
    const p = policy('vars', {
      variables: [{ name: 'isWeb', expression: "object.metadata.labels.app == 'web'" }],
      matchConditions: [{ name: 'only-web', expression: 'variables.isWeb' }],
      validations: [{ expression: 'object.spec.replicas >= 2' }],
    });
    expect((await denial(admission([p], [binding('b', 'vars')]).validate(deployment(1)))).message).toContain('failed expression: object.spec.replicas >= 2');
    const other = deployment(1);
    (other.object!.metadata.labels as Record<string, string>).app = 'db';
    await admission([p], [binding('b', 'vars')]).validate(other);

    const broken = policy('broken', { validations: [{ expression: 'object.spec.missing > 1' }] });
    expect((await denial(admission([broken], [binding('b', 'broken')]).validate(deployment(1)))).message).toContain("expression 'object.spec.missing > 1' resulted in error: no such key: missing");
    const ignored = policy('ignored', { failurePolicy: 'Ignore', validations: [{ expression: 'object.spec.missing > 1' }] });
    await admission([ignored], [binding('b', 'ignored')]).validate(deployment(1));
  });

  it('sees oldObject on updates and request fields', async () => {
    const p = policy('no-shrink', { validations: [{ expression: "request.operation != 'UPDATE' || object.spec.replicas >= oldObject.spec.replicas", message: 'no shrinking' }, { expression: "request.userInfo.username != 'mallory'" }] });
    const update = deployment(1, 'marked', 'UPDATE');
    update.oldObject = { ...update.object!, spec: { replicas: 3 } };
    expect((await denial(admission([p], [binding('b', 'no-shrink')]).validate(update))).message).toContain('no shrinking');
    const mallory = { ...deployment(3), user: { name: 'mallory', groups: [] } };
    expect((await denial(admission([p], [binding('b', 'no-shrink')]).validate(mallory))).message).toContain("failed expression: request.userInfo.username != 'mallory'");
  });

  it('gives policies the authorizer: checks for the requesting user, a service account, a path and the request\'s own resource', async () => {
    const asked: Array<{ user: CheckUser; attrs: CheckAttributes }> = [];
    const authorize: AuthorizeFn = (user, attrs) => {
      asked.push({ user, attrs });
      if (attrs.resourceRequest && attrs.verb === 'approve') return { decision: 'allow' };
      if (!attrs.resourceRequest) return { decision: 'allow' };
      if (user.name.startsWith('system:serviceaccount:')) return { decision: 'deny', reason: 'no service account may' };
      return { decision: 'no-opinion', reason: 'no RBAC rule' };
    };
    const gate = policy('gate.example.com', {
      validations: [
        { expression: "authorizer.requestResource.check('approve').allowed()" },
        { expression: "authorizer.path('/healthz').check('get').allowed()" },
        { expression: "object.spec.replicas < 5 || authorizer.group('apps').resource('deployments').subresource('scale').namespace(object.metadata.namespace).name('web').check('update').allowed()", messageExpression: "'scaling past 4 needs update on deployments/scale: ' + authorizer.group('apps').resource('deployments').subresource('scale').namespace(object.metadata.namespace).check('update').reason()" },
        { expression: "!authorizer.serviceAccount('kube-system', 'deployer').group('').resource('secrets').check('get').allowed() && authorizer.serviceAccount('kube-system', 'deployer').group('').resource('secrets').check('get').reason() == 'no service account may'" },
        { expression: "!authorizer.group('').resource('pods').check('list').errored() && authorizer.group('').resource('pods').check('list').error() == ''" },
      ],
    });
    const a = admission([gate], [binding('gate-binding', 'gate.example.com')], [], authorize);
    await a.validate(deployment(2));
    expect(asked.find((q) => q.attrs.verb === 'approve')).toEqual({
      user: { name: 'jane', groups: ['system:authenticated'] },
      attrs: { resourceRequest: true, verb: 'approve', apiGroup: 'apps', apiVersion: 'v1', resource: 'deployments', subresource: '', namespace: 'marked', name: 'web' },
    });
    expect(asked.find((q) => q.user.name === 'system:serviceaccount:kube-system:deployer')?.user.groups).toEqual(['system:serviceaccounts', 'system:serviceaccounts:kube-system']);
    const err = await denial(a.validate(deployment(7)));
    expect(err.message).toContain('scaling past 4 needs update on deployments/scale: no RBAC rule');
    expect(asked.find((q) => q.attrs.resourceRequest && q.attrs.subresource === 'scale')?.attrs).toEqual({ resourceRequest: true, verb: 'update', apiGroup: 'apps', apiVersion: '*', resource: 'deployments', subresource: 'scale', namespace: 'marked', name: 'web' });
  });

  it('waits for an authorizer that answers later (a webhook): the policy is judged on its answers, however many rounds of checks that takes', async () => {
    const asked: string[] = [];
    const authorize: PolicyAuthorize = async (_user, attrs) => {
      const what = attrs.resourceRequest ? `${attrs.verb} ${attrs.resource}` : `${attrs.verb} ${attrs.path}`;
      asked.push(what);
      await new Promise((r) => setTimeout(r, 5));
      return what === 'get pods' || what === 'list pods' ? { decision: 'allow' } : { decision: 'deny', reason: `webhook says no to ${what}` };
    };
    // The second check is made only once the first is known to allow, and the third only after that.
    const chained = policy('chained.example.com', {
      validations: [
        {
          expression: "authorizer.group('').resource('pods').check('get').allowed() && authorizer.group('').resource('pods').check('list').allowed() && authorizer.group('').resource('secrets').check('get').allowed()",
          messageExpression: "authorizer.group('').resource('secrets').check('get').reason()",
        },
      ],
    });
    const err = await denial(admission([chained], [binding('chained-binding', 'chained.example.com')], [], authorize).validate(deployment(2)));
    expect(err.message).toContain('denied request: webhook says no to get secrets');
    // Each check asked once, whatever the number of rounds (the message's own check among them).
    expect([...asked].sort()).toEqual(['get pods', 'get secrets', 'list pods']);
    const allowed = policy('allowed.example.com', { validations: [{ expression: "authorizer.group('').resource('pods').check('get').allowed()" }] });
    await admission([allowed], [binding('allowed-binding', 'allowed.example.com')], [], authorize).validate(deployment(2));
  });

  it('meters authorizer checks: a policy that would authorize without end fails, as Kubernetes\' cost limit fails it', async () => {
    let calls = 0;
    const authorize: AuthorizeFn = () => (calls++, { decision: 'allow' });
    const greedy = policy('greedy.example.com', { validations: [{ expression: "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30].all(i, authorizer.group('').resource('pods').name(string(i)).check('get').allowed())" }] });
    const err = await denial(admission([greedy], [binding('greedy-binding', 'greedy.example.com')], [], authorize).validate(deployment(2)));
    expect(err.message).toContain('operation cancelled: actual cost limit exceeded');
    expect(calls).toBe(28);
    // A modest policy stays within budget on every request.
    const modest = policy('modest.example.com', { validations: [{ expression: "authorizer.group('').resource('pods').check('get').allowed()" }] });
    const a = admission([modest], [binding('modest-binding', 'modest.example.com')], [], authorize);
    for (let i = 0; i < 40; i++) await a.validate(deployment(2));
  });
});


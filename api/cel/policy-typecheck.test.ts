import { describe, expect, it } from 'vitest';
import { customResourcesNamed, typeCheckPolicy } from './policy-typecheck.js';

const deployments = { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] };

describe('ValidatingAdmissionPolicy type checking', () => {
  it('finds nothing wrong with expressions that fit the matched kind', () => {
    expect(typeCheckPolicy({ matchConstraints: deployments, validations: [{ expression: 'object.spec.replicas > 1', messageExpression: "'got ' + string(object.spec.replicas)" }] })).toEqual([]);
  });

  it('warns, in cel-go words, where an expression confuses types or names a field the kind lacks', () => {
    const warnings = typeCheckPolicy({
      matchConstraints: deployments,
      validations: [
        { expression: "object.spec.replicas > '1'", messageExpression: "'wants replicas > 1, got ' + object.spec.replicas" },
        { expression: 'object.spec.replicaz > 1' },
      ],
    });
    expect(warnings.map((w) => w.fieldRef)).toEqual(['spec.validations[0].expression', 'spec.validations[0].messageExpression', 'spec.validations[1].expression']);
    expect(warnings[0]!.warning).toContain("apps/v1, Kind=Deployment: ERROR: <input>:1:");
    expect(warnings[0]!.warning).toContain("found no matching overload for '_>_' applied to '(int, string)'");
    expect(warnings[1]!.warning).toContain("found no matching overload for '_+_' applied to '(string, int)'");
    expect(warnings[2]!.warning).toContain("undefined field 'replicaz'");
  });

  it('checks nothing for rules with wildcards, and types params from a built-in paramKind', () => {
    expect(typeCheckPolicy({ matchConstraints: { resourceRules: [{ apiGroups: ['*'], apiVersions: ['*'], operations: ['*'], resources: ['*'] }] }, validations: [{ expression: "object.x > '1'" }] })).toEqual([]);
    const withParams = typeCheckPolicy({ paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, matchConstraints: deployments, validations: [{ expression: 'object.spec.replicas <= int(params.data.max)' }, { expression: 'params.nope == 1' }] });
    expect(withParams.map((w) => w.fieldRef)).toEqual(['spec.validations[1].expression']);
    expect(withParams[0]!.warning).toContain("undefined field 'nope'");
  });

  it('types the authorizer: its checks fit, a misused one does not', () => {
    expect(typeCheckPolicy({ matchConstraints: deployments, validations: [{ expression: "authorizer.group('apps').resource('deployments').namespace(object.metadata.namespace).check('update').allowed() || authorizer.requestResource.check('x').allowed()" }] })).toEqual([]);
    const wrong = typeCheckPolicy({ matchConstraints: deployments, validations: [{ expression: "authorizer.group('apps').check('update').allowed()" }] });
    expect(wrong).toHaveLength(1);
  });

  it('checks custom resources against their definition\'s schema, with the full ObjectMeta', () => {
    const spec = {
      matchConstraints: { resourceRules: [{ apiGroups: ['example.com'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['widgets'] }, { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments'] }] },
      validations: [{ expression: "object.spec.size > 1 && object.metadata.labels['tier'] == 'x'" }, { expression: "object.spec.size > 'big'" }],
    };
    expect(customResourcesNamed(spec)).toEqual([{ group: 'example.com', version: 'v1', resource: 'widgets' }]);
    const widget = { group: 'example.com', version: 'v1', kind: 'Widget', schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } };
    const warnings = typeCheckPolicy(spec, [widget]);
    // Deployments have no spec.size: both expressions warn for them; the Widget only for the second.
    expect(warnings.map((w) => w.fieldRef)).toEqual(['spec.validations[0].expression', 'spec.validations[1].expression']);
    expect(warnings[0]!.warning).not.toContain('Kind=Widget');
    expect(warnings[1]!.warning).toContain("example.com/v1, Kind=Widget: ERROR: <input>:1:");
    expect(warnings[1]!.warning).toContain("found no matching overload for '_>_' applied to '(int, string)'");
  });
});


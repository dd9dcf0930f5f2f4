// CEL for structured authorization (AuthorizationConfiguration's webhook match conditions):
// `request` is the SubjectAccessReview spec the webhook would be sent (user, groups, uid, extra,
// resourceAttributes or nonResourceAttributes), declared with its fields as Kubernetes declares
// them, so a misspelt field is a compile error.
import { CelCompileError, compilerFor, type CompiledExpression } from './environment.js';

const RESOURCE_ATTRIBUTES = { namespace: 'string', verb: 'string', group: 'string', version: 'string', resource: 'string', subresource: 'string', name: 'string' };
const REQUEST_SCHEMA = {
  user: 'string',
  groups: 'list<string>',
  uid: 'string',
  extra: 'map<string, list<string>>',
  resourceAttributes: RESOURCE_ATTRIBUTES,
  nonResourceAttributes: { path: 'string', verb: 'string' },
};

const compileMatchCondition = compilerFor(['request'], (typed) => typed.registerVariable({ name: 'request', schema: REQUEST_SCHEMA }));

/** Compiles a match condition; throws CelCompileError unless it is a bool expression. */
export function compileAuthorizationMatchCondition(source: string): CompiledExpression {
  const compiled = compileMatchCondition(source);
  if (compiled.type !== 'bool') throw new CelCompileError(`must evaluate to bool but got ${compiled.type}`);
  return compiled;
}

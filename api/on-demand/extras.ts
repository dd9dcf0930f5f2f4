// What only some clusters use, loaded when they first do: CEL (CRDs' x-kubernetes-validations,
// ValidatingAdmissionPolicies, webhooks' match conditions) and RE2 (CRDs' `pattern`s). Both
// weigh on every apiserver's start (~10 MB and ~60 ms of CPU), so they are imported when the
// first object using them is written or served (loader.ts).
export { compileSchemaRules, reportRuleProblems, RuleValidator } from '../custom-resources/validation-rules.js';
export { re2Pattern } from '../custom-resources/re2-pattern.js';
export { compileAdmissionExpression, compileConditions, judgeConditions, jsonToCel, namespaceObjectOf } from '../cel/admission.js';
export { customResourcesNamed, typeCheckPolicy } from '../cel/policy-typecheck.js';
export { CelAuthorizer } from '../cel/authorizer-library.js';
export { compileAuthenticationExpression } from '../cel/authentication.js';
export { compileAuthorizationMatchCondition } from '../cel/authorization.js';

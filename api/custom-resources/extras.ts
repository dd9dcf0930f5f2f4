// What only some CRDs need, loaded with them: CEL for x-kubernetes-validations and RE2 for
// `pattern`s. Both weigh on every apiserver's start (~10 MB and ~60 ms of CPU) that most
// clusters' CRDs never use, so they are imported when the first schema using them is written
// or served (extras-loader.ts).
export { compileSchemaRules, reportRuleProblems, RuleValidator } from './validation-rules.js';
export { re2Pattern } from './re2-pattern.js';

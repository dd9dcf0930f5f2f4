// CEL for structured authentication (AuthenticationConfiguration's JWT authenticators): claim
// validation rules and claim mappings see `claims` (the token's payload), user validation rules
// see `user` (username, uid, groups, extra), as Kubernetes declares them.
import { compilerFor, type CompiledExpression } from './environment.js';

const compileAuthentication = compilerFor(['claims', 'user'], (typed) => {
  typed.registerVariable('claims', 'map<string, dyn>');
  typed.registerVariable('user', 'dyn');
});

/** Compiles an authentication expression; throws CelCompileError (cel-go's wording). */
export function compileAuthenticationExpression(source: string): CompiledExpression {
  return compileAuthentication(source);
}

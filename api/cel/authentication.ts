// CEL for structured authentication (AuthenticationConfiguration's JWT authenticators): claim
// validation rules and claim mappings see `claims` (the token's payload), user validation rules
// see `user` (username, uid, groups, extra), as Kubernetes declares them.
import type { Environment } from '@marcbachmann/cel-js';
import { compile, newEnvironment, type CompiledExpression } from './environment.js';

let typed: Environment | undefined;
let untyped: Environment | undefined;

function environments(): { typed: Environment; untyped: Environment } {
  if (!typed || !untyped) {
    typed = newEnvironment();
    untyped = newEnvironment();
    typed.registerVariable('claims', 'map<string, dyn>');
    typed.registerVariable('user', 'dyn');
    untyped.registerVariable('claims', 'dyn');
    untyped.registerVariable('user', 'dyn');
  }
  return { typed, untyped };
}

/** Compiles an authentication expression; throws CelCompileError (cel-go's wording). */
export function compileAuthenticationExpression(source: string): CompiledExpression {
  const env = environments();
  return compile(source, env.typed, env.untyped);
}

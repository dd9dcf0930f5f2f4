// ValidatingAdmissionPolicy status: each policy's expressions are type-checked against the
// kinds it matches (api/cel/policy-typecheck.ts) and the result written to
// status.typeChecking with status.observedGeneration, as Kubernetes' controller does; a policy
// is checked again whenever its spec (generation) changes. CEL is loaded with the first policy.
import { loadExtras } from '../../api/on-demand/loader.js';
import { StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Informer } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';

const policies = resource('admissionregistration.k8s.io/v1/validatingadmissionpolicies');

type Policy = KubeObject<Record<string, unknown>, { observedGeneration?: number; typeChecking?: unknown; conditions?: unknown[] }>;

export class ValidatingAdmissionPolicyStatusController extends Controller {
  private readonly policies: Informer<Policy>;

  constructor(ctx: ControllerContext) {
    super('validatingadmissionpolicy-status', ctx);
    this.policies = ctx.informers.for<Policy>('admissionregistration.k8s.io/v1/validatingadmissionpolicies');
    this.policies.addHandler({ add: (p) => this.enqueue(p), update: (_old, p) => this.enqueue(p) });
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    const policy = this.policies.get(name);
    if (!policy?.spec) return;
    const generation = policy.metadata.generation ?? 0;
    if (policy.status?.observedGeneration === generation && policy.status?.typeChecking) return;
    const { typeCheckPolicy } = await loadExtras();
    const warnings = typeCheckPolicy(policy.spec);
    const status = { ...(policy.status ?? {}), observedGeneration: generation, typeChecking: warnings.length ? { expressionWarnings: warnings } : {} };
    try {
      await this.ctx.client.updateStatus<Policy>(policies, { ...policy, status });
    } catch (err) {
      // 409: changed meanwhile (its update event brings it back); 404: gone.
      if (!(err instanceof StatusError && (err.code === 409 || err.code === 404))) throw err;
    }
  }
}

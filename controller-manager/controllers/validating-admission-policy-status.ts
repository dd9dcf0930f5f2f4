// ValidatingAdmissionPolicy status: each policy's expressions are type-checked against the
// kinds it matches (api/cel/policy-typecheck.ts) and the result written to
// status.typeChecking with status.observedGeneration, as Kubernetes' controller does; a policy
// is checked again whenever its spec (generation) changes. CEL is loaded with the first policy.
// Custom resources a policy names are checked against their definition (read when checked:
// its name is <resource>.<group>), so no cache of definitions is kept.
import type { CustomKindSchema } from '../../api/cel/policy-typecheck.js';
import type { JSONSchemaProps } from '../../api/custom-resources/structural-schema.js';
import { loadExtras } from '../../api/on-demand/loader.js';
import { StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Informer } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';

const policies = resource('admissionregistration.k8s.io/v1/validatingadmissionpolicies');
const definitions = resource('apiextensions.k8s.io/v1/customresourcedefinitions');

type Definition = KubeObject<{ group: string; names: { kind: string }; versions: Array<{ name: string; served?: boolean; schema?: { openAPIV3Schema?: JSONSchemaProps } }> }>;

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
    const { typeCheckPolicy, customResourcesNamed } = await loadExtras();
    const custom: CustomKindSchema[] = [];
    for (const r of customResourcesNamed(policy.spec)) {
      const crd = await this.ctx.client.get<Definition>(definitions, undefined, `${r.resource}.${r.group}`).catch((err: unknown) => {
        if (err instanceof StatusError && err.code === 404) return undefined; // not defined (yet): nothing to check against
        throw err;
      });
      const version = crd?.spec?.versions.find((v) => v.name === r.version && v.served !== false);
      const schema = version?.schema?.openAPIV3Schema;
      if (crd?.spec && schema) custom.push({ group: r.group, version: r.version, kind: crd.spec.names.kind, schema });
    }
    const warnings = typeCheckPolicy(policy.spec, custom);
    const status = { ...(policy.status ?? {}), observedGeneration: generation, typeChecking: warnings.length ? { expressionWarnings: warnings } : {} };
    try {
      await this.ctx.client.updateStatus<Policy>(policies, { ...policy, status });
    } catch (err) {
      // 409: changed meanwhile (its update event brings it back); 404: gone.
      if (!(err instanceof StatusError && (err.code === 409 || err.code === 404))) throw err;
    }
  }
}

// admissionregistration.k8s.io/v1 MutatingWebhookConfiguration and
// ValidatingWebhookConfiguration: which requests are sent to which admission webhook. What the
// apiserver does with them is apiserver/admission/webhooks/.
import { ageCol, col, nameCol } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import type { KubeObject } from '../../types/meta.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { validateLabelSelector } from '../../validation/label-selector.js';
import { dns1123Subdomain } from '../../validation/names.js';
import { validateWebhookClientConfig } from '../../validation/webhook-client-config.js';
import { loadExtras } from '../../on-demand/loader.js';
import { validateMatchConditions } from './validating-admission-policy.js';
import type { KindModule } from '../kind.js';

const OPERATIONS = ['*', 'CREATE', 'UPDATE', 'DELETE', 'CONNECT'];
const SCOPES = ['Cluster', 'Namespaced', '*'];
const REVIEW_VERSIONS = ['v1', 'v1beta1'];

/** Kubernetes' defaults for each webhook of a configuration. */
function defaultWebhooks(o: KubeObject, mutating: boolean): void {
  for (const w of Array.isArray(o.webhooks) ? (o.webhooks as Record<string, any>[]) : []) {
    if (!w || typeof w !== 'object') continue;
    w.failurePolicy ??= 'Fail';
    w.matchPolicy ??= 'Equivalent';
    w.namespaceSelector ??= {};
    w.objectSelector ??= {};
    w.timeoutSeconds ??= 10;
    if (mutating) w.reinvocationPolicy ??= 'Never';
    if (w.clientConfig?.service) w.clientConfig.service.port ??= 443;
    for (const r of Array.isArray(w.rules) ? w.rules : []) if (r && typeof r === 'object') r.scope ??= '*';
  }
}

function validateWebhooks(o: KubeObject, errs: FieldErrors, mutating: boolean): void {
  const hooks = o.webhooks;
  if (hooks !== undefined && !Array.isArray(hooks)) return errs.invalid('webhooks', hooks, 'must be a list');
  const names = new Set<string>();
  for (const [i, w] of ((hooks ?? []) as Record<string, any>[]).entries()) {
    const f = `webhooks[${i}]`;
    if (!w || typeof w !== 'object') {
      errs.required(f);
      continue;
    }
    if (!w.name) errs.required(`${f}.name`);
    else {
      const problems = dns1123Subdomain(w.name);
      if (problems.length || w.name.split('.').length < 3) errs.invalid(`${f}.name`, w.name, 'should be a domain with at least three segments separated by dots');
      if (names.has(w.name)) errs.duplicate(`${f}.name`, w.name);
      names.add(w.name);
    }
    validateWebhookClientConfig(w.clientConfig, `${f}.clientConfig`, errs);
    for (const [j, r] of (Array.isArray(w.rules) ? w.rules : []).entries()) {
      const rf = `${f}.rules[${j}]`;
      for (const key of ['operations', 'apiGroups', 'apiVersions', 'resources']) {
        if (!Array.isArray(r?.[key]) || r[key].length === 0) errs.required(`${rf}.${key}`);
      }
      for (const op of Array.isArray(r?.operations) ? r.operations : []) if (!OPERATIONS.includes(op)) errs.notSupported(`${rf}.operations`, op, OPERATIONS);
      if (r?.scope !== undefined && !SCOPES.includes(r.scope)) errs.notSupported(`${rf}.scope`, r.scope, SCOPES);
    }
    if (!['Fail', 'Ignore'].includes(w.failurePolicy)) errs.notSupported(`${f}.failurePolicy`, w.failurePolicy, ['Fail', 'Ignore']);
    if (!['Exact', 'Equivalent'].includes(w.matchPolicy)) errs.notSupported(`${f}.matchPolicy`, w.matchPolicy, ['Equivalent', 'Exact']);
    if (!['None', 'NoneOnDryRun'].includes(w.sideEffects)) {
      if (w.sideEffects === undefined) errs.required(`${f}.sideEffects`, 'must specify one of None, NoneOnDryRun');
      else errs.notSupported(`${f}.sideEffects`, w.sideEffects, ['None', 'NoneOnDryRun']);
    }
    if (typeof w.timeoutSeconds !== 'number' || w.timeoutSeconds < 1 || w.timeoutSeconds > 30) errs.invalid(`${f}.timeoutSeconds`, w.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds');
    const versions = w.admissionReviewVersions;
    if (!Array.isArray(versions) || versions.length === 0) errs.required(`${f}.admissionReviewVersions`, `must specify one of ${REVIEW_VERSIONS.join(', ')}`);
    else if (!versions.some((v: unknown) => REVIEW_VERSIONS.includes(v as string))) errs.invalid(`${f}.admissionReviewVersions`, versions, `must include at least one of ${REVIEW_VERSIONS.join(', ')}`);
    if (mutating && !['Never', 'IfNeeded'].includes(w.reinvocationPolicy)) errs.notSupported(`${f}.reinvocationPolicy`, w.reinvocationPolicy, ['IfNeeded', 'Never']);
    validateMatchConditions(Array.isArray(w.matchConditions) ? w.matchConditions : [], `${f}.matchConditions`, errs);
    validateLabelSelector(w.namespaceSelector, `${f}.namespaceSelector`, errs);
    validateLabelSelector(w.objectSelector, `${f}.objectSelector`, errs);
  }
}

function webhookKind(kindName: string, plural: string, mutating: boolean): KindModule {
  return {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kind: kindName,
    plural,
    namespaced: false,
    categories: ['api-extensions'],
    schema: schemaFromProtobuf('admissionregistration.k8s.io/v1', kindName),
    columns: [nameCol, col('Webhooks', (o) => (Array.isArray(o.webhooks) ? o.webhooks.length : 0), { type: 'integer', description: 'Webhooks' }), ageCol],
    defaults: (o) => defaultWebhooks(o, mutating),
    validate: (o, errs) => validateWebhooks(o, errs, mutating),
    // Match conditions are CEL, compiled when written.
    loadFor: (o) => (Array.isArray(o.webhooks) && (o.webhooks as Record<string, unknown>[]).some((w) => Array.isArray(w?.matchConditions) && w.matchConditions.length > 0) ? loadExtras() : undefined),
  };
}

export const mutatingWebhookConfiguration = webhookKind('MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', true);
export const validatingWebhookConfiguration = webhookKind('ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', false);

// apiextensions.k8s.io/v1 CustomResourceDefinition: a new resource, served by the apiserver as
// soon as its names are accepted (apiserver/apiextensions/). Validation follows Kubernetes'
// rules for v1: a name of <plural>.<group>, exactly one storage version, structural schemas,
// valid printer columns and scale paths; deleting one first deletes every object of it.
import { isObject } from '../../codec/values.js';
import { parseJSONPath } from '../../custom-resources/jsonpath.js';
import { structuralViolations, type JSONSchemaProps } from '../../custom-resources/structural-schema.js';
import { loadExtrasFor, needsExtras, requireExtras } from '../../on-demand/loader.js';
import { setIfMissing } from '../../defaulting.js';
import { rfc3339 } from '../../time.js';
import { defaultColumns } from '../../printers.js';
import { any, bool, int32, list, obj, open, str, strings } from '../../schema/dsl.js';
import { kind } from '../../schema/meta.js';
import type { KubeObject, Unstructured } from '../../types/meta.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { dns1035Label, dns1123Subdomain } from '../../validation/names.js';
import { validateWebhookClientConfig } from '../../validation/webhook-client-config.js';
import { withStatus } from '../strategy.js';
import { statusOf, type KindModule } from '../kind.js';

/** Held by a CRD being deleted until every object of it is gone. */
export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

const columnDefinition = obj({ name: str, type: str, format: str, description: str, priority: int32, jsonPath: str });
const crdVersion = obj({
  name: str,
  served: bool,
  storage: bool,
  deprecated: bool,
  deprecationWarning: str,
  schema: obj({ openAPIV3Schema: any }),
  subresources: obj({ status: any, scale: obj({ specReplicasPath: str, statusReplicasPath: str, labelSelectorPath: str }) }),
  additionalPrinterColumns: list(columnDefinition),
  selectableFields: list(obj({ jsonPath: str })),
});
const names = obj({ plural: str, singular: str, shortNames: strings, kind: str, listKind: str, categories: strings });

const PRINTER_TYPES = ['integer', 'number', 'string', 'boolean', 'date'];

function validateNames(n: Unstructured | undefined, path: string, errs: FieldErrors): void {
  if (!isObject(n)) {
    errs.required(path);
    return;
  }
  const label = (field: string, value: unknown, required: boolean) => {
    if (value === undefined || value === '') {
      if (required) errs.required(`${path}.${field}`);
      return;
    }
    if (typeof value !== 'string') return errs.invalid(`${path}.${field}`, value, 'must be a string');
    const problems = dns1035Label(value);
    if (problems.length || value !== value.toLowerCase()) errs.invalid(`${path}.${field}`, value, 'a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character');
  };
  label('plural', n.plural, true);
  label('singular', n.singular, false);
  for (const [i, s] of ((n.shortNames as unknown[]) ?? []).entries()) label(`shortNames[${i}]`, s, true);
  // Kinds may have mixed case but are otherwise DNS-1035 labels (so at most 63 characters).
  const kindLike = (field: string, value: unknown) => {
    if (value === undefined || value === '') return errs.required(`${path}.${field}`);
    const problems = typeof value === 'string' ? dns1035Label(value.toLowerCase()) : ['must be a string'];
    if (problems.length) errs.invalid(`${path}.${field}`, value, `may have mixed case, but should otherwise match: ${problems.join(',')}`);
  };
  kindLike('kind', n.kind);
  if (n.listKind !== undefined) kindLike('listKind', n.listKind);
  if (n.listKind !== undefined && n.listKind === n.kind) errs.invalid(`${path}.listKind`, n.listKind, 'kind and listKind may not be the same');
}

function validateVersion(v: Unstructured, path: string, errs: FieldErrors): void {
  if (!v.name) errs.required(`${path}.name`);
  else if (typeof v.name !== 'string' || dns1035Label(v.name).length) errs.invalid(`${path}.name`, v.name, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character");
  const schema = v.schema?.openAPIV3Schema as JSONSchemaProps | undefined;
  if (!isObject(schema)) errs.required(`${path}.schema.openAPIV3Schema`, 'schemas are required');
  else {
    const violations = structuralViolations(schema, `${path}.schema.openAPIV3Schema`);
    for (const violation of violations) {
      const [reason, ...rest] = violation.message.split(': ');
      const detail = rest.join(': ');
      if (reason === 'Required value') errs.required(violation.field, detail);
      else if (reason === 'Forbidden') errs.forbidden(violation.field, detail);
      else errs.invalid(violation.field, schema, violation.message);
    }
    // Rules are compiled against the schema's types only once the schema itself is sound.
    if (violations.length === 0 && needsExtras(schema)) {
      const extras = requireExtras();
      extras.reportRuleProblems(extras.compileSchemaRules(schema, `${path}.schema.openAPIV3Schema`).problems, errs);
    }
  }
  const scaleSpec = v.subresources?.scale;
  if (isObject(scaleSpec)) {
    const paths = scaleSpec as Unstructured;
    if (!paths.specReplicasPath) errs.required(`${path}.subresources.scale.specReplicasPath`);
    else if (typeof paths.specReplicasPath !== 'string' || !paths.specReplicasPath.startsWith('.spec.')) errs.invalid(`${path}.subresources.scale.specReplicasPath`, paths.specReplicasPath, 'should be a json path under .spec');
    if (!paths.statusReplicasPath) errs.required(`${path}.subresources.scale.statusReplicasPath`);
    else if (typeof paths.statusReplicasPath !== 'string' || !paths.statusReplicasPath.startsWith('.status.')) errs.invalid(`${path}.subresources.scale.statusReplicasPath`, paths.statusReplicasPath, 'should be a json path under .status');
    if (paths.labelSelectorPath && (typeof paths.labelSelectorPath !== 'string' || !/^\.(spec|status)\./.test(paths.labelSelectorPath))) {
      errs.invalid(`${path}.subresources.scale.labelSelectorPath`, paths.labelSelectorPath, 'should be a json path under either .spec or .status');
    }
  }
  const selectable = (v.selectableFields as Unstructured[]) ?? [];
  if (selectable.length > 8) errs.tooMany(`${path}.selectableFields`, selectable.length, 8);
  const seenPaths = new Set<string>();
  for (const [i, f] of selectable.entries()) {
    const at = `${path}.selectableFields[${i}].jsonPath`;
    const jsonPath = f?.jsonPath;
    if (!jsonPath) {
      errs.required(at);
      continue;
    }
    let simple = false;
    try {
      simple = typeof jsonPath === 'string' && jsonPath.startsWith('.') && parseJSONPath(jsonPath).every((step) => step.t === 'field');
    } catch {
      simple = false;
    }
    if (!simple) errs.invalid(at, jsonPath, 'must be a simple path to a field, like .spec.color');
    else if (/^\.metadata\./.test(jsonPath)) errs.forbidden(at, 'metadata fields are selectable already');
    if (seenPaths.has(String(jsonPath))) errs.duplicate(at, jsonPath);
    seenPaths.add(String(jsonPath));
  }
  for (const [i, c] of ((v.additionalPrinterColumns as Unstructured[]) ?? []).entries()) {
    const at = `${path}.additionalPrinterColumns[${i}]`;
    if (!c?.name) errs.required(`${at}.name`);
    if (!c?.type) errs.required(`${at}.type`);
    else if (!PRINTER_TYPES.includes(c.type)) errs.notSupported(`${at}.type`, c.type, PRINTER_TYPES);
    if (!c?.jsonPath) errs.required(`${at}.jsonPath`);
    else {
      try {
        parseJSONPath(String(c.jsonPath));
      } catch (err) {
        errs.invalid(`${at}.jsonPath`, c.jsonPath, `must be a simple json path: ${(err as Error).message}`);
      }
    }
  }
}

function validateCRD(crd: KubeObject, errs: FieldErrors): void {
  const spec = crd.spec as Unstructured | undefined;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return errs.required('spec');
  const group = spec.group;
  if (!group) errs.required('spec.group');
  else if (typeof group !== 'string' || dns1123Subdomain(group).length) errs.invalid('spec.group', group, 'a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\'');
  else if (!group.includes('.')) errs.invalid('spec.group', group, 'should be a domain with at least one dot');
  validateNames(spec.names, 'spec.names', errs);
  if (spec.names?.plural && group && crd.metadata.name !== `${spec.names.plural}.${group}`) {
    errs.invalid('metadata.name', crd.metadata.name, 'must be spec.names.plural+"."+spec.group');
  }
  if (!spec.scope) errs.required('spec.scope');
  else if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') errs.notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']);
  const versions = (Array.isArray(spec.versions) ? spec.versions : []) as Unstructured[];
  if (versions.length === 0) errs.invalid('spec.versions', [], 'must have exactly one version marked as storage version');
  else {
    const storage = versions.filter((v) => v?.storage === true).length;
    if (storage !== 1) errs.invalid('spec.versions', versions.map((v) => v?.name), 'must have exactly one version marked as storage version');
    if (!versions.some((v) => v?.served === true)) errs.invalid('spec.versions', versions.map((v) => v?.name), 'must have at least one version marked as served');
    const seen = new Set<string>();
    versions.forEach((v, i) => {
      if (!isObject(v)) return errs.required(`spec.versions[${i}]`);
      if (typeof v.name === 'string' && seen.has(v.name)) errs.duplicate(`spec.versions[${i}].name`, v.name);
      seen.add(String(v.name));
      validateVersion(v, `spec.versions[${i}]`, errs);
    });
  }
  validateConversion(spec.conversion, errs);
  if (spec.preserveUnknownFields === true) errs.invalid('spec.preserveUnknownFields', true, 'must be false in order to use defaults in the schema');
}

/** The review versions this server can send a conversion webhook. */
const CONVERSION_REVIEW_VERSIONS = ['v1', 'v1beta1'];

function validateConversion(conversion: unknown, errs: FieldErrors): void {
  if (conversion === undefined || conversion === null) return;
  if (!isObject(conversion)) return errs.invalid('spec.conversion', conversion, 'must be an object');
  const strategy = conversion.strategy;
  if (strategy === undefined) errs.required('spec.conversion.strategy');
  else if (strategy !== 'None' && strategy !== 'Webhook') errs.notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']);
  const webhook = conversion.webhook;
  if (strategy !== 'Webhook') {
    if (webhook !== undefined && webhook !== null) errs.forbidden('spec.conversion.webhook', 'should be empty if strategy is not set to Webhook');
    return;
  }
  if (!isObject(webhook)) return errs.required('spec.conversion.webhook', 'required when strategy is set to Webhook');
  if (!isObject(webhook.clientConfig)) errs.required('spec.conversion.webhook.clientConfig', 'required when strategy is set to Webhook');
  else validateWebhookClientConfig(webhook.clientConfig, 'spec.conversion.webhook.clientConfig', errs);
  const versions = webhook.conversionReviewVersions;
  if (!Array.isArray(versions) || versions.length === 0) return errs.required('spec.conversion.webhook.conversionReviewVersions', `must specify one of ${CONVERSION_REVIEW_VERSIONS.join(', ')}`);
  const seen = new Set<unknown>();
  versions.forEach((v: unknown, i: number) => {
    const at = `spec.conversion.webhook.conversionReviewVersions[${i}]`;
    if (typeof v !== 'string' || dns1035Label(v).length) errs.invalid(at, v, 'a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character');
    if (seen.has(v)) errs.invalid(at, v, 'duplicate version');
    seen.add(v);
  });
  if (!versions.some((v: unknown) => CONVERSION_REVIEW_VERSIONS.includes(v as string))) {
    errs.invalid('spec.conversion.webhook.conversionReviewVersions', versions, `must include at least one of ${CONVERSION_REVIEW_VERSIONS.join(', ')}`);
  }
}

export const customResourceDefinition: KindModule = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  generation: true,
  namespaced: false,
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  subresources: [statusOf('CustomResourceDefinition')],
  schema: kind({
    spec: obj({ group: str, names, scope: str, versions: list(crdVersion), conversion: open(), preserveUnknownFields: bool }),
    status: open(),
  }),
  columns: defaultColumns,
  defaults(crd) {
    const spec = crd.spec;
    if (!isObject(spec)) return;
    setIfMissing(spec, 'conversion', { strategy: 'None' });
    const service = isObject(spec.conversion) && isObject(spec.conversion.webhook) && isObject(spec.conversion.webhook.clientConfig) ? spec.conversion.webhook.clientConfig.service : undefined;
    if (isObject(service)) setIfMissing(service, 'port', 443);
    const n = spec.names;
    if (isObject(n) && typeof n.kind === 'string') {
      setIfMissing(n, 'singular', n.kind.toLowerCase());
      setIfMissing(n, 'listKind', `${n.kind}List`);
    }
  },
  validate: validateCRD,
  loadFor: (crd) => loadExtrasFor(((crd.spec?.versions as Unstructured[] | undefined) ?? []).map((v) => (isObject(v) && isObject(v.schema) ? v.schema.openAPIV3Schema : undefined))),
  validateUpdate(next, prev, errs) {
    if (prev.spec?.scope !== next.spec?.scope) errs.invalid('spec.scope', next.spec?.scope, 'field is immutable');
    if (prev.spec?.group !== next.spec?.group) errs.invalid('spec.group', next.spec?.group, 'field is immutable');
    // A version objects are stored in may not be dropped while they may still be there.
    const stored: string[] = (prev.status?.storedVersions as string[]) ?? [];
    const versions = ((next.spec?.versions as Unstructured[]) ?? []).map((v) => v?.name);
    for (const s of stored) if (!versions.includes(s)) errs.invalid('status.storedVersions', stored, `must appear in spec.versions`);
  },
  strategy: withStatus({
    allowUnconditionalUpdate: false,
    prepareForCreate(crd) {
      crd.metadata.generation = 1;
      const storage = ((crd.spec?.versions as Unstructured[]) ?? []).find((v) => v?.storage === true)?.name;
      crd.status = { conditions: [], acceptedNames: { plural: '', kind: '' }, storedVersions: storage ? [storage] : [] };
    },
    // Deleting a CRD deletes its objects first: the apiserver's cleanup removes the finalizer when they are gone.
    beginDelete(crd) {
      const finalizers = crd.metadata.finalizers ?? [];
      if (crd.metadata.deletionTimestamp) return finalizers.length > 0;
      if (!finalizers.includes(CRD_CLEANUP_FINALIZER)) crd.metadata.finalizers = [...finalizers, CRD_CLEANUP_FINALIZER];
      const conditions = ((crd.status?.conditions as Unstructured[]) ?? []).filter((c) => c.type !== 'Terminating');
      conditions.push({ type: 'Terminating', status: 'True', lastTransitionTime: rfc3339(), reason: 'InstanceDeletionPending', message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon' });
      crd.status = { ...(crd.status ?? {}), conditions };
      return true;
    },
    returnDeletedObject: true,
  }),
};

// Admits a request body: checks it names the endpoint's version and kind, applies
// fieldValidation (unknown fields), rejects wrongly typed values, fixes the namespace from
// the URL, and converts it to the stored version.
import { toStorageAsync } from '../../api/conversion.js';
import { groupVersion, type ResourceInfo } from '../../api/resources.js';
import { checkSchema, jsonTypeName, type SchemaFindings } from '../../api/schema/check.js';
import { schemaFor } from '../../api/schema/kinds.js';
import { goValue } from '../../api/go-format.js';
import { goTypeErrorMessage } from '../../api/protobuf/go-types.js';
import { messageOf } from '../../api/protobuf/schema.js';
import { badRequest, StatusError } from '../../api/status.js';
import type { KindModule } from '../../api/kinds/kind.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { FieldValidation } from './params.js';

export interface Admitted {
  obj: KubeObject;
  warnings: string[];
}

export interface BodyTarget {
  apiVersion: string;
  kind: string;
}

export function targetOf(r: ResourceInfo): BodyTarget {
  return { apiVersion: groupVersion(r), kind: r.kind };
}

/**
 * Checks types and unknown fields of a body in `target`'s version; returns warnings. A kind
 * that prunes (custom resources) has its unknown fields removed from `body` here.
 */
export function checkFields(target: BodyTarget, body: Record<string, any>, validation: FieldValidation, module?: KindModule): string[] {
  const findings = findingsIn(target, body, module);
  const version = target.apiVersion.split('/').pop();
  if (findings.typeErrors.length > 0) {
    throw badRequest(`${target.kind} in version "${version}" cannot be handled as a ${target.kind}: ${firstTypeError(target, findings)}`);
  }
  return unknownFields(findings.unknownFields, validation, `${target.kind} in version "${version}" cannot be handled as a ${target.kind}: `);
}

/** The first type error as Go's decoder words it for a kind with Go types (struct, path, Go type); as found otherwise. */
export function firstTypeError(target: BodyTarget, findings: SchemaFindings): string {
  const at = findings.typeErrorAt[0];
  const root = at ? messageOf(target.apiVersion, target.kind) : undefined;
  return (root && at && goTypeErrorMessage(root, at)) || findings.typeErrors[0]!;
}

/** Type errors and unknown fields of `body` in the kind's schema; a kind that prunes (custom resources) has them removed here. */
function findingsIn(target: BodyTarget, body: Record<string, any>, module?: KindModule): SchemaFindings {
  const findings = checkSchema(body, module?.schema ?? schemaFor(target.apiVersion, target.kind));
  return { ...findings, unknownFields: [...findings.unknownFields, ...(module?.prune?.(body) ?? [])] };
}

/** Unknown fields as warnings, or (Strict) as one strict decoding error after `prefix`. */
function unknownFields(unknown: string[], validation: FieldValidation, prefix: string): string[] {
  if (unknown.length === 0 || validation === 'Ignore') return [];
  const described = unknown.map((f) => `unknown field "${f}"`);
  if (validation === 'Strict') throw badRequest(`${prefix}strict decoding error: ${described.join(', ')}`);
  return described;
}

/**
 * Checks the object a (non-apply) patch produced. Kubernetes reports a patch whose result does
 * not decode as 422 Invalid on the field `patch`, showing the patch (strategic merge: applied to
 * a map and converted) or the patched object (JSON and merge patches: decoded from JSON), and
 * unknown fields under Strict as a bare strict decoding error.
 */
export function checkPatchedFields(
  target: BodyTarget,
  result: Record<string, any>,
  validation: FieldValidation,
  patch: { type: string; doc: unknown },
  module?: KindModule,
): string[] {
  const findings = findingsIn(target, result, module);
  if (findings.typeErrors.length > 0) {
    const strategic = patch.type === 'strategic';
    const shown = strategic ? goValue(patch.doc) : JSON.stringify(result);
    const detail = strategic ? findings.conversionErrors[0] : firstTypeError(target, findings);
    const message = `Invalid value: ${JSON.stringify(shown)}: ${detail}`;
    throw new StatusError(422, 'Invalid', ` "" is invalid: patch: ${message}`, {
      causes: [{ reason: 'FieldValueInvalid', message, field: 'patch' }],
    });
  }
  return unknownFields(findings.unknownFields, validation, '');
}

/** Checks the envelope and fills in apiVersion/kind when the body left them out. */
export function checkEnvelope(target: BodyTarget, body: Record<string, any>): void {
  for (const field of ['apiVersion', 'kind'] as const) {
    const v: unknown = body[field];
    if (v === null) delete body[field];
    // Go reads the envelope into two strings before anything else: any other type is a
    // decoding error (and must not reach a template string, where an object can throw).
    else if (v !== undefined && typeof v !== 'string') {
      throw badRequest(`couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonTypeName(v)} into Go struct field .${field} of type string`);
    }
  }
  if (body.apiVersion !== undefined && body.apiVersion !== target.apiVersion) {
    throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${target.apiVersion})`);
  }
  if (body.kind !== undefined && body.kind !== target.kind) {
    throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${target.kind})`);
  }
  body.apiVersion = target.apiVersion;
  body.kind = target.kind;
  if (body.metadata === undefined || body.metadata === null) body.metadata = {};
  if (typeof body.metadata !== 'object' || Array.isArray(body.metadata)) {
    throw new StatusError(400, 'BadRequest', `${target.kind} in version "${target.apiVersion}" cannot be handled as a ${target.kind}: json: cannot unmarshal ${jsonTypeName(body.metadata)} into Go struct field .metadata of type v1.ObjectMeta`);
  }
}

export function applyNamespace(r: ResourceInfo, obj: KubeObject, namespace: string | undefined): void {
  if (!r.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (namespace) obj.metadata.namespace = namespace;
}

/** The full admission of a create or update body. */
export async function admit(r: ResourceInfo, body: Record<string, any>, namespace: string | undefined, validation: FieldValidation): Promise<Admitted> {
  const target = targetOf(r);
  checkEnvelope(target, body);
  const warnings = checkFields(target, body, validation, r.module);
  const obj = await toStorageAsync(r, body as KubeObject);
  applyNamespace(r, obj, namespace);
  return { obj, warnings };
}

// Request bodies: the media types the API accepts, decoded into objects with Kubernetes'
// error messages for what cannot be decoded.
import { goJSONError, NestingTooDeepError, parseJSON as parseJSONText } from '../../api/codec/json.js';
import { parseYAML as parseYAMLText } from '../../api/codec/yaml.js';
import { checkJsonPatch } from '../../api/patch/json-patch.js';
import { decodeKubernetesProtobuf, PROTOBUF_MEDIA_TYPE, UnsupportedKindError } from '../../api/protobuf/envelope.js';
import { badRequest, unsupportedMediaType } from '../../api/status.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function parseJSON(text: string): unknown {
  try {
    return parseJSONText(text);
  } catch (err) {
    throw badRequest(`json: ${(err as Error).message}`);
  }
}

function parseYAML(text: string): unknown {
  try {
    return parseYAMLText(text);
  } catch (err) {
    if (err instanceof NestingTooDeepError) throw badRequest(`yaml: ${err.message}`);
    throw badRequest(`yaml: ${(err as Error).message.split('\n')[0]}`);
  }
}

/**
 * Decodes a create/update body (JSON or YAML). With `kind`, JSON that does not parse is
 * reported as Kubernetes' decoder reports it for that kind.
 */
export function decodeObjectBody(contentType: string | undefined, raw: Buffer | undefined, kind?: string): Record<string, any> {
  const type = mediaType(contentType);
  if (type === PROTOBUF_MEDIA_TYPE) return decodeProtobuf(raw);
  const text = raw?.toString('utf8') ?? '';
  if (text.trim() === '') throw badRequest('the body of the request was empty');
  let value: unknown;
  if ((type === 'application/json' || type === '') && kind) {
    try {
      value = parseJSONText(text);
    } catch (err) {
      if (err instanceof NestingTooDeepError) throw badRequest(`json: ${err.message}`);
      throw badRequest(`the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: ${goJSONError(err, text)}`);
    }
  } else if (type === 'application/json' || type === '') value = parseJSON(text);
  else if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml') value = parseYAML(text);
  else throw unsupportedMediaType(type);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest("Object 'Kind' is missing in the request body: the body must be a JSON object");
  }
  return value as Record<string, any>;
}

function decodeProtobuf(raw: Buffer | undefined): Record<string, any> {
  if (!raw || raw.length === 0) throw badRequest('the body of the request was empty');
  try {
    return decodeKubernetesProtobuf(raw);
  } catch (err) {
    if (err instanceof UnsupportedKindError) throw unsupportedMediaType(`${PROTOBUF_MEDIA_TYPE} for ${err.message}`);
    throw badRequest(`protobuf: ${(err as Error).message}`);
  }
}

/** Decodes a PATCH body; returns the patch type and document. */
export function decodePatchBody(contentType: string | undefined, raw: Buffer | undefined): { type: PatchType; patch: unknown } {
  const media = mediaType(contentType);
  const type = PATCH_TYPES[media];
  if (!type) throw unsupportedMediaType(media || 'none');
  const text = raw?.toString('utf8') ?? '';
  if (text.trim() === '') throw badRequest('the body of the request was empty');
  const patch = type === 'apply' ? parseYAML(text) : parseJSON(text);
  if (type === 'json') checkJsonPatch(patch);
  if (type !== 'json' && (patch === null || typeof patch !== 'object' || Array.isArray(patch))) {
    throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
  }
  return { type, patch };
}

/** Decodes an optional DeleteOptions body (any or no kind/apiVersion envelope). */
export function decodeOptionalBody(contentType: string | undefined, raw: Buffer | undefined): Record<string, any> | undefined {
  const text = raw?.toString('utf8') ?? '';
  if (text.trim() === '') return undefined;
  return decodeObjectBody(contentType, raw);
}

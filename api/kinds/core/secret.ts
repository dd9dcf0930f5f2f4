// v1 Secret: base64 data (stringData is folded into it on write and never stored), checked by
// type as Kubernetes checks the well-known ones.
import type { Unstructured } from '../../types/meta.js';
import { asText, setOwn } from '../../codec/values.js';
import { setIfMissing } from '../../defaulting.js';
import { ageCol, col, dataCount, nameCol } from '../../printers.js';
import { bool, bytes, map, str, stringMap } from '../../schema/dsl.js';
import { kind } from '../../schema/meta.js';
import { immutable, validateDataKeys } from '../../validation/workloads.js';
import { fieldText, type KindModule } from '../kind.js';
import { goJSONError, NestingTooDeepError, parseJSON } from '../../codec/json.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import type { KubeObject } from '../../types/meta.js';
import { SERVICE_ACCOUNT_NAME_ANNOTATION, SERVICE_ACCOUNT_TOKEN_SECRET_TYPE } from '../../legacy-service-account-token.js';

/** Go's json.Unmarshal into a map: what it says of JSON text that is not an object (null is one). */
function dockerConfigProblem(raw: Buffer): string | undefined {
  const text = raw.toString('utf8');
  let value: unknown;
  try {
    value = parseJSON(text);
  } catch (err) {
    return err instanceof NestingTooDeepError ? err.message : goJSONError(err, text);
  }
  if (value === null || (typeof value === 'object' && !Array.isArray(value))) return undefined;
  const type = Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : typeof value;
  return `json: cannot unmarshal ${type} into Go value of type map[string]interface {}`;
}

/** What each well-known Secret type requires of it, as Kubernetes validates it. */
function validateSecretType(o: KubeObject, errs: FieldErrors): void {
  const data = (o.data ?? {}) as Record<string, unknown>;
  const has = (key: string) => Object.hasOwn(data, key);
  const bytes = (key: string) => Buffer.from(typeof data[key] === 'string' ? (data[key] as string) : '', 'base64');
  switch (o.type) {
    case SERVICE_ACCOUNT_TOKEN_SECRET_TYPE:
      // The uid annotation and the token are the controller's to add.
      if (!o.metadata.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION]) errs.required(`metadata.annotations[${SERVICE_ACCOUNT_NAME_ANNOTATION}]`);
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = o.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) errs.required(`data[${key}]`);
      else {
        const problem = dockerConfigProblem(bytes(key));
        if (problem) errs.invalid(`data[${key}]`, '<secret contents redacted>', problem);
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      // Either may be empty, but one must be there. (Kubernetes' own paths read data[%s][...].)
      if (!has('username') && !has('password')) {
        errs.required('data[%s][username]');
        errs.required('data[%s][password]');
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (bytes('ssh-privatekey').length === 0) errs.required('data[%s][ssh-privatekey]');
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.required('data[tls.crt]');
      if (!has('tls.key')) errs.required('data[tls.key]');
      break;
  }
}

export const secret: KindModule = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  schema: kind({ data: map(bytes), stringData: stringMap, type: str, immutable: bool }),
  columns: [nameCol, col('Type', (o) => asText(o.type ?? 'Opaque')), col('Data', dataCount, { type: 'integer' }), ageCol],
  defaults(o) {
    setIfMissing(o as Unstructured, 'type', 'Opaque');
    // stringData is write-only: it is merged into data (winning over it) and never stored.
    const stringData = o.stringData as Record<string, string> | undefined;
    if (stringData) {
      const data = ((o as Unstructured).data ??= {});
      for (const [k, v] of Object.entries(stringData)) setOwn(data, k, Buffer.from(String(v), 'utf8').toString('base64'));
      delete o.stringData;
    }
  },
  validate(o, errs) {
    validateDataKeys(o, { data: 'base64' }, errs);
    validateSecretType(o, errs);
  },
  validateUpdate(next, prev, errs) {
    immutable(next.type, prev.type, 'type', errs);
    if (prev.immutable) {
      immutable(next.data, prev.data, 'data', errs);
      immutable(next.immutable, prev.immutable, 'immutable', errs);
    }
  },
  selectableFields: (o) => ({ type: fieldText(o.type) }),
};

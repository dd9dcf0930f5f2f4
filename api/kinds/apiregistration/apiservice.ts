// apiregistration.k8s.io/v1 APIService: which server serves a group version. Local ones
// (no spec.service) are this apiserver's own, kept by its autoregistration; one that names a
// Service has its requests proxied there (apiserver/aggregator/).
import { isObject } from '../../codec/values.js';
import { ageCol, col, nameCol } from '../../printers.js';
import { bool, bytes, int32, list, obj, open, str } from '../../schema/dsl.js';
import { kind } from '../../schema/meta.js';
import type { KubeObject, Unstructured } from '../../types/meta.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { dns1035Label, dns1123Subdomain } from '../../validation/names.js';
import { withStatus } from '../strategy.js';
import { statusOf, type KindModule } from '../kind.js';

/** The Available condition as `kubectl get apiservices` prints it: `True`, or `False (Reason)`. */
function available(o: KubeObject): string {
  const c = ((o.status?.conditions as Unstructured[]) ?? []).find((x) => x.type === 'Available');
  if (!c) return 'Unknown';
  return c.status === 'True' ? 'True' : `${c.status} (${c.reason ?? ''})`;
}

function validateAPIService(o: KubeObject, errs: FieldErrors): void {
  const spec = o.spec as Unstructured | undefined;
  if (!spec || typeof spec !== 'object') return errs.required('spec');
  const group = typeof spec.group === 'string' ? spec.group : '';
  const version = spec.version;
  if (!version) errs.required('spec.version');
  else if (typeof version !== 'string' || dns1035Label(version).length) errs.invalid('spec.version', version, 'a DNS-1035 label');
  if (group && dns1123Subdomain(group).length) errs.invalid('spec.group', group, 'a lowercase RFC 1123 subdomain');
  if (typeof version === 'string' && o.metadata.name !== `${version}.${group}`) {
    errs.invalid('metadata.name', o.metadata.name, `must be ${version}.${group}`);
  }
  const service = spec.service;
  if (isObject(service)) {
    if (!service.namespace) errs.required('spec.service.namespace');
    if (!service.name) errs.required('spec.service.name');
    const port = service.port;
    if (port !== undefined && (typeof port !== 'number' || port < 1 || port > 65535)) errs.invalid('spec.service.port', port, 'port is not valid: must be between 1 and 65535, inclusive');
    if (!spec.insecureSkipTLSVerify && !spec.caBundle) errs.required('spec.caBundle', 'must be set if spec.insecureSkipTLSVerify is false');
  }
  for (const [field, min, max] of [['groupPriorityMinimum', 1, 20000], ['versionPriority', 1, 1000]] as const) {
    const v = spec[field];
    if (v === undefined) errs.required(`spec.${field}`);
    else if (typeof v !== 'number' || v < min || v > max) errs.invalid(`spec.${field}`, v, `must be positive and less than ${max + 1}`);
  }
}

export const apiService: KindModule = {
  group: 'apiregistration.k8s.io',
  version: 'v1',
  kind: 'APIService',
  plural: 'apiservices',
  namespaced: false,
  categories: ['api-extensions'],
  subresources: [statusOf('APIService')],
  nameRule: 'path-segment',
  schema: kind({
    spec: obj({
      service: obj({ namespace: str, name: str, port: int32 }),
      group: str,
      version: str,
      insecureSkipTLSVerify: bool,
      caBundle: bytes,
      groupPriorityMinimum: int32,
      versionPriority: int32,
    }),
    status: obj({ conditions: list(open({ type: str, status: str, reason: str, message: str }), 'type') }),
  }),
  columns: [
    nameCol,
    col('Service', (o) => (isObject(o.spec?.service) ? `${o.spec.service.namespace}/${o.spec.service.name}` : 'Local'), { description: 'The reference to the service that hosts this API endpoint.' }),
    col('Available', available, { description: 'Whether this service is available.' }),
    ageCol,
  ],
  defaults(o) {
    const service = o.spec?.service;
    if (isObject(service) && service.port === undefined) service.port = 443;
  },
  validate: validateAPIService,
  strategy: withStatus({
    allowUnconditionalUpdate: false,
    prepareForCreate(o) {
      o.status = { conditions: [] };
    },
  }),
};

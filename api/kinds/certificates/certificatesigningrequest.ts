// certificates.k8s.io/v1 CertificateSigningRequest: a PKCS#10 request for a signer
// (kubernetes.io/kube-apiserver-client-kubelet for a kubelet's client certificate, ...). The
// apiserver records who asked; approval (`kubectl certificate approve|deny`) is written only
// through the approval subresource and the issued certificate only through status, each by
// those the signer allows (apiserver/routes/subresources/csr.ts).
import { readCSR } from '../../pki/certificates.js';
import { ageCol, col, nameCol } from '../../printers.js';
import { bytes, int, list, map, obj, str, strings, time } from '../../schema/dsl.js';
import { kind } from '../../schema/meta.js';
import type { KubeObject, Unstructured } from '../../types/meta.js';
import { withStatus } from '../strategy.js';
import { statusOf, type KindModule } from '../kind.js';

export const KNOWN_USAGES = [
  'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment', 'cert sign', 'crl sign',
  'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing', 'email protection', 's/mime', 'ipsec end system',
  'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing', 'microsoft sgc', 'netscape sgc',
];
const APPROVAL = ['Approved', 'Denied'];

const condition = obj({ type: str, status: str, reason: str, message: str, lastUpdateTime: time, lastTransitionTime: time });

function approvalConditions(o: KubeObject): Unstructured[] {
  return ((o.status?.conditions ?? []) as Unstructured[]).filter((c) => APPROVAL.includes(c?.type));
}

function requestPem(o: KubeObject): string {
  return Buffer.from(String(o.spec?.request ?? ''), 'base64').toString('utf8');
}

function conditionCol(o: KubeObject): string {
  const conds = (o.status?.conditions ?? []) as Unstructured[];
  const shown = conds.filter((c) => c.status === 'True' || c.status === undefined).map((c) => String(c.type));
  if (o.status?.certificate) shown.push('Issued');
  return shown.length ? shown.join(',') : 'Pending';
}

export const certificateSigningRequest: KindModule = {
  group: 'certificates.k8s.io',
  version: 'v1',
  kind: 'CertificateSigningRequest',
  plural: 'certificatesigningrequests',
  shortNames: ['csr'],
  namespaced: false,
  subresources: [statusOf('CertificateSigningRequest'), { name: 'approval', kind: 'CertificateSigningRequest', verbs: ['get', 'patch', 'update'] }],
  recordsRequester: true,
  schema: kind({
    spec: obj({
      request: bytes,
      signerName: str,
      expirationSeconds: int,
      usages: strings,
      username: str,
      uid: str,
      groups: strings,
      extra: map(strings),
    }),
    status: obj({ conditions: list(condition, 'type'), certificate: bytes }),
  }),
  columns: [
    nameCol,
    ageCol,
    col('SignerName', (o) => String(o.spec?.signerName ?? '')),
    col('Requestor', (o) => String(o.spec?.username ?? '')),
    col('RequestedDuration', (o) => (o.spec?.expirationSeconds ? `${Math.round(Number(o.spec.expirationSeconds) / 60)}m` : '<none>')),
    col('Condition', conditionCol),
  ],
  validate(o, errs) {
    const spec = (o.spec ?? {}) as Unstructured;
    if (!spec.request) errs.required('spec.request');
    else {
      try {
        readCSR(requestPem(o));
      } catch {
        errs.invalid('spec.request', '[]byte{...}', 'PEM block type must be CERTIFICATE REQUEST');
      }
    }
    const signer = String(spec.signerName ?? '');
    if (!signer) errs.required('spec.signerName');
    else if (!/^[a-z0-9.-]+\.[a-z]+\/[A-Za-z0-9._-]+$/.test(signer)) errs.invalid('spec.signerName', signer, 'must be a fully qualified domain and path of the form \'example.com/signer-name\'');
    if (!Array.isArray(spec.usages) || spec.usages.length === 0) errs.required('spec.usages');
    else for (const [i, u] of (spec.usages as unknown[]).entries()) if (!KNOWN_USAGES.includes(String(u))) errs.notSupported(`spec.usages[${i}]`, u, KNOWN_USAGES);
    if (spec.expirationSeconds !== undefined && Number(spec.expirationSeconds) < 600) errs.invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)');
    const approval = approvalConditions(o).map((c) => c.type);
    if (approval.includes('Approved') && approval.includes('Denied')) errs.invalid('status.conditions', 'Approved,Denied', 'Approved and Denied conditions are mutually exclusive');
  },
  validateUpdate(next, prev, errs) {
    if (JSON.stringify(next.spec) !== JSON.stringify(prev.spec)) errs.invalid('spec', '', 'field is immutable');
    if (prev.status?.certificate && next.status?.certificate !== prev.status.certificate) errs.invalid('status.certificate', '', 'updates may not modify existing certificate content');
    for (const c of approvalConditions(prev)) {
      if (!approvalConditions(next).some((n) => n.type === c.type)) errs.forbidden('status.conditions', `updates may not remove a condition of type "${c.type}"`);
    }
  },
  strategy: withStatus({
    prepareForStatusUpdate(next, prev) {
      // Status may set the certificate and Failed conditions; approval has its own endpoint.
      const status = (next.status ?? {}) as Unstructured;
      const kept = approvalConditions(prev);
      const others = ((status.conditions ?? []) as Unstructured[]).filter((c) => !APPROVAL.includes(c?.type));
      Object.assign(next, { ...structuredClone(prev), metadata: next.metadata, status: { ...status, conditions: [...kept, ...others] } });
      if (!kept.length && !others.length) delete (next.status as Unstructured).conditions;
    },
  }),
};

// The CSR approver: a kubelet's request for its client certificate (signer
// kubernetes.io/kube-apiserver-client-kubelet, subject system:node:<name> in system:nodes) is
// approved when whoever made it may, as a SubjectAccessReview tells: a node renewing its own
// certificate needs create on certificatesigningrequests/selfnodeclient, a bootstrapping
// kubelet (e.g. a bootstrap token's group) create on certificatesigningrequests/nodeclient.
// Everything else waits for `kubectl certificate approve`.
import { readCSR } from '../../api/pki/certificates.js';
import { StatusError } from '../../api/status.js';
import { rfc3339 } from '../../api/time.js';
import type { CertificateSigningRequest } from '../../api/types/certificates.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Informer } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';
import { hasCondition, KUBELET_CLIENT, signerRuleViolation } from './csr-signing.js';

const csrs = resource('certificates.k8s.io/v1/certificatesigningrequests');
const reviews = resource('authorization.k8s.io/v1/subjectaccessreviews');

export class CSRApprovingController extends Controller {
  private readonly csrs: Informer<CertificateSigningRequest>;

  constructor(ctx: ControllerContext) {
    super('csrapproving', ctx);
    this.csrs = ctx.informers.for('certificates.k8s.io/v1/certificatesigningrequests');
    this.csrs.addHandler({ add: (c) => this.enqueue(c), update: (_o, c) => this.enqueue(c) });
  }

  private async may(csr: CertificateSigningRequest, subresource: 'nodeclient' | 'selfnodeclient'): Promise<boolean> {
    const review = await this.ctx.client.create<KubeObject>(reviews, undefined, {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      metadata: {},
      spec: {
        user: csr.spec.username,
        groups: csr.spec.groups,
        ...(csr.spec.uid ? { uid: csr.spec.uid } : {}),
        ...(csr.spec.extra ? { extra: csr.spec.extra } : {}),
        resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource, verb: 'create' },
      },
    });
    return review.status?.allowed === true;
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    const csr = this.csrs.get(name);
    if (!csr || csr.spec.signerName !== KUBELET_CLIENT || hasCondition(csr, 'Approved') || hasCondition(csr, 'Denied')) return;
    let names;
    try {
      names = readCSR(Buffer.from(csr.spec.request, 'base64').toString('utf8'));
    } catch {
      return; // not ours to judge: the signer will fail it
    }
    if (signerRuleViolation(KUBELET_CLIENT, names, csr.spec.usages)) return;
    const self = csr.spec.username === names.commonName;
    if (!(await this.may(csr, self ? 'selfnodeclient' : 'nodeclient'))) return;
    const now = rfc3339();
    const approved = { type: 'Approved', status: 'True' as const, reason: 'AutoApproved', message: 'Auto approving kubelet client certificate after SubjectAccessReview.', lastUpdateTime: now, lastTransitionTime: now };
    try {
      await this.ctx.client.request('PUT', this.ctx.client.path(csrs, undefined, name, 'approval'), {
        body: { ...structuredClone(csr), status: { ...(csr.status ?? {}), conditions: [...(csr.status?.conditions ?? []), approved] } },
      });
      this.log.info({ csr: name, node: names.commonName }, 'approved a kubelet client certificate');
    } catch (err) {
      if (err instanceof StatusError && (err.code === 409 || err.code === 404)) return { requeueAfterMs: 100 };
      throw err;
    }
  }
}

// A CertificateSigningRequest's approval and status: whoever writes them must be allowed to
// `approve` (or, to issue the certificate, `sign`) for the request's signer, as Kubernetes'
// certificate admission checks (resource `signers` in certificates.k8s.io, named by the signer
// or by its domain and `*`).
import type { FastifyReply } from 'fastify';
import { StatusError } from '../../../api/status.js';
import { requestUser } from '../../http/request-gate.js';
import type { Ctx } from '../context.js';
import { patch, update } from '../verbs.js';

async function mayUseSigner(ctx: Ctx, verb: 'approve' | 'sign', signer: string): Promise<boolean> {
  const user = requestUser(ctx.req.raw);
  const domain = signer.split('/')[0];
  for (const name of [signer, `${domain}/*`]) {
    const d = await ctx.options.reviews.authorizer.authorize(user, { resourceRequest: true, verb, apiGroup: 'certificates.k8s.io', apiVersion: '*', namespace: '', resource: 'signers', subresource: '', name });
    if (d.decision === 'allow') return true;
  }
  return false;
}

async function requireSigner(ctx: Ctx, verb: 'approve' | 'sign'): Promise<void> {
  const current = (await ctx.store.get(undefined, ctx.path.name!)).obj;
  const signer = String(current.spec?.signerName ?? '');
  if (!(await mayUseSigner(ctx, verb, signer))) {
    throw new StatusError(403, 'Forbidden', `certificatesigningrequests.certificates.k8s.io "${ctx.path.name}" is forbidden: user not permitted to ${verb} requests with signerName "${signer}"`, {
      name: ctx.path.name,
      group: 'certificates.k8s.io',
      kind: 'certificatesigningrequests',
    });
  }
}

export async function csrApproval(ctx: Ctx): Promise<FastifyReply> {
  await requireSigner(ctx, 'approve');
  return ctx.req.method === 'PUT' ? update(ctx, 'approval') : patch(ctx, 'approval');
}

export async function csrStatus(ctx: Ctx): Promise<FastifyReply> {
  await requireSigner(ctx, 'sign');
  return ctx.req.method === 'PUT' ? update(ctx, 'status') : patch(ctx, 'status');
}

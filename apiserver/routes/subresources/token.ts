// serviceaccounts/token: TokenRequest. Issues a bound service-account token for the audiences
// asked (default: the API's), valid for expirationSeconds (default an hour, at least ten
// minutes), bound to a Pod, Secret or Node when asked, which must exist with the uid given.
import type { FastifyReply } from 'fastify';
import { findResource } from '../../../api/resources.js';
import { badRequest, StatusError } from '../../../api/status.js';
import type { KubeObject } from '../../../api/types/meta.js';
import { FieldErrors } from '../../../api/validation/field-errors.js';
import type { BoundObject } from '../../authn/service-account-tokens.js';
import { checkEnvelope } from '../../http/admit.js';
import { jsonTypeName } from '../../../api/schema/check.js';
import { decodeObjectBody } from '../../http/body.js';
import { send, type Ctx } from '../context.js';

interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string };
}

const BOUND_RESOURCES: Record<string, { group: string; plural: string; namespaced: boolean }> = {
  Pod: { group: '', plural: 'pods', namespaced: true },
  Secret: { group: '', plural: 'secrets', namespaced: true },
  Node: { group: '', plural: 'nodes', namespaced: false },
};

export async function requestToken(ctx: Ctx): Promise<FastifyReply> {
  const tokens = ctx.options.serviceAccountTokens;
  const body = decodeObjectBody(ctx.req.headers['content-type'], ctx.req.body as Buffer) as KubeObject;
  checkEnvelope({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest' }, body);
  const spec = (body.spec ?? {}) as TokenRequestSpec;
  // Types first, as decoding into Go structs would refuse them (400), then values (422).
  const what = (v: unknown) => (typeof v === 'number' ? `number ${v}` : jsonTypeName(v));
  const wrong = (field: string, value: unknown, type: string) => badRequest(`json: cannot unmarshal ${what(value)} into Go struct field TokenRequestSpec.spec.${field} of type ${type}`);
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw badRequest('json: cannot unmarshal into Go struct field TokenRequest.spec of type v1.TokenRequestSpec');
  if (spec.expirationSeconds !== undefined && !Number.isSafeInteger(spec.expirationSeconds)) throw wrong('expirationSeconds', spec.expirationSeconds, 'int64');
  if (spec.audiences !== undefined && (!Array.isArray(spec.audiences) || spec.audiences.some((a) => typeof a !== 'string'))) throw wrong('audiences', spec.audiences, '[]string');
  const refIn = spec.boundObjectRef as unknown;
  if (refIn !== undefined && refIn !== null && (typeof refIn !== 'object' || Array.isArray(refIn) || Object.values(refIn).some((v) => typeof v !== 'string'))) {
    throw wrong('boundObjectRef', refIn, 'v1.BoundObjectReference');
  }
  const errs = new FieldErrors();
  const seconds = spec.expirationSeconds ?? 3600;
  if (seconds < 600) errs.invalid('spec.expirationSeconds', seconds, 'may not specify a duration less than 10 minutes');
  else if (seconds > 2 ** 32) errs.invalid('spec.expirationSeconds', seconds, 'may not specify a duration larger than 2^32 seconds');
  const ref = spec.boundObjectRef ?? undefined;
  if (ref && !Object.hasOwn(BOUND_RESOURCES, ref.kind ?? '')) errs.notSupported('spec.boundObjectRef.kind', ref.kind ?? '', Object.keys(BOUND_RESOURCES));
  if (ref && !ref.name) errs.required('spec.boundObjectRef.name');
  errs.throwIfAny('TokenRequest', 'authentication.k8s.io', ctx.path.name!);

  const namespace = ctx.path.namespace!;
  const sa = (await ctx.store.get(namespace, ctx.path.name!)).obj;
  let bound: BoundObject | undefined;
  let node: { name: string; uid: string } | undefined;
  if (ref) {
    const r = BOUND_RESOURCES[ref.kind!]!;
    const found = (await ctx.options.registry.storeFor(findResource(r.group, 'v1', r.plural)!).get(r.namespaced ? namespace : undefined, ref.name!)).obj;
    if (ref.uid && ref.uid !== found.metadata.uid) {
      throw new StatusError(409, 'Conflict', `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    bound = { kind: ref.kind as BoundObject['kind'], name: ref.name!, uid: found.metadata.uid! };
    const nodeName = ref.kind === 'Pod' ? (found.spec?.nodeName as string | undefined) : undefined;
    if (nodeName) {
      const n = ctx.options.registry.storeFor(findResource('', 'v1', 'nodes')!).getCached(undefined, nodeName)?.obj;
      if (n) node = { name: nodeName, uid: n.metadata.uid! };
    }
  }
  const max = ctx.options.maxTokenExpirationSeconds;
  const valid = max ? Math.min(seconds, max) : seconds;
  const audiences = spec.audiences?.length ? spec.audiences : tokens.audiences;
  const { token, expiresAt } = await tokens.issue({ namespace, serviceAccount: { name: sa.metadata.name!, uid: sa.metadata.uid! }, bound, node }, audiences, valid);
  const answer = {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: sa.metadata.name, namespace },
    spec: { audiences, expirationSeconds: valid, boundObjectRef: ref ? { ...ref, uid: bound!.uid } : null },
    status: { token, expirationTimestamp: expiresAt.toISOString().replace(/\.\d+Z$/, 'Z') },
  };
  return send(ctx, 201, JSON.stringify(answer));
}

// What a resource request carries through its handler (the resolved path, the store, query,
// output shape) and the small pieces every verb and subresource uses to answer.
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toResponseYAML } from '../../api/codec/yaml.js';
import { applyJsonPatch } from '../../api/patch/json-patch.js';
import { encodeKubernetesProtobuf, hasProtobuf, PROTOBUF_MEDIA_TYPE } from '../../api/protobuf/envelope.js';
import { applyMergePatch } from '../../api/patch/merge-patch.js';
import { applyStrategicMergePatch } from '../../api/patch/strategic-merge.js';
import { groupVersion, type ResourceInfo } from '../../api/resources.js';
import { schemaFor } from '../../api/schema/kinds.js';
import { badRequest, conflict, invalid, methodNotAllowed, OBJECT_MODIFIED } from '../../api/status.js';
import type { DeleteOptions, KubeObject } from '../../api/types/meta.js';
import { FieldErrors } from '../../api/validation/field-errors.js';
import { firstTypeError, type BodyTarget } from '../http/admit.js';
import { checkSchema } from '../../api/schema/check.js';
import { protobufFor, type Output } from '../http/negotiation.js';
import { bool, dryRun, int, one, type Query } from '../http/params.js';
import type { ResourcePath } from '../http/path.js';
import { joinChunks, renderObject, type RenderOptions } from '../http/render.js';
import { servedObjects } from '../http/served-version.js';
import { convertsRemotely, inServedVersion } from '../../api/conversion.js';
import type { Admission } from '../admission/admission.js';
import type { ProxyConnections } from './subresources/proxy.js';
import type { KubeletConnector } from './pod-proxy.js';
import type { ServiceAccountTokens } from '../authn/service-account-tokens.js';
import type { ReviewDeps } from '../authz/reviews.js';
import type { AggregatorProxy } from '../aggregator/proxy.js';
import type { Registry } from '../registry/registry.js';
import type { FieldTracking, ResourceStore } from '../registry/store.js';
import type { CachedObject } from '../storage/cached-object.js';
import { prettyRequested } from '../http/pretty.js';

/** Where a computed kind's objects come from (ComponentStatus: apiserver/registry/component-statuses.ts). */
export interface ComputedObjects {
  /** One object by name, made now; undefined if there is none of that name. */
  get(name: string): Promise<KubeObject | undefined>;
  /** Every object, made now. */
  list(): Promise<KubeObject[]>;
}

export interface ResourceRoutesOptions {
  registry: Registry;
  bookmarkIntervalMs: number;
  shutdown: AbortSignal;
  /** What review kinds (TokenReview, SubjectAccessReview, ...) are answered with. */
  reviews: ReviewDeps;
  /** Signs TokenRequests (serviceaccounts/token). */
  serviceAccountTokens: ServiceAccountTokens;
  /** --service-account-max-token-expiration; 0: no cap. */
  maxTokenExpirationSeconds: number;
  /** Admission: plugins on creates, and the checks on every write. */
  admission: Admission;
  /** How pods/log reaches kubelets. */
  kubelets: KubeletConnector;
  /** How the proxy subresources reach pods, Services' endpoints and nodes. */
  proxies: ProxyConnections;
  /** Group versions served by other servers (service-backed APIServices). */
  aggregator: AggregatorProxy;
  /** Where each computed kind's objects come from, by resource (componentstatuses: probes of the components and etcd). */
  computed: ReadonlyMap<string, ComputedObjects>;
}

/** What answering needs of a request: its reply, the negotiated output and the resource. */
export type Answer = Pick<Ctx, 'reply' | 'output' | 'r' | 'render'>;

export interface Ctx {
  options: ResourceRoutesOptions;
  req: FastifyRequest;
  reply: FastifyReply;
  path: ResourcePath;
  r: ResourceInfo;
  store: ResourceStore;
  q: Query;
  output: Output;
  render: RenderOptions;
}

export const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function addWarnings(ctx: Answer, warnings: string[]): void {
  if (warnings.length) ctx.reply.header('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
}

export function send(ctx: Answer, code: number, body: string, warnings: string[] = []): FastifyReply {
  addWarnings(ctx, warnings);
  if (ctx.output.yaml) return ctx.reply.code(code).type('application/yaml').send(toResponseYAML(JSON.parse(body)));
  if (ctx.output.protobuf) {
    const obj = JSON.parse(body) as Record<string, unknown>;
    // A kind without a protobuf form (a custom resource) goes as JSON when the client takes it.
    if (protobufFor(ctx.output, hasProtobuf(String(obj.apiVersion), String(obj.kind)))) {
      return ctx.reply.code(code).type(PROTOBUF_MEDIA_TYPE).send(encodeKubernetesProtobuf(obj));
    }
  }
  return ctx.reply.code(code).type('application/json').send(body);
}

/**
 * A list body made of byte chunks (render.ts listBody): one chunk goes out as a plain body,
 * more are streamed as the socket takes them, so a big list is never held whole.
 */
export function sendChunks(ctx: Answer, code: number, chunks: Generator<Buffer>): FastifyReply {
  // Whole for YAML, protobuf and pretty JSON, which are made from the whole body.
  if (ctx.output.yaml || ctx.output.protobuf || prettyRequested(ctx.reply.request.raw.url, ctx.reply.request.headers['user-agent'])) return send(ctx, code, joinChunks(chunks));
  const first = chunks.next();
  const second = first.done ? first : chunks.next();
  const reply = ctx.reply.code(code).type('application/json');
  if (second.done) return reply.send(first.done ? Buffer.alloc(0) : first.value);
  return reply.send(
    Readable.from(
      (function* () {
        yield first.value as Buffer;
        yield second.value;
        yield* chunks;
      })(),
      { objectMode: false },
    ),
  );
}

export function sendObject(ctx: Answer, code: number, o: CachedObject, warnings: string[] = []): FastifyReply | Promise<FastifyReply> {
  // JSON of the stored version: the object's own bytes, as they are.
  if (ctx.output.kind === 'object' && !ctx.output.yaml && !ctx.output.protobuf && inServedVersion(ctx.r, () => o.apiVersion())) {
    addWarnings(ctx, warnings);
    return ctx.reply.code(code).type('application/json').send(o.jsonLine());
  }
  // Synchronous unless converting means a call elsewhere (a conversion webhook).
  if (!convertsRemotely(ctx.r)) return send(ctx, code, renderObject(ctx.r, o, ctx.render), warnings);
  return servedObjects(ctx.r, [o]).then(([served]) => send(ctx, code, renderObject(ctx.r, served!, ctx.render), warnings));
}

/** Who a write is recorded as in managedFields: ?fieldManager=, else the client's User-Agent product. */
export function trackingOf(ctx: Ctx, manager: string | undefined, subresource?: string): FieldTracking {
  const agent = String(ctx.req.headers['user-agent'] ?? '').split('/')[0]!.slice(0, 128);
  return { manager: manager ?? (agent || 'unknown'), apiVersion: groupVersion(ctx.r), ...(subresource ? { subresource } : {}) };
}

export function requireVerb(r: ResourceInfo, verb: string): void {
  if (!(r.verbs as readonly string[]).includes(verb)) throw methodNotAllowed();
}

const DELETE_OPTIONS: BodyTarget = { apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions' };

export function deleteOptions(q: Query, body: Record<string, any> | undefined): DeleteOptions {
  if (body !== undefined) {
    // Go decodes the body into its struct first: a wrongly typed field goes no further.
    const findings = checkSchema(body, schemaFor(DELETE_OPTIONS.apiVersion, DELETE_OPTIONS.kind));
    if (findings.typeErrors.length > 0) throw badRequest(firstTypeError(DELETE_OPTIONS, findings));
  }
  const opts: DeleteOptions = { ...(body ?? {}) };
  delete (opts as Record<string, unknown>).kind;
  delete (opts as Record<string, unknown>).apiVersion;
  const grace = int(q, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const policy = one(q, 'propagationPolicy');
  if (policy) opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  if (one(q, 'orphanDependents') !== undefined) opts.orphanDependents = bool(q, 'orphanDependents');
  if (opts.propagationPolicy && !['Background', 'Foreground', 'Orphan'].includes(opts.propagationPolicy)) {
    const errs = new FieldErrors();
    errs.notSupported('propagationPolicy', opts.propagationPolicy, ['Foreground', 'Background', 'Orphan']);
    errs.throwIfAny('DeleteOptions', 'meta.k8s.io', '');
  }
  // kubectl sends a delete's dry run in the body only (a list of strings once decoded).
  const bad = (opts.dryRun ?? []).find((v) => v !== 'All');
  if (bad !== undefined) {
    const errs = new FieldErrors();
    errs.notSupported('dryRun', bad, ['All']);
    errs.throwIfAny('DeleteOptions', 'meta.k8s.io', '');
  }
  return opts;
}

/** Whether a delete is a dry run: `?dryRun=All` or `dryRun: ["All"]` in its DeleteOptions. */
export function deleteDryRun(q: Query, options: DeleteOptions): boolean {
  return dryRun(q) || (Array.isArray(options.dryRun) && options.dryRun.includes('All'));
}

/** Whether a write names no resourceVersion: Kubernetes reads "0" (and none) as "whatever is stored". */
export function unpinned(rv: unknown): boolean {
  return rv === undefined || rv === null || rv === '' || rv === '0';
}

/** A pinned resourceVersion that no longer matches the stored one is a conflict, never retried. */
export function checkPinned(ctx: Ctx, pinned: unknown, current: KubeObject): void {
  if (!unpinned(pinned) && pinned !== current.metadata.resourceVersion) {
    throw conflict(ctx.r.plural, ctx.r.group, ctx.path.name!, OBJECT_MODIFIED);
  }
}

/** Kinds that refuse unconditional updates (custom resources, CRDs, APIServices) need the object's resourceVersion. */
export function requireResourceVersion(ctx: Ctx, rv: unknown): void {
  if (unpinned(rv) && !ctx.store.strategy.allowUnconditionalUpdate) {
    throw invalid(ctx.r.plural, ctx.r.group, ctx.path.name!, [
      { reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update', field: 'metadata.resourceVersion' },
    ]);
  }
}

export function applyPatchDocument(type: string, target: BodyTarget, current: KubeObject, patch: unknown): unknown {
  switch (type) {
    case 'json':
      return applyJsonPatch(current, patch);
    case 'merge':
      return applyMergePatch(current, patch);
    default:
      return applyStrategicMergePatch(current, patch, schemaFor(target.apiVersion, target.kind));
  }
}


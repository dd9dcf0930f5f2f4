// The Webhook authorizer, as Kubernetes' apiserver runs it: a request's user and attributes go
// as an authorization.k8s.io SubjectAccessReview (v1beta1 or v1) to the server a kubeconfig
// file names; `status.allowed` allows, `status.denied` denies, neither is no opinion (with the
// webhook's reason). Answers are kept by the review's spec, allowed ones for the authorized TTL
// (5 minutes by default) and the rest for the unauthorized TTL (30 seconds). A webhook that
// cannot be reached is tried again with Kubernetes' back-off (0.5 s, growing 1.5x, five tries)
// and its failure is decided by the failure policy: no opinion (the next authorizer decides;
// always so for --authorization-webhook-config-file) or deny. Match conditions (CEL over the
// review's spec as `request`) choose which requests the webhook sees: one that is false skips it
// (no opinion); one that fails is decided by the failure policy.
import type { UserInfo } from '../../component-base/authn/user.js';
import type { CompiledExpression } from '../../api/cel/environment.js';
import type { ClientConfig } from '../../client/rest.js';
import { KubeconfigWebhook } from '../webhooks/kubeconfig-webhook.js';
import type { Authorizer, Decision } from './authorizer.js';
import type { RequestAttributes } from './request-info.js';

export interface WebhookAuthorizerOptions {
  /** The authorizer's name, in logs (--authorization-config names each webhook). */
  name: string;
  client: ClientConfig;
  version: 'v1' | 'v1beta1';
  authorizedTTLMs: number;
  unauthorizedTTLMs: number;
  /** How long one call may take. */
  timeoutMs: number;
  /** What a failed call (or a failed match condition) decides. */
  failurePolicy: 'NoOpinion' | 'Deny';
  matchConditions?: CompiledExpression[];
  /** Pauses between tries: Kubernetes' back-off for webhooks by default. */
  retryDelaysMs?: number[];
  now?: () => number;
  onError?: (err: Error) => void;
}

/** Kubernetes' webhook back-off: 0.5 s, then 1.5x longer each time, five tries in all. */
export const WEBHOOK_RETRY_DELAYS_MS = [500, 750, 1125, 1688];

const MAX_CACHED = 10_000;

interface SubjectAccessReviewSpec {
  user?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  resourceAttributes?: { namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string };
  nonResourceAttributes?: { path?: string; verb?: string };
}

interface ReviewStatus {
  allowed?: unknown;
  denied?: unknown;
  reason?: unknown;
  evaluationError?: unknown;
}

/** The review's spec for `user` doing `attrs`, empty fields left out as Kubernetes sends them. */
function reviewSpec(user: UserInfo, attrs: RequestAttributes): SubjectAccessReviewSpec {
  const spec: SubjectAccessReviewSpec = {};
  if (user.name) spec.user = user.name;
  if (user.uid) spec.uid = user.uid;
  if (user.groups.length) spec.groups = user.groups;
  if (user.extra && Object.keys(user.extra).length) spec.extra = user.extra;
  if (attrs.resourceRequest) {
    const r: NonNullable<SubjectAccessReviewSpec['resourceAttributes']> = {};
    if (attrs.namespace) r.namespace = attrs.namespace;
    if (attrs.verb) r.verb = attrs.verb;
    if (attrs.apiGroup) r.group = attrs.apiGroup;
    if (attrs.apiVersion) r.version = attrs.apiVersion;
    if (attrs.resource) r.resource = attrs.resource;
    if (attrs.subresource) r.subresource = attrs.subresource;
    if (attrs.name) r.name = attrs.name;
    spec.resourceAttributes = r;
  } else {
    spec.nonResourceAttributes = { ...(attrs.path ? { path: attrs.path } : {}), ...(attrs.verb ? { verb: attrs.verb } : {}) };
  }
  return spec;
}

/** What match conditions see as `request`: every field of the spec, empty ones too, as Kubernetes gives them. */
function matchConditionRequest(spec: SubjectAccessReviewSpec): Record<string, unknown> {
  const request: Record<string, unknown> = { user: spec.user ?? '', groups: spec.groups ?? [], uid: spec.uid ?? '', extra: spec.extra ?? {} };
  if (spec.resourceAttributes) {
    const r = spec.resourceAttributes;
    request.resourceAttributes = { namespace: r.namespace ?? '', verb: r.verb ?? '', group: r.group ?? '', version: r.version ?? '', resource: r.resource ?? '', subresource: r.subresource ?? '', name: r.name ?? '' };
  }
  if (spec.nonResourceAttributes) request.nonResourceAttributes = { path: spec.nonResourceAttributes.path ?? '', verb: spec.nonResourceAttributes.verb ?? '' };
  return request;
}

export class WebhookAuthorizer implements Authorizer {
  private readonly cache = new Map<string, { status: ReviewStatus; expires: number }>();
  private readonly webhook: KubeconfigWebhook;
  private readonly onFailure: Decision['decision'];

  constructor(private readonly opts: WebhookAuthorizerOptions) {
    this.webhook = new KubeconfigWebhook(opts.client, `authorization webhook ${opts.name}`);
    this.onFailure = opts.failurePolicy === 'Deny' ? 'deny' : 'no-opinion';
  }

  authorize(user: UserInfo, attrs: RequestAttributes): Decision | Promise<Decision> {
    const spec = reviewSpec(user, attrs);
    const conditions = this.opts.matchConditions ?? [];
    if (conditions.length) {
      const request = matchConditionRequest(spec);
      const errors: string[] = [];
      for (const c of conditions) {
        let result: unknown;
        try {
          result = c.evaluate({ request });
        } catch (err) {
          errors.push(`cel evaluation error: expression '${c.source}' resulted in error: ${(err as Error).message}`);
          continue;
        }
        if (typeof result !== 'boolean') errors.push(`cel evaluation error: expression '${c.source}' eval result type should be bool but got ${typeof result}`);
        else if (!result) return { decision: 'no-opinion' };
      }
      if (errors.length) {
        this.opts.onError?.(new Error(errors.join(', ')));
        return { decision: this.onFailure };
      }
    }
    const key = JSON.stringify(spec);
    const now = (this.opts.now ?? Date.now)();
    const hit = this.cache.get(key);
    if (hit && hit.expires > now) return decisionOf(hit.status);
    return this.ask(key, spec);
  }

  private async ask(key: string, spec: SubjectAccessReviewSpec): Promise<Decision> {
    const { version } = this.opts;
    // v1beta1 names the groups `group`.
    const sent = version === 'v1beta1' && spec.groups ? { ...spec, groups: undefined, group: spec.groups } : spec;
    const review = { apiVersion: `authorization.k8s.io/${version}`, kind: 'SubjectAccessReview', spec: sent };
    let status: ReviewStatus;
    try {
      const answer = (await this.webhook.post(review, this.opts.timeoutMs, this.opts.retryDelaysMs ?? WEBHOOK_RETRY_DELAYS_MS)) as { status?: ReviewStatus } | null;
      status = answer && typeof answer === 'object' && answer.status && typeof answer.status === 'object' ? answer.status : {};
    } catch (err) {
      this.opts.onError?.(err as Error);
      return { decision: this.onFailure };
    }
    const ttl = status.allowed === true ? this.opts.authorizedTTLMs : this.opts.unauthorizedTTLMs;
    if (ttl > 0) {
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
      this.cache.delete(key);
      this.cache.set(key, { status, expires: (this.opts.now ?? Date.now)() + ttl });
    }
    return decisionOf(status);
  }
}

function decisionOf(status: ReviewStatus): Decision {
  const reason = typeof status.reason === 'string' && status.reason ? status.reason : undefined;
  // Both allowed and denied: Kubernetes takes the denial.
  if (status.denied === true) return { decision: 'deny', ...(reason ? { reason } : {}) };
  if (status.allowed === true) return { decision: 'allow', ...(reason ? { reason } : {}) };
  return { decision: 'no-opinion', ...(reason ? { reason } : {}) };
}

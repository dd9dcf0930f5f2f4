// Calling admission webhooks, as Kubernetes' apiserver does: an admission.k8s.io AdmissionReview
// POSTed to each (webhooks/client.ts: HTTPS to its URL or Service, within its timeout). Mutating webhooks run one after another, each seeing what the ones before
// it changed, and may answer a JSON patch; validating webhooks run together. A webhook that
// refuses is the request's error; one that cannot be reached or answers nonsense fails the
// request, or is skipped under failurePolicy: Ignore.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { isObject } from '../../../api/codec/values.js';
import { applyJsonPatch } from '../../../api/patch/json-patch.js';
import { admissionName, StatusError } from '../../../api/status.js';
import type { KubeObject, Status } from '../../../api/types/meta.js';
import type { CompiledCondition } from '../../../api/cel/admission.js';
import { loadExtras } from '../../../api/on-demand/loader.js';
import { admissionRequestOf } from '../admission-request.js';
import { WebhookCallError, WebhookClient, type ServiceResolver } from '../../webhooks/client.js';
import { viewInVersion, type ResourceAt, type VersionView } from '../version-view.js';
import { exempt, matchedVersion, type AdmissionAttributes, type Webhook } from './matching.js';

export interface WebhookSource {
  mutating(): KubeObject[];
  validating(): KubeObject[];
  namespaceLabels(name: string): Record<string, string> | undefined;
  /** One ready endpoint of a Service's port. */
  serviceEndpoint: ServiceResolver;
  /** A resource as served in a version (built-in or custom), if it is. */
  resourceAt?: ResourceAt;
}

/** A webhook the request goes to, and the version of the resource its rules name for it. */
interface Matched {
  config: string;
  hook: Webhook;
  version: string;
}

export interface WebhookOutcome {
  warnings: string[];
  /** For the request's audit events. */
  annotations: Record<string, string>;
}

interface AdmissionResponse {
  uid?: string;
  allowed?: boolean;
  status?: Partial<Status> & { code?: number; reason?: string; message?: string };
  patch?: string;
  patchType?: string;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

const byName = (a: KubeObject, b: KubeObject) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');

export class WebhookDispatcher {
  private readonly client: WebhookClient;
  /** Compiled match conditions by their JSON (or why they do not compile). */
  private readonly conditions = new Map<string, CompiledCondition[] | string>();

  constructor(
    private readonly source: WebhookSource,
    private readonly log?: Logger,
  ) {
    this.client = new WebhookClient((namespace, name, port) => this.source.serviceEndpoint(namespace, name, port));
  }

  /**
   * The webhooks of these configurations (sorted by name, as Kubernetes orders them) that the
   * request goes to: rules and selectors, then match conditions (any false: not called; an
   * error: the request fails under failurePolicy Fail, the webhook is skipped under Ignore).
   */
  private async matching(configs: KubeObject[], a: AdmissionAttributes): Promise<Matched[]> {
    if (exempt(a) || configs.length === 0) return [];
    const out: Matched[] = [];
    const served = (version: string) => !this.source.resourceAt || !!this.source.resourceAt(a.group, version, a.resource);
    for (const c of [...configs].sort(byName)) {
      for (const hook of (Array.isArray(c.webhooks) ? c.webhooks : []) as Webhook[]) {
        const version = matchedVersion(hook, a, (n) => this.source.namespaceLabels(n), served);
        if (version === undefined) continue;
        if (hook.matchConditions?.length && !(await this.conditionsMatch(hook, (await this.viewAt(a, version)).attrs))) continue;
        out.push({ config: c.metadata.name!, hook, version });
      }
    }
    return out;
  }

  private viewAt(a: AdmissionAttributes, version: string): Promise<VersionView> {
    return viewInVersion(a, version, this.source.resourceAt);
  }

  private async conditionsMatch(hook: Webhook, a: AdmissionAttributes): Promise<boolean> {
    const { compileConditions, judgeConditions, jsonToCel } = await loadExtras();
    const key = JSON.stringify(hook.matchConditions);
    let compiled = this.conditions.get(key);
    if (!compiled) {
      try {
        compiled = compileConditions(hook.matchConditions!);
      } catch (err) {
        compiled = (err as Error).message;
      }
      if (this.conditions.size > 1000) this.conditions.clear();
      this.conditions.set(key, compiled);
    }
    const vars = { object: a.object ? jsonToCel(a.object) : null, oldObject: a.oldObject ? jsonToCel(a.oldObject) : null, request: jsonToCel(admissionRequestOf(a, '')), params: null, namespaceObject: null, variables: {}, authorizer: null };
    const judged = typeof compiled === 'string' ? { matches: true, errors: [compiled] } : judgeConditions(compiled, vars);
    if (!judged.matches) return false;
    if (judged.errors.length === 0) return true;
    if (hook.failurePolicy === 'Ignore') return false;
    const resource = a.group ? `${a.resource}.${a.group}` : a.resource;
    const name = a.name || admissionName(a.object?.metadata);
    throw new StatusError(403, 'Forbidden', `${resource} "${name}" is forbidden: ${judged.errors.join(', ')}`, { name, group: a.group || undefined, kind: a.resource });
  }

  /** Whether any webhook is configured (else mutate() and validate() have nothing to do). */
  active(): boolean {
    return this.source.mutating().length > 0 || this.source.validating().length > 0;
  }

  /**
   * Runs the mutating webhooks; `a.object` is changed in place by their patches. A webhook
   * with reinvocationPolicy IfNeeded that a later one's change might concern is called once
   * more, after the first round, as Kubernetes does.
   */
  async mutate(a: AdmissionAttributes): Promise<WebhookOutcome> {
    const out: WebhookOutcome = { warnings: [], annotations: {} };
    const hooks = await this.matching(this.source.mutating(), a);
    const again = new Set<number>();
    for (const [index, entry] of hooks.entries()) {
      if (await this.mutateOnce(entry, a, out, 0, index)) {
        for (let before = 0; before < index; before++) if (hooks[before]!.hook.reinvocationPolicy === 'IfNeeded') again.add(before);
      }
    }
    for (const index of [...again].sort((x, y) => x - y)) await this.mutateOnce(hooks[index]!, a, out, 1, index);
    return out;
  }

  /** One mutating call; whether it changed the object. */
  private async mutateOnce({ config, hook, version }: Matched, request: AdmissionAttributes, out: WebhookOutcome, round: number, index: number): Promise<boolean> {
    // Seen as of now (what the webhooks before it changed), in the version its rules name.
    const view = await this.viewAt(request, version);
    const a = view.attrs;
    const response = await this.callOrFail(hook, a, out);
    if (!response) return false;
    let mutated = false;
    // A DELETE has no object to patch: a patch then changes nothing.
    if (response.patch && a.object && request.object) {
      if (response.patchType !== 'JSONPatch') throw internalError(`failed calling webhook "${hook.name}": unsupported patch type "${response.patchType ?? ''}"`);
      let patched: unknown;
      try {
        const ops = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
        patched = applyJsonPatch(a.object, ops);
      } catch (err) {
        throw internalError(`failed calling webhook "${hook.name}": ${(err as Error).message}`);
      }
      if (!isObject(patched)) throw internalError(`failed calling webhook "${hook.name}": the patch did not produce an object`);
      checkIdentity(hook.name, a.object, patched as KubeObject);
      mutated = JSON.stringify(patched) !== JSON.stringify(a.object);
      if (mutated) replaceContents(request.object, a === request ? (patched as KubeObject) : await view.back(patched as KubeObject));
    }
    out.annotations[`mutation.webhook.admission.k8s.io/round_${round}_index_${index}`] = JSON.stringify({ configuration: config, webhook: hook.name, mutated });
    return mutated;
  }

  /** Runs the validating webhooks together; the first refusal (in their order) is the request's error. */
  async validate(a: AdmissionAttributes): Promise<WebhookOutcome> {
    const out: WebhookOutcome = { warnings: [], annotations: {} };
    const hooks = await this.matching(this.source.validating(), a);
    if (!hooks.length) return out;
    const results = await Promise.allSettled(hooks.map(async ({ hook, version }) => this.callOrFail(hook, (await this.viewAt(a, version)).attrs, out)));
    for (const r of results) if (r.status === 'rejected') throw r.reason;
    return out;
  }

  /** One call, judged: an answer that allows (with its warnings), undefined when skipped under Ignore; throws a refusal or failure. */
  private async callOrFail(hook: Webhook, a: AdmissionAttributes, out: WebhookOutcome): Promise<AdmissionResponse | undefined> {
    if (a.dryRun && !['None', 'NoneOnDryRun'].includes(hook.sideEffects ?? '')) {
      throw new StatusError(400, 'BadRequest', `admission webhook "${hook.name}" does not support dry run`);
    }
    let response: AdmissionResponse;
    try {
      response = await this.call(hook, a);
    } catch (err) {
      if (!(err instanceof WebhookCallError)) throw err;
      if ((hook.failurePolicy ?? 'Fail') === 'Ignore') {
        this.log?.warn({ webhook: hook.name, err: err.message }, 'admission webhook failed; ignored (failurePolicy: Ignore)');
        out.annotations[`failed-open.${hook.name}`] = 'true';
        return undefined;
      }
      throw internalError(`failed calling webhook "${hook.name}": ${err.message}`);
    }
    for (const w of response.warnings ?? []) if (typeof w === 'string' && w) out.warnings.push(w);
    for (const [k, v] of Object.entries(response.auditAnnotations ?? {})) out.annotations[`${hook.name}/${k}`] = String(v);
    if (!response.allowed) throw denied(hook.name, response.status ?? {});
    return response;
  }

  private async call(hook: Webhook, a: AdmissionAttributes): Promise<AdmissionResponse> {
    const version = (hook.admissionReviewVersions ?? []).find((v) => v === 'v1' || v === 'v1beta1') ?? 'v1';
    const uid = randomUUID();
    const review = {
      apiVersion: `admission.k8s.io/${version}`,
      kind: 'AdmissionReview',
      request: { ...admissionRequestOf(a, uid), object: a.object ?? null, oldObject: a.oldObject ?? null },
    };
    const parsed = (await this.client.post(hook.clientConfig, review, hook.timeoutSeconds ?? 10)) as { apiVersion?: string; kind?: string; response?: AdmissionResponse } | null;
    if (parsed?.kind !== 'AdmissionReview' || !parsed.response || typeof parsed.response !== 'object') {
      throw new WebhookCallError(`received invalid webhook response: expected an AdmissionReview with a response, got ${parsed?.apiVersion ?? ''} ${parsed?.kind ?? ''}`);
    }
    if (version === 'v1' && parsed.response.uid !== uid) throw new WebhookCallError(`expected response.uid="${uid}", got "${parsed.response.uid ?? ''}"`);
    return parsed.response;
  }
}

/**
 * A webhook may change an object, not make it another one: its kind, namespace and (once it
 * has one) name stay, so a patch cannot move an object past the RBAC that admitted the request.
 */
function checkIdentity(webhook: string, before: KubeObject, after: KubeObject): void {
  const m0 = before.metadata ?? {};
  const m1 = (isObject(after.metadata) ? after.metadata : {}) as KubeObject['metadata'];
  const changed = after.apiVersion !== before.apiVersion || after.kind !== before.kind
    ? 'apiVersion or kind'
    : (m1.namespace ?? '') !== (m0.namespace ?? '')
      ? 'metadata.namespace'
      : m0.name && m1.name !== m0.name
        ? 'metadata.name'
        : undefined;
  if (changed) throw new StatusError(400, 'BadRequest', `admission webhook "${webhook}" changed the object's ${changed}, which a webhook may not change`);
}

function replaceContents(target: KubeObject, next: KubeObject): void {
  for (const k of Object.keys(target)) delete (target as Record<string, unknown>)[k];
  Object.assign(target, next);
}

/** 500 InternalError, as Kubernetes reports a webhook it could not use. */
function internalError(message: string): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/** A webhook's refusal, worded and coded as Kubernetes does. */
function denied(name: string, status: NonNullable<AdmissionResponse['status']>): StatusError {
  const deniedBy = `admission webhook "${name}" denied the request`;
  const code = typeof status.code === 'number' && status.code >= 400 && status.code < 600 ? status.code : 400;
  const message = status.message ? `${deniedBy}: ${status.message}` : status.reason ? `${deniedBy}: ${status.reason}` : deniedBy;
  return new StatusError(code, typeof status.reason === 'string' ? status.reason : '', message, status.details as StatusError['details']);
}

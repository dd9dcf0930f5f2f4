// The structured authorization configuration (--authorization-config): Kubernetes'
// AuthorizationConfiguration (apiserver.config.k8s.io/v1, v1beta1 or v1alpha1), an ordered list
// of authorizers (AlwaysAllow, AlwaysDeny, Node, RBAC, and any number of Webhooks, each with its
// kubeconfig, review version, cache TTLs, timeout, failure policy and CEL match conditions).
// Defaulted and checked as Kubernetes does, every problem named by its field; CEL is loaded
// only when a webhook has match conditions.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { isObject } from '../../api/codec/values.js';
import type { CompiledExpression } from '../../api/cel/environment.js';
import { parseGoDuration } from '../../api/go-duration.js';
import { loadExtras } from '../../api/on-demand/loader.js';
import { dns1123Subdomain } from '../../api/validation/names.js';
import { configDocument } from '../config/config-document.js';
import { FieldErrors } from '../config/field-errors.js';

export const CONFIGURABLE_TYPES = ['AlwaysAllow', 'AlwaysDeny', 'Node', 'RBAC', 'Webhook'];
const MAX_MATCH_CONDITIONS = 64;

export interface WebhookAuthorizerConfig {
  authorizedTTLMs: number;
  unauthorizedTTLMs: number;
  timeoutMs: number;
  version: 'v1' | 'v1beta1';
  failurePolicy: 'NoOpinion' | 'Deny';
  /** A kubeconfig file, or (absent) the in-cluster service account's credentials. */
  kubeConfigFile?: string;
  matchConditions: CompiledExpression[];
}

export type AuthorizerConfig = { type: 'AlwaysAllow' | 'AlwaysDeny' | 'Node' | 'RBAC'; name: string } | { type: 'Webhook'; name: string; webhook: WebhookAuthorizerConfig };

export interface AuthorizationConfig {
  authorizers: AuthorizerConfig[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A Go duration in a field: milliseconds, 0 when absent, or undefined (reported) when malformed or negative. */
function duration(errs: FieldErrors, path: string, raw: unknown): number | undefined {
  if (raw === undefined || raw === null || raw === '') return 0;
  if (typeof raw !== 'string') {
    errs.invalid(path, raw, 'must be a duration string');
    return undefined;
  }
  const negative = raw.trim().startsWith('-');
  let ms: number;
  try {
    ms = parseGoDuration(negative ? raw.trim().slice(1) : raw);
  } catch {
    errs.invalid(path, raw, 'must be a duration string');
    return undefined;
  }
  if (negative && ms > 0) {
    errs.invalid(path, raw, 'must be > 0s');
    return undefined;
  }
  return ms;
}

interface PendingCondition {
  path: string;
  source: string;
  into: CompiledExpression[];
}

function webhookConfig(errs: FieldErrors, p: string, raw: Record<string, unknown>, pending: PendingCondition[]): WebhookAuthorizerConfig {
  const timeoutMs = duration(errs, `${p}.timeout`, raw.timeout);
  if (timeoutMs === 0) errs.required(`${p}.timeout`);
  else if (timeoutMs !== undefined && timeoutMs > 30_000) errs.invalid(`${p}.timeout`, raw.timeout, 'must be > 0s and <= 30s');
  // Defaults, as Kubernetes' versioned types give them.
  const authorizedTTLMs = duration(errs, `${p}.authorizedTTL`, raw.authorizedTTL) || 5 * 60_000;
  const unauthorizedTTLMs = duration(errs, `${p}.unauthorizedTTL`, raw.unauthorizedTTL) || 30_000;
  const version = str(raw.subjectAccessReviewVersion);
  if (!version) errs.required(`${p}.subjectAccessReviewVersion`);
  else if (version !== 'v1' && version !== 'v1beta1') errs.notSupported(`${p}.subjectAccessReviewVersion`, raw.subjectAccessReviewVersion, ['v1', 'v1beta1']);
  const conditions = raw.matchConditions ?? [];
  const conditionList = Array.isArray(conditions) ? conditions : [];
  if (!Array.isArray(conditions)) errs.invalid(`${p}.matchConditions`, conditions, 'must be a list');
  const matchVersion = str(raw.matchConditionSubjectAccessReviewVersion);
  if (!matchVersion) {
    if (conditionList.length) errs.required(`${p}.matchConditionSubjectAccessReviewVersion`, 'required if match conditions are specified');
  } else if (matchVersion !== 'v1') errs.notSupported(`${p}.matchConditionSubjectAccessReviewVersion`, raw.matchConditionSubjectAccessReviewVersion, ['v1']);
  const failurePolicy = str(raw.failurePolicy);
  if (!failurePolicy) errs.required(`${p}.failurePolicy`);
  else if (failurePolicy !== 'NoOpinion' && failurePolicy !== 'Deny') errs.notSupported(`${p}.failurePolicy`, raw.failurePolicy, ['NoOpinion', 'Deny']);
  const info = isObject(raw.connectionInfo) ? raw.connectionInfo : {};
  const kubeConfigFile = info.kubeConfigFile;
  switch (info.type) {
    case undefined:
    case '':
      errs.required(`${p}.connectionInfo.type`);
      break;
    case 'InClusterConfig':
      if (kubeConfigFile !== undefined && kubeConfigFile !== null) errs.invalid(`${p}.connectionInfo.kubeConfigFile`, kubeConfigFile, 'can only be set when type=KubeConfigFile');
      break;
    case 'KubeConfigFile':
      if (typeof kubeConfigFile !== 'string' || !kubeConfigFile) errs.required(`${p}.connectionInfo.kubeConfigFile`);
      else if (!isAbsolute(kubeConfigFile)) errs.invalid(`${p}.connectionInfo.kubeConfigFile`, kubeConfigFile, 'must be an absolute path');
      else if (!existsSync(kubeConfigFile)) errs.invalid(`${p}.connectionInfo.kubeConfigFile`, kubeConfigFile, `error loading file: stat ${kubeConfigFile}: no such file or directory`);
      else if (!statSync(kubeConfigFile).isFile()) errs.invalid(`${p}.connectionInfo.kubeConfigFile`, kubeConfigFile, 'must be a regular file');
      break;
    default:
      errs.notSupported(`${p}.connectionInfo.type`, info.type, ['InClusterConfig', 'KubeConfigFile']);
  }
  const compiled: CompiledExpression[] = [];
  if (conditionList.length > MAX_MATCH_CONDITIONS) errs.tooMany(`${p}.matchConditions`, conditionList.length, MAX_MATCH_CONDITIONS);
  else {
    const seen = new Set<string>();
    for (const [j, c] of conditionList.entries()) {
      const path = `${p}.matchConditions[${j}].expression`;
      const source = isObject(c) ? str(c.expression) : '';
      if (!source.trim()) errs.required(path);
      else if (seen.has(source)) errs.duplicate(path, source);
      else {
        seen.add(source);
        pending.push({ path, source, into: compiled });
      }
    }
  }
  return {
    authorizedTTLMs,
    unauthorizedTTLMs,
    timeoutMs: timeoutMs ?? 0,
    version: version === 'v1' ? 'v1' : 'v1beta1',
    failurePolicy: failurePolicy === 'Deny' ? 'Deny' : 'NoOpinion',
    ...(info.type === 'KubeConfigFile' && typeof kubeConfigFile === 'string' ? { kubeConfigFile } : {}),
    matchConditions: compiled,
  };
}

/** Reads and checks a configuration; throws one error listing every problem. */
export async function parseAuthorizationConfig(text: string): Promise<AuthorizationConfig> {
  const doc = configDocument(text, 'AuthorizationConfiguration');
  const errs = new FieldErrors();
  const pending: PendingCondition[] = [];
  const authorizers: AuthorizerConfig[] = [];
  const list = Array.isArray(doc.authorizers) ? doc.authorizers : [];
  if (list.length === 0) errs.required('authorizers', 'at least one authorization mode must be defined');
  const types = new Set<string>();
  const names = new Set<string>();
  for (const [i, raw] of list.entries()) {
    const p = `authorizers[${i}]`;
    const a = isObject(raw) ? raw : {};
    const type = str(a.type);
    if (!type) {
      errs.required(`${p}.type`);
      continue;
    }
    if (!CONFIGURABLE_TYPES.includes(type)) {
      errs.notSupported(`${p}.type`, type, CONFIGURABLE_TYPES);
      continue;
    }
    if (types.has(type) && type !== 'Webhook') {
      errs.duplicate(`${p}.type`, type);
      continue;
    }
    types.add(type);
    const name = str(a.name);
    if (!name) errs.required(`${p}.name`);
    else if (names.has(name)) errs.duplicate(`${p}.name`, name);
    else {
      const problems = dns1123Subdomain(name);
      if (problems.length) errs.invalid(`${p}.name`, name, `authorizer name is invalid: ${problems.join(', ')}`);
    }
    names.add(name);
    if (type === 'Webhook') {
      if (!isObject(a.webhook)) {
        errs.required(`${p}.webhook`, 'required when type=Webhook');
        continue;
      }
      authorizers.push({ type, name, webhook: webhookConfig(errs, `${p}.webhook`, a.webhook, pending) });
    } else {
      if (a.webhook !== undefined && a.webhook !== null) errs.invalid(`${p}.webhook`, 'non-null', 'may only be specified when type=Webhook');
      authorizers.push({ type: type as 'AlwaysAllow' | 'AlwaysDeny' | 'Node' | 'RBAC', name });
    }
  }
  if (pending.length) {
    const { compileAuthorizationMatchCondition } = await loadExtras();
    for (const c of pending) {
      try {
        c.into.push(compileAuthorizationMatchCondition(c.source));
      } catch (err) {
        errs.invalid(c.path, c.source, `compilation failed: ${(err as Error).message}`);
      }
    }
  }
  errs.throwIfAny();
  return { authorizers };
}

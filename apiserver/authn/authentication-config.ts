// The structured authentication configuration (--authentication-config): Kubernetes'
// AuthenticationConfiguration (apiserver.config.k8s.io/v1beta1, v1alpha1 or v1) with its JWT
// authenticators (issuers, audiences, claim validation rules, claim mappings by claim or CEL,
// user validation rules) and the anonymous authenticator (on or off, and for which paths).
// Checked as Kubernetes checks it, every problem named by its field; CEL is loaded only when
// the file has expressions.
import { isObject } from '../../api/codec/values.js';
import type { CompiledExpression } from '../../api/cel/environment.js';
import { loadExtras } from '../../api/on-demand/loader.js';
import { configDocument } from '../config/config-document.js';
import { FieldErrors } from '../config/field-errors.js';
import type { ClaimMapping, OIDCOptions } from './oidc.js';

/** What structured JWT authenticators accept: the asymmetric algorithms. */
const SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'];

export interface AuthenticationConfig {
  jwt: OIDCOptions[];
  /** Absent: --anonymous-auth decides. `paths`: anonymous only for these (exact) paths. */
  anonymous?: { enabled: boolean; paths?: string[] };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** An https URL without user, query or fragment; the problem if not. */
function httpsURLProblem(value: string): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'must be a valid URL';
  }
  if (u.protocol !== 'https:') return 'URL scheme must be https';
  if (u.username || u.password) return 'URL must not contain a username or password';
  if (u.search) return 'URL must not contain a query';
  if (u.hash) return 'URL must not contain a fragment';
  return undefined;
}

interface Pending {
  source: string;
  path: string;
  set(e: CompiledExpression): void;
}

/**
 * Reads and checks a configuration; throws one error listing every problem. `disallowedIssuers`
 * are the service-account token issuers, which no JWT authenticator may claim.
 */
export async function parseAuthenticationConfig(text: string, disallowedIssuers: string[] = []): Promise<AuthenticationConfig> {
  const doc = configDocument(text, 'AuthenticationConfiguration');
  const errs = new FieldErrors();
  const pending: Pending[] = [];
  const expr = (path: string, source: unknown, set: (e: CompiledExpression) => void): void => {
    if (typeof source !== 'string' || !source) errs.required(path);
    else pending.push({ source, path, set });
  };

  const jwt: OIDCOptions[] = [];
  const issuers = new Set<string>();
  const list = doc.jwt ?? [];
  if (!Array.isArray(list)) errs.invalid('jwt', list, 'must be a list');
  for (const [i, raw] of (Array.isArray(list) ? list : []).entries()) {
    const p = `jwt[${i}]`;
    if (!isObject(raw)) {
      errs.invalid(p, raw, 'must be an object');
      continue;
    }
    const issuer = isObject(raw.issuer) ? raw.issuer : {};
    const url = str(issuer.url) ?? '';
    if (!url) errs.required(`${p}.issuer.url`);
    else {
      const problem = httpsURLProblem(url);
      if (problem) errs.invalid(`${p}.issuer.url`, url, problem);
      else if (issuers.has(url)) errs.duplicate(`${p}.issuer.url`, url);
      else if (disallowedIssuers.includes(url)) errs.invalid(`${p}.issuer.url`, url, `URL must not overlap with disallowed issuers: [${disallowedIssuers.join(' ')}]`);
      issuers.add(url);
    }
    const discoveryURL = str(issuer.discoveryURL);
    if (issuer.discoveryURL !== undefined && issuer.discoveryURL !== '') {
      const problem = discoveryURL === undefined ? 'must be a string' : httpsURLProblem(discoveryURL);
      if (problem) errs.invalid(`${p}.issuer.discoveryURL`, issuer.discoveryURL, problem);
      else if (discoveryURL === url) errs.invalid(`${p}.issuer.discoveryURL`, discoveryURL, 'discoveryURL must be different from URL');
    }
    const audiences = issuer.audiences;
    if (!Array.isArray(audiences) || audiences.length === 0) errs.required(`${p}.issuer.audiences`, 'at least one issuer.audiences is required');
    else {
      const seen = new Set<string>();
      for (const [j, a] of audiences.entries()) {
        if (typeof a !== 'string' || !a) errs.required(`${p}.issuer.audiences[${j}]`, 'audience can\'t be empty');
        else if (seen.has(a)) errs.duplicate(`${p}.issuer.audiences[${j}]`, a);
        else seen.add(a);
      }
      const policy = issuer.audienceMatchPolicy ?? '';
      if (audiences.length > 1 && policy !== 'MatchAny') errs.invalid(`${p}.issuer.audienceMatchPolicy`, policy, 'audienceMatchPolicy must be MatchAny for multiple audiences');
      if (audiences.length === 1 && policy !== '' && policy !== 'MatchAny') errs.invalid(`${p}.issuer.audienceMatchPolicy`, policy, 'audienceMatchPolicy must be empty or MatchAny for single audience');
    }
    const ca = issuer.certificateAuthority;
    if (ca !== undefined && ca !== '' && (typeof ca !== 'string' || !ca.includes('-----BEGIN CERTIFICATE-----'))) {
      errs.invalid(`${p}.issuer.certificateAuthority`, '<omitted>', 'must be PEM-encoded certificates');
    }

    const opts: OIDCOptions = {
      issuerURL: url,
      ...(discoveryURL ? { discoveryURL } : {}),
      audiences: Array.isArray(audiences) ? audiences.filter((a): a is string => typeof a === 'string') : [],
      ...(typeof ca === 'string' && ca ? { caPem: ca } : {}),
      signingAlgs: SIGNING_ALGS,
      claimValidationRules: [],
      username: { claim: '', prefix: '' },
      extra: [],
      userValidationRules: [],
    };

    const rules = raw.claimValidationRules ?? [];
    const ruleClaims = new Set<string>();
    for (const [j, r] of (Array.isArray(rules) ? rules : []).entries()) {
      const rp = `${p}.claimValidationRules[${j}]`;
      if (!isObject(r)) {
        errs.invalid(rp, r, 'must be an object');
        continue;
      }
      const claim = str(r.claim);
      const expression = str(r.expression);
      if (claim && expression) errs.invalid(rp, '', 'claim and expression can\'t both be set');
      else if (!claim && !expression) errs.required(rp, 'claim or expression is required');
      else if (claim) {
        if (ruleClaims.has(claim)) errs.duplicate(`${rp}.claim`, claim);
        ruleClaims.add(claim);
        if (r.message !== undefined) errs.invalid(`${rp}.message`, r.message, 'message can\'t be set when claim is set');
        opts.claimValidationRules.push({ claim, requiredValue: str(r.requiredValue) ?? '' });
      } else {
        if (r.requiredValue !== undefined) errs.invalid(`${rp}.requiredValue`, r.requiredValue, 'requiredValue can\'t be set when expression is set');
        const rule: { expression: CompiledExpression; message?: string } = { expression: undefined as unknown as CompiledExpression, ...(str(r.message) ? { message: str(r.message)! } : {}) };
        opts.claimValidationRules.push(rule);
        expr(`${rp}.expression`, expression, (e) => (rule.expression = e));
      }
    }

    const mappings = isObject(raw.claimMappings) ? raw.claimMappings : {};
    const mapping = (path: string, m: unknown, withPrefix: boolean, required: boolean, set: (v: ClaimMapping | { claim: string } | { expression: CompiledExpression }) => void): void => {
      if (m === undefined || m === null) {
        if (required) errs.required(path, 'claim or expression is required');
        return;
      }
      if (!isObject(m)) return errs.invalid(path, m, 'must be an object');
      const claim = str(m.claim);
      const expression = str(m.expression);
      if (claim && expression) return errs.invalid(path, '', 'claim and expression can\'t both be set');
      if (!claim && !expression) {
        if (required) errs.required(path, 'claim or expression is required');
        return;
      }
      if (claim) {
        if (!withPrefix) return set({ claim });
        if (typeof m.prefix !== 'string') return errs.required(`${path}.prefix`, 'prefix is required when claim is set. It can be set to an empty string to disable prefixing');
        return set({ claim, prefix: m.prefix });
      }
      if (withPrefix && m.prefix !== undefined) errs.invalid(`${path}.prefix`, m.prefix, 'prefix can\'t be set when expression is set');
      const holder: { expression: CompiledExpression } = { expression: undefined as unknown as CompiledExpression };
      set(holder);
      expr(`${path}.expression`, expression, (e) => (holder.expression = e));
    };
    mapping(`${p}.claimMappings.username`, mappings.username, true, true, (v) => (opts.username = v as ClaimMapping));
    mapping(`${p}.claimMappings.groups`, mappings.groups, true, false, (v) => (opts.groups = v as ClaimMapping));
    mapping(`${p}.claimMappings.uid`, mappings.uid, false, false, (v) => (opts.uid = v as OIDCOptions['uid']));
    const extraKeys = new Set<string>();
    for (const [j, x] of (Array.isArray(mappings.extra) ? mappings.extra : []).entries()) {
      const xp = `${p}.claimMappings.extra[${j}]`;
      const key = isObject(x) ? str(x.key) : undefined;
      if (!key) errs.required(`${xp}.key`);
      else if (!key.includes('/')) errs.invalid(`${xp}.key`, key, 'must be a domain-prefix path (such as "acme.io/foo")');
      else if (key !== key.toLowerCase()) errs.invalid(`${xp}.key`, key, 'key must be lowercase');
      else if (extraKeys.has(key)) errs.duplicate(`${xp}.key`, key);
      if (key) extraKeys.add(key);
      const entry = { key: key ?? '', expression: undefined as unknown as CompiledExpression };
      opts.extra.push(entry);
      expr(`${xp}.valueExpression`, isObject(x) ? x.valueExpression : undefined, (e) => (entry.expression = e));
    }
    // A username from claims.email must look at email_verified somewhere, as Kubernetes requires.
    const usernameExpression = isObject(mappings.username) ? str(mappings.username.expression) : undefined;
    if (usernameExpression && /\bclaims\.email\b(?!_)/.test(usernameExpression)) {
      const sources = [usernameExpression, ...(Array.isArray(mappings.extra) ? mappings.extra.map((x) => (isObject(x) ? str(x.valueExpression) : undefined)) : []), ...(Array.isArray(rules) ? rules.map((r) => (isObject(r) ? str(r.expression) : undefined)) : [])];
      if (!sources.some((src) => src?.includes('claims.email_verified'))) {
        errs.invalid(`${p}.claimMappings.username.expression`, usernameExpression, 'claims.email_verified must be used in claimMappings.username.expression or claimMappings.extra[*].valueExpression or claimValidationRules[*].expression when claimMappings.username.expression uses claims.email');
      }
    }
    for (const [j, r] of (Array.isArray(raw.userValidationRules) ? raw.userValidationRules : []).entries()) {
      const rule = { expression: undefined as unknown as CompiledExpression, ...(isObject(r) && str(r.message) ? { message: str(r.message)! } : {}) };
      opts.userValidationRules.push(rule);
      expr(`${p}.userValidationRules[${j}].expression`, isObject(r) ? r.expression : undefined, (e) => (rule.expression = e));
    }
    jwt.push(opts);
  }

  let anonymous: AuthenticationConfig['anonymous'];
  if (doc.anonymous !== undefined && doc.anonymous !== null) {
    const a = isObject(doc.anonymous) ? doc.anonymous : {};
    const enabled = a.enabled === true;
    const conditions = Array.isArray(a.conditions) ? a.conditions : [];
    if (!enabled && conditions.length) errs.invalid('anonymous.conditions', conditions, 'enabled should be set to true when conditions are defined');
    const paths: string[] = [];
    for (const [j, c] of conditions.entries()) {
      const path = isObject(c) ? str(c.path) : undefined;
      if (!path) errs.required(`anonymous.conditions[${j}].path`);
      else if (paths.includes(path)) errs.duplicate(`anonymous.conditions[${j}].path`, path);
      else paths.push(path);
    }
    anonymous = { enabled, ...(conditions.length ? { paths } : {}) };
  }

  if (pending.length) {
    const { compileAuthenticationExpression, jsonToCel } = await loadExtras();
    for (const x of pending) {
      try {
        x.set(compileAuthenticationExpression(x.source));
      } catch (err) {
        errs.invalid(x.path, x.source, `compilation failed: ${(err as Error).message}`);
      }
    }
    for (const j of jwt) j.toCel = jsonToCel;
  }
  errs.throwIfAny();
  return { jwt, ...(anonymous ? { anonymous } : {}) };
}

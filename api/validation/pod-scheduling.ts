// Pod spec rules for where a pod may run beside others: topology spread constraints and
// inter-pod (anti-)affinity terms, in Kubernetes' words. The scheduler trusts what passes.
import { objectItems } from '../codec/values.js';
import type { Unstructured } from '../types/meta.js';
import type { FieldErrors } from './field-errors.js';
import { dns1123Label, dns1123Subdomain, qualifiedName } from './names.js';
import { hasInvalidSelectorValue, validateLabelSelector, type LabelSelectorOptions } from './label-selector.js';

const NOT_POSITIVE = 'must be greater than zero';
const WHEN_UNSATISFIABLE = ['DoNotSchedule', 'ScheduleAnyway'];
const INCLUSION_POLICIES = ['Honor', 'Ignore'];

export function validateTopologySpreadConstraints(list: unknown, field: string, errs: FieldErrors, opts: LabelSelectorOptions = {}): void {
  if (!Array.isArray(list)) return;
  // {topologyKey, whenUnsatisfiable} names one kind of constraint: once each. Reported at each
  // occurrence that has another after it, found by counting (a pod may carry thousands).
  const kindOf = (c: Unstructured) => `{${c?.topologyKey ?? ''}, ${c?.whenUnsatisfiable ?? ''}}`;
  const later = new Map<string, number>();
  for (const c of list) later.set(kindOf(c), (later.get(kindOf(c)) ?? 0) + 1);
  list.forEach((c: Unstructured, i: number) => {
    const cf = `${field}[${i}]`;
    if (!(typeof c.maxSkew === 'number' && c.maxSkew > 0)) errs.invalid(`${cf}.maxSkew`, c.maxSkew ?? 0, NOT_POSITIVE);
    if (!c.topologyKey) errs.required(`${cf}.topologyKey`, 'can not be empty');
    if (!WHEN_UNSATISFIABLE.includes(c.whenUnsatisfiable)) errs.notSupported(`${cf}.whenUnsatisfiable`, c.whenUnsatisfiable ?? '', WHEN_UNSATISFIABLE);
    const kind = kindOf(c);
    const left = later.get(kind)! - 1;
    later.set(kind, left);
    if (left > 0) errs.duplicate(`${cf}.{topologyKey, whenUnsatisfiable}`, kind);
    if (c.minDomains !== undefined && c.minDomains !== null) {
      if (!(c.minDomains > 0)) errs.invalid(`${cf}.minDomains`, c.minDomains, NOT_POSITIVE);
      if (c.whenUnsatisfiable !== 'DoNotSchedule') errs.invalid(`${cf}.minDomains`, c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${c.whenUnsatisfiable ?? ''}`);
    }
    for (const policy of ['nodeAffinityPolicy', 'nodeTaintsPolicy']) {
      if (c[policy] !== undefined && c[policy] !== null && !INCLUSION_POLICIES.includes(c[policy])) errs.notSupported(`${cf}.${policy}`, c[policy], INCLUSION_POLICIES);
    }
    const keys: unknown[] = Array.isArray(c.matchLabelKeys) ? c.matchLabelKeys : [];
    const selector = c.labelSelector as Unstructured | undefined;
    if (keys.length && !selector) errs.forbidden(`${cf}.matchLabelKeys`, 'must not be specified when labelSelector is not set');
    // The selector's keys in a set: thousands of keys against thousands of expressions stay linear.
    const selectorKeys = new Set<unknown>([...Object.keys(selector?.matchLabels ?? {}), ...(Array.isArray(selector?.matchExpressions) ? selector.matchExpressions : []).map((e: Unstructured) => e?.key)]);
    keys.forEach((key, k) => {
      const kf = `${cf}.matchLabelKeys[${k}]`;
      errs.format(kf, String(key), qualifiedName(String(key)));
      if (selectorKeys.has(key)) {
        errs.invalid(kf, key, 'exists in both matchLabelKeys and labelSelector');
      }
    });
    validateLabelSelector(c.labelSelector, `${cf}.labelSelector`, errs, opts);
  });
}

function validateAffinityTerm(term: Unstructured | undefined, field: string, errs: FieldErrors, opts: LabelSelectorOptions): void {
  if (!term) return;
  validateLabelSelector(term.labelSelector, `${field}.labelSelector`, errs, opts);
  validateLabelSelector(term.namespaceSelector, `${field}.namespaceSelector`, errs, opts);
  for (const ns of term.namespaces ?? []) errs.format(`${field}.namespace`, String(ns), dns1123Label(String(ns)));
  if (!term.topologyKey) errs.required(`${field}.topologyKey`, 'can not be empty');
  else errs.format(`${field}.topologyKey`, String(term.topologyKey), qualifiedName(String(term.topologyKey)));
}

/** One requirement on a node's labels: an operator Kubernetes knows, with the values it takes. */
function validateNodeSelectorRequirement(r: Unstructured, field: string, errs: FieldErrors): void {
  const values: unknown[] = Array.isArray(r?.values) ? r.values : [];
  switch (r?.operator) {
    case 'In':
    case 'NotIn':
      if (!values.length) errs.required(`${field}.values`, "must be specified when `operator` is 'In' or 'NotIn'");
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length) errs.forbidden(`${field}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.required(`${field}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'");
      break;
    default:
      errs.invalid(`${field}.operator`, r?.operator ?? '', 'not a valid selector operator');
  }
  errs.format(`${field}.key`, String(r?.key ?? ''), qualifiedName(String(r?.key ?? '')));
}

/** A requirement on a node's fields: only its name, by one value. */
function validateNodeFieldRequirement(r: Unstructured, field: string, errs: FieldErrors): void {
  const values: unknown[] = Array.isArray(r?.values) ? r.values : [];
  if (r?.operator === 'In' || r?.operator === 'NotIn') {
    if (values.length !== 1) errs.required(`${field}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector");
  } else errs.invalid(`${field}.operator`, r?.operator ?? '', 'not a valid selector operator');
  if (r?.key !== 'metadata.name') errs.invalid(`${field}.key`, r?.key ?? '', 'not a valid field selector key');
  else values.forEach((v, i) => errs.format(`${field}.values[${i}]`, String(v), dns1123Subdomain(String(v))));
}

function validateNodeSelectorTerm(term: Unstructured, field: string, errs: FieldErrors): void {
  objectItems(term?.matchExpressions).forEach((r, i) => validateNodeSelectorRequirement(r, `${field}.matchExpressions[${i}]`, errs));
  objectItems(term?.matchFields).forEach((r, i) => validateNodeFieldRequirement(r, `${field}.matchFields[${i}]`, errs));
}

/** A node selector (a pod's required node affinity, a PersistentVolume's node affinity): at least one term, each valid. */
export function validateNodeSelector(selector: Unstructured, field: string, errs: FieldErrors): void {
  const terms = objectItems(selector?.nodeSelectorTerms);
  if (!terms.length) return errs.required(`${field}.nodeSelectorTerms`, 'must have at least one node selector term');
  terms.forEach((t, i) => validateNodeSelectorTerm(t, `${field}.nodeSelectorTerms[${i}]`, errs));
}

/** spec.affinity: node affinity, and podAffinity and podAntiAffinity (required terms, and weighted preferred ones). */
export function validatePodAffinity(affinity: Unstructured | undefined, field: string, errs: FieldErrors, opts: LabelSelectorOptions = {}): void {
  const node = affinity?.nodeAffinity as Unstructured | undefined;
  if (node && typeof node === 'object') {
    const nf = `${field}.nodeAffinity`;
    const required = node.requiredDuringSchedulingIgnoredDuringExecution;
    if (required && typeof required === 'object') validateNodeSelector(required, `${nf}.requiredDuringSchedulingIgnoredDuringExecution`, errs);
    objectItems(node.preferredDuringSchedulingIgnoredDuringExecution).forEach((p, i) => {
      const pf = `${nf}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      if (!(typeof p?.weight === 'number' && p.weight >= 1 && p.weight <= 100)) errs.invalid(`${pf}.weight`, p?.weight ?? 0, 'must be in the range 1-100');
      validateNodeSelectorTerm(p?.preference, `${pf}.preference`, errs);
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const a = affinity?.[kind] as Unstructured | undefined;
    if (!a) continue;
    const af = `${field}.${kind}`;
    (a.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: Unstructured, i: number) => validateAffinityTerm(t, `${af}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`, errs, opts));
    (a.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((p: Unstructured, i: number) => {
      const pf = `${af}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      if (!(typeof p.weight === 'number' && p.weight >= 1 && p.weight <= 100)) errs.invalid(`${pf}.weight`, p.weight ?? 0, 'must be in the range 1-100');
      validateAffinityTerm(p.podAffinityTerm, `${pf}.podAffinityTerm`, errs, opts);
    });
  }
}

/** The label selectors of a pod spec's spread constraints and affinity terms. */
function podSpecSelectors(spec: Unstructured | undefined): unknown[] {
  const out: unknown[] = [];
  for (const c of Array.isArray(spec?.topologySpreadConstraints) ? spec.topologySpreadConstraints : []) out.push(c?.labelSelector);
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const a = spec?.affinity?.[kind];
    for (const t of Array.isArray(a?.requiredDuringSchedulingIgnoredDuringExecution) ? a.requiredDuringSchedulingIgnoredDuringExecution : []) out.push(t?.labelSelector, t?.namespaceSelector);
    for (const p of Array.isArray(a?.preferredDuringSchedulingIgnoredDuringExecution) ? a.preferredDuringSchedulingIgnoredDuringExecution : []) out.push(p?.podAffinityTerm?.labelSelector, p?.podAffinityTerm?.namespaceSelector);
  }
  return out;
}

/** As Kubernetes: an update keeps accepting selector values that the stored spec already had unchecked. */
export function podSelectorOptions(prevSpec: Unstructured | undefined): LabelSelectorOptions {
  return { allowInvalidValues: prevSpec !== undefined && hasInvalidSelectorValue(podSpecSelectors(prevSpec)) };
}

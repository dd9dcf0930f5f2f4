// Node rules, as Kubernetes checks them: taints, pod CIDRs (one per IP family), resource figures,
// and what an update may not change (pod CIDRs and the provider ID once set).
import { parseIPPrefix } from '../ip.js';
import type { KubeObject, Unstructured } from '../types/meta.js';
import type { FieldErrors } from './field-errors.js';
import { labelValue, qualifiedName } from './names.js';
import { validateResourceList } from './resource-list.js';

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const CIDR_EXAMPLE = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';
const CIDR_CHANGE = 'node updates may not change podCIDR except from "" to valid';

/** Taints: qualified keys, label values, a known effect, each key and effect pair once. */
function validateTaints(taints: unknown, errs: FieldErrors): void {
  if (!Array.isArray(taints)) return;
  const seen = new Set<string>();
  // Kubernetes reports taints under metadata (its path is built from the metadata field's); kept so.
  taints.forEach((raw, i) => {
    const t = (raw && typeof raw === 'object' ? raw : {}) as Unstructured;
    const f = `metadata.taints[${i}]`;
    errs.format(`${f}.key`, String(t.key ?? ''), qualifiedName(String(t.key ?? '')));
    const valueProblems = labelValue(String(t.value ?? ''));
    if (valueProblems.length) errs.invalid(`${f}.value`, t.value, valueProblems.join(';'));
    if (!t.effect) errs.required(`${f}.effect`);
    else if (!TAINT_EFFECTS.includes(t.effect)) errs.notSupported(`${f}.effect`, t.effect, TAINT_EFFECTS);
    const pair = `${t.effect ?? ''}\u0000${t.key ?? ''}`;
    if (seen.has(pair)) {
      const shown = `core.Taint{Key:${JSON.stringify(String(t.key ?? ''))}, Value:${JSON.stringify(String(t.value ?? ''))}, Effect:${JSON.stringify(String(t.effect ?? ''))}, TimeAdded:<nil>}`;
      errs.duplicateShown(f, shown, 'taints must be unique by key and effect pair');
    }
    seen.add(pair);
  });
}

function validatePodCIDRs(spec: Unstructured, errs: FieldErrors): void {
  const cidrs: unknown[] = Array.isArray(spec.podCIDRs) ? spec.podCIDRs : [];
  const families = new Set<number>();
  cidrs.forEach((c, i) => {
    const prefix = parseIPPrefix(String(c));
    if (!prefix) errs.invalid(`spec.podCIDRs[${i}]`, c, CIDR_EXAMPLE);
    else families.add(prefix.bytes.length);
  });
  if (cidrs.length > 2 || (cidrs.length === 2 && families.size === 1)) {
    errs.invalid('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family');
  }
  if (typeof spec.podCIDR === 'string' && spec.podCIDR !== '' && !parseIPPrefix(spec.podCIDR)) errs.invalid('spec.podCIDR', spec.podCIDR, CIDR_EXAMPLE);
}

export function validateNode(o: KubeObject, errs: FieldErrors): void {
  const spec = (o.spec ?? {}) as Unstructured;
  validateTaints(spec.taints, errs);
  validatePodCIDRs(spec, errs);
  validateResourceList(o.status?.capacity, 'status.capacity', errs);
  validateResourceList(o.status?.allocatable, 'status.allocatable', errs);
}

export function validateNodeUpdate(next: KubeObject, prev: KubeObject, errs: FieldErrors): void {
  const was: unknown[] = Array.isArray(prev.spec?.podCIDRs) ? prev.spec.podCIDRs : [];
  const now: unknown[] = Array.isArray(next.spec?.podCIDRs) ? next.spec.podCIDRs : [];
  if (was.length && (was.length !== now.length || was.some((c, i) => c !== now[i]))) errs.forbidden('spec.podCIDRs', CIDR_CHANGE);
  if (prev.spec?.providerID && prev.spec.providerID !== next.spec?.providerID) {
    errs.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid');
  }
  const addresses = new Set<string>();
  (Array.isArray(next.status?.addresses) ? (next.status.addresses as Unstructured[]) : []).forEach((a, i) => {
    const key = `${a?.type ?? ''}\u0000${a?.address ?? ''}`;
    if (addresses.has(key)) errs.duplicate(`status.addresses[${i}]`, { type: a?.type, address: a?.address });
    addresses.add(key);
  });
}

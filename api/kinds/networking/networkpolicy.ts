// networking.k8s.io/v1 NetworkPolicy: stored, validated and served as Kubernetes does; not
// enforced (kubette's proxy implements Services, not a network plugin).
import { objectItems } from '../../codec/values.js';
import { isStrictSubPrefix, parseIPPrefix } from '../../ip.js';
import { labelSelectorToString } from '../../labels.js';
import type { Unstructured } from '../../types/meta.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { hasInvalidSelectorValue, validateLabelSelector, type LabelSelectorOptions } from '../../validation/label-selector.js';
import { ianaSvcName, portNumber } from '../../validation/names.js';
import { ageCol, col, nameCol } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import type { KindModule } from '../kind.js';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const POLICY_TYPES = ['Ingress', 'Egress'];

function validatePort(p: Unstructured, f: string, errs: FieldErrors): void {
  if (p.protocol !== undefined && p.protocol !== null && !PROTOCOLS.includes(p.protocol)) errs.notSupported(`${f}.protocol`, p.protocol, PROTOCOLS);
  const hasEnd = p.endPort !== undefined && p.endPort !== null;
  if (p.port === undefined || p.port === null) {
    if (hasEnd) errs.invalid(`${f}.endPort`, p.endPort, 'may not be specified when `port` is not specified');
  } else if (typeof p.port === 'number') {
    errs.format(`${f}.port`, String(p.port), portNumber(p.port));
    if (hasEnd) {
      if (typeof p.endPort === 'number' && p.endPort < p.port) errs.invalid(`${f}.endPort`, p.port, 'must be greater than or equal to `port`');
      errs.format(`${f}.endPort`, String(p.endPort), portNumber(p.endPort));
    }
  } else {
    if (hasEnd) errs.invalid(`${f}.endPort`, p.endPort, 'may not be specified when `port` is non-numeric');
    errs.format(`${f}.port`, String(p.port), ianaSvcName(String(p.port)));
  }
}

function validateIPBlock(block: Unstructured, f: string, errs: FieldErrors): void {
  const cidr = typeof block.cidr === 'string' ? block.cidr : '';
  if (!cidr) return errs.required(`${f}.cidr`);
  const outer = parseIPPrefix(cidr);
  if (!outer) return errs.invalid(`${f}.cidr`, cidr, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)');
  for (const [i, text] of (Array.isArray(block.except) ? block.except : []).entries()) {
    const inner = parseIPPrefix(String(text));
    if (!inner) return errs.invalid(`${f}.except[${i}]`, text, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)');
    if (!isStrictSubPrefix(inner, outer)) errs.invalid(`${f}.except[${i}]`, text, 'must be a strict subset of `cidr`');
  }
}

function validatePeer(peer: Unstructured, f: string, errs: FieldErrors, opts: LabelSelectorOptions): void {
  let peers = 0;
  for (const key of ['podSelector', 'namespaceSelector']) {
    if (peer[key] === undefined || peer[key] === null) continue;
    peers++;
    validateLabelSelector(peer[key], `${f}.${key}`, errs, opts);
  }
  const block = peer.ipBlock;
  if (block !== undefined && block !== null) {
    peers++;
    validateIPBlock(block, `${f}.ipBlock`, errs);
  }
  if (peers === 0) errs.required(f, 'must specify a peer');
  else if (peers > 1 && block) errs.forbidden(f, 'may not specify both ipBlock and another peer');
}

function selectorsOf(spec: Unstructured | undefined): unknown[] {
  const out: unknown[] = [spec?.podSelector];
  for (const [rules, peers] of [['ingress', 'from'], ['egress', 'to']] as const) {
    for (const r of objectItems(spec?.[rules])) for (const p of objectItems(r[peers])) out.push(p.podSelector, p.namespaceSelector);
  }
  return out;
}

function validateSpec(spec: Unstructured, prevSpec: Unstructured | undefined, errs: FieldErrors): void {
  const opts = { allowInvalidValues: prevSpec !== undefined && hasInvalidSelectorValue(selectorsOf(prevSpec)) };
  validateLabelSelector(spec.podSelector, 'spec.podSelector', errs, opts);
  for (const [rules, peers] of [['ingress', 'from'], ['egress', 'to']] as const) {
    objectItems(spec[rules]).forEach((rule, i) => {
      const rf = `spec.${rules}[${i}]`;
      objectItems(rule.ports).forEach((p, j) => validatePort(p, `${rf}.ports[${j}]`, errs));
      objectItems(rule[peers]).forEach((p, j) => validatePeer(p, `${rf}.${peers}[${j}]`, errs, opts));
    });
  }
  const types: unknown[] = Array.isArray(spec.policyTypes) ? spec.policyTypes : [];
  if (types.length > POLICY_TYPES.length) return errs.invalid('spec.policyTypes', types, 'may not specify more than two policyTypes');
  types.forEach((t, i) => {
    if (!POLICY_TYPES.includes(t as string)) errs.notSupported(`spec.policyTypes[${i}]`, t, POLICY_TYPES);
  });
}

export const networkPolicy: KindModule = {
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'NetworkPolicy',
  plural: 'networkpolicies',
  generation: true,
  shortNames: ['netpol'],
  schema: schemaFromProtobuf('networking.k8s.io/v1', 'NetworkPolicy'),
  columns: [nameCol, col('Pod-Selector', (o) => labelSelectorToString(o.spec?.podSelector) || '<none>'), ageCol],
  validate: (o, errs, prev) => validateSpec((o.spec ?? {}) as Unstructured, prev?.spec as Unstructured | undefined, errs),
};

// Endpoints and EndpointSlice rules, as Kubernetes checks them: addresses that are IPs of the
// slice's family and not special (unspecified, link-local: the cloud's metadata endpoint),
// hostnames, node names and ports. Unlike Kubernetes, loopback addresses are allowed: kubette's
// nodes share one host, so node IPs (127.0.0.1) and simulated pods' IPs (127.64.0.0/10) are
// loopback; the apiserver's proxy refuses them itself (isProxyableIP).
import { objectItems } from '../codec/values.js';
import { ipBytes } from '../ip.js';
import type { KubeObject, Unstructured } from '../types/meta.js';
import type { FieldErrors } from './field-errors.js';
import { dns1123Label, dns1123Subdomain, labelValue, portNumber, qualifiedName } from './names.js';
import { specialIPProblem } from './special-ip.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const MAX_SLICE_ENDPOINTS = 1000;
const MAX_SLICE_ADDRESSES = 100;
const MAX_SLICE_PORTS = 100;

function validateEndpointIP(ip: unknown, f: string, errs: FieldErrors, family?: 4 | 16): void {
  const b = typeof ip === 'string' ? ipBytes(ip) : undefined;
  if (!b) return errs.invalid(f, ip ?? '', family === 4 ? 'must be a valid IPv4 address' : family === 16 ? 'must be a valid IPv6 address' : 'must be a valid IP address');
  if (family && b.length !== family) return errs.invalid(f, ip, family === 4 ? 'must be a valid IPv4 address' : 'must be a valid IPv6 address');
  // Loopback is allowed (see above).
  const problem = specialIPProblem(ip as string, b, true);
  if (problem) errs.invalid(f, ip, problem);
}

function validatePort(p: Unstructured, f: string, errs: FieldErrors, nameRequired: boolean): void {
  if (nameRequired && !p.name) errs.required(`${f}.name`);
  else if (p.name) errs.format(`${f}.name`, String(p.name), dns1123Label(String(p.name)));
  errs.format(`${f}.port`, String(p.port), portNumber(p.port));
  if (!p.protocol) errs.required(`${f}.protocol`);
  else if (!PROTOCOLS.includes(p.protocol)) errs.notSupported(`${f}.protocol`, p.protocol, PROTOCOLS);
  validateAppProtocol(p, f, errs);
}

function validateAppProtocol(p: Unstructured, f: string, errs: FieldErrors): void {
  if (typeof p.appProtocol === 'string') errs.format(`${f}.appProtocol`, p.appProtocol, qualifiedName(p.appProtocol));
}

/** The most zones an endpoint may be hinted for. */
const MAX_HINT_ZONES = 8;

/** An endpoint's zone and the zones it is hinted for: label values, each zone once. */
function validateZones(e: Unstructured, f: string, errs: FieldErrors): void {
  if (typeof e.zone === 'string') errs.format(`${f}.zone`, e.zone, labelValue(e.zone));
  const zones = objectItems(e.hints?.forZones);
  if (zones.length > MAX_HINT_ZONES) errs.tooMany(`${f}.hints.forZones`, zones.length, MAX_HINT_ZONES);
  const seen = new Set<unknown>();
  zones.forEach((z, k) => {
    const zf = `${f}.hints.forZones[${k}].name`;
    if (seen.has(z.name)) errs.duplicate(zf, z.name);
    seen.add(z.name);
    errs.format(zf, String(z.name ?? ''), labelValue(String(z.name ?? '')));
  });
}

export function validateEndpoints(o: KubeObject, errs: FieldErrors): void {
  objectItems(o.subsets).forEach((s, i) => {
    const f = `subsets[${i}]`;
    if (!objectItems(s.addresses).length && !objectItems(s.notReadyAddresses).length) errs.required(f, 'must specify `addresses` or `notReadyAddresses`');
    for (const list of ['addresses', 'notReadyAddresses']) {
      objectItems(s[list]).forEach((a, j) => {
        const af = `${f}.${list}[${j}]`;
        validateEndpointIP(a.ip, `${af}.ip`, errs);
        if (a.hostname) errs.format(`${af}.hostname`, String(a.hostname), dns1123Label(String(a.hostname)));
        if (a.nodeName) errs.format(`${af}.nodeName`, String(a.nodeName), dns1123Subdomain(String(a.nodeName)));
      });
    }
    const ports = objectItems(s.ports);
    ports.forEach((p, j) => validatePort(p, `${f}.ports[${j}]`, errs, ports.length > 1));
  });
}

export function validateEndpointSlice(o: KubeObject, errs: FieldErrors): void {
  const type = o.addressType;
  if (!type) errs.required('addressType');
  else if (!ADDRESS_TYPES.includes(type as string)) errs.notSupported('addressType', type, ADDRESS_TYPES);
  const endpoints = objectItems(o.endpoints);
  if (endpoints.length > MAX_SLICE_ENDPOINTS) errs.tooMany('endpoints', endpoints.length, MAX_SLICE_ENDPOINTS);
  endpoints.forEach((e, i) => {
    const f = `endpoints[${i}]`;
    const addresses: unknown[] = Array.isArray(e.addresses) ? e.addresses : [];
    if (addresses.length === 0) errs.required(`${f}.addresses`, 'must contain at least 1 address');
    else if (addresses.length > MAX_SLICE_ADDRESSES) errs.tooMany(`${f}.addresses`, addresses.length, MAX_SLICE_ADDRESSES);
    addresses.forEach((a, j) => {
      const af = `${f}.addresses[${j}]`;
      if (type === 'IPv4' || type === 'IPv6') validateEndpointIP(a, af, errs, type === 'IPv4' ? 4 : 16);
      else if (type === 'FQDN') errs.format(af, String(a), dns1123Subdomain(String(a)));
    });
    if (e.hostname) errs.format(`${f}.hostname`, String(e.hostname), dns1123Label(String(e.hostname)));
    if (e.nodeName) errs.format(`${f}.nodeName`, String(e.nodeName), dns1123Subdomain(String(e.nodeName)));
    validateZones(e, f, errs);
  });
  const ports = objectItems(o.ports);
  if (ports.length > MAX_SLICE_PORTS) errs.tooMany('ports', ports.length, MAX_SLICE_PORTS);
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const f = `ports[${i}]`;
    const name = typeof p.name === 'string' ? p.name : '';
    if (name) errs.format(`${f}.name`, name, dns1123Label(name));
    if (names.has(name)) errs.duplicate(`${f}.name`, name);
    names.add(name);
    if (p.port !== undefined && p.port !== null) errs.format(`${f}.port`, String(p.port), portNumber(p.port));
    if (!p.protocol) errs.required(`${f}.protocol`);
    else if (!PROTOCOLS.includes(p.protocol)) errs.notSupported(`${f}.protocol`, p.protocol, PROTOCOLS);
    validateAppProtocol(p, f, errs);
  });
}

export function validateEndpointSliceUpdate(next: KubeObject, prev: KubeObject, errs: FieldErrors): void {
  if (next.addressType !== prev.addressType) errs.invalid('addressType', next.addressType ?? '', 'field is immutable');
}

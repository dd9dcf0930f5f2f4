// Ingress and IngressClass rules, as Kubernetes checks them: rules or a default backend, hosts
// that are DNS names (a leading wildcard allowed, never an IP), absolute paths without traversal
// for Exact and Prefix, backends naming a service port or a resource, and class names.
import { objectItems } from '../codec/values.js';
import { ipBytes } from '../ip.js';
import type { KubeObject, Unstructured } from '../types/meta.js';
import type { FieldErrors } from './field-errors.js';
import { dns1123Label, dns1123Subdomain, dns1035Label, ianaSvcName, portNumber } from './names.js';
import { immutable } from './workloads.js';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const BAD_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const BAD_SUFFIXES = ['/..', '/.'];
const CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
const MAX_CONTROLLER = 250;

/** A host name, or one starting with a "*." wildcard label. */
function hostProblems(host: string): string[] {
  if (!host.includes('*')) return dns1123Subdomain(host);
  if (!host.startsWith('*.') || host.slice(2).includes('*')) {
    return ["a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"];
  }
  return dns1123Subdomain(host.slice(2));
}

function validateBackend(b: Unstructured, f: string, errs: FieldErrors): void {
  const service = b.service as Unstructured | undefined;
  const resource = b.resource as Unstructured | undefined;
  if (service && resource) return errs.invalid(f, '', 'cannot set both resource and service backends');
  if (resource) {
    if (!resource.kind) errs.required(`${f}.resource.kind`);
    if (!resource.name) errs.required(`${f}.resource.name`);
    if (resource.apiGroup) errs.format(`${f}.resource.apiGroup`, String(resource.apiGroup), dns1123Subdomain(String(resource.apiGroup)));
    return;
  }
  if (!service) return errs.invalid(f, '', 'resource or service backend is required');
  if (!service.name) errs.required(`${f}.service.name`);
  else errs.format(`${f}.service.name`, String(service.name), dns1035Label(String(service.name)));
  const port = (service.port ?? {}) as Unstructured;
  const hasName = typeof port.name === 'string' && port.name !== '';
  const hasNumber = port.number !== undefined && port.number !== null && port.number !== 0;
  if (hasName && hasNumber) errs.invalid(f, '', 'cannot set both port name & port number');
  else if (hasName) errs.format(`${f}.service.port.name`, port.name, ianaSvcName(port.name));
  else if (hasNumber) errs.format(`${f}.service.port.number`, String(port.number), portNumber(port.number));
  else errs.required(f, 'port name or number is required');
}

function validatePath(p: Unstructured, f: string, errs: FieldErrors): void {
  const path = typeof p.path === 'string' ? p.path : '';
  if (!p.pathType) errs.required(`${f}.pathType`, 'pathType must be specified');
  else if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
    if (!path.startsWith('/')) errs.invalid(`${f}.path`, path, 'must be an absolute path');
    for (const seq of BAD_SEQUENCES) if (path.includes(seq)) errs.invalid(`${f}.path`, path, `must not contain '${seq}'`);
    for (const suffix of BAD_SUFFIXES) if (path.endsWith(suffix)) errs.invalid(`${f}.path`, path, `cannot end with '${suffix}'`);
  } else if (p.pathType === 'ImplementationSpecific') {
    if (path && !path.startsWith('/')) errs.invalid(`${f}.path`, path, 'must be an absolute path');
  } else {
    errs.notSupported(`${f}.pathType`, p.pathType, PATH_TYPES);
  }
  validateBackend((p.backend ?? {}) as Unstructured, `${f}.backend`, errs);
}

export function validateIngress(o: KubeObject, errs: FieldErrors, prev?: KubeObject): void {
  const spec = (o.spec ?? {}) as Unstructured;
  const rules = objectItems(spec.rules);
  if (!rules.length && !spec.defaultBackend) errs.invalid('spec', spec.rules ?? null, 'either `defaultBackend` or `rules` must be specified');
  if (spec.defaultBackend) validateBackend(spec.defaultBackend, 'spec.defaultBackend', errs);
  rules.forEach((r, i) => {
    const f = `spec.rules[${i}]`;
    const host = typeof r.host === 'string' ? r.host : '';
    if (host) {
      if (ipBytes(host)) errs.invalid(`${f}.host`, host, 'must be a DNS name, not an IP address');
      errs.format(`${f}.host`, host, hostProblems(host));
    }
    if (r.http) {
      const paths = objectItems(r.http.paths);
      if (!paths.length) errs.required(`${f}.http.paths`);
      paths.forEach((p, j) => validatePath(p, `${f}.http.paths[${j}]`, errs));
    }
  });
  objectItems(spec.tls).forEach((t, i) => {
    (Array.isArray(t.hosts) ? t.hosts : []).forEach((h: unknown, j: number) => errs.format(`spec.tls[${i}].hosts[${j}]`, String(h), hostProblems(String(h))));
  });
  if (typeof spec.ingressClassName === 'string') errs.format('spec.ingressClassName', spec.ingressClassName, dns1123Subdomain(spec.ingressClassName));
  const annotation = o.metadata.annotations?.[CLASS_ANNOTATION];
  if (!prev && annotation !== undefined && spec.ingressClassName) errs.invalid(`annotations.${CLASS_ANNOTATION}`, annotation, 'can not be set when the class field is also set');
}

/** "domain/path", as an IngressClass's controller is named. */
function domainPrefixedPath(value: string): string[] {
  const slash = value.indexOf('/');
  if (slash < 0) return ['must be a domain-prefixed path (such as "acme.io/foo")'];
  const problems = dns1123Subdomain(value.slice(0, slash));
  const path = value.slice(slash + 1);
  if (!/^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/.test(path)) problems.push(`Invalid path: ${JSON.stringify(path)}`);
  return problems;
}

export function validateIngressClass(o: KubeObject, errs: FieldErrors): void {
  const spec = (o.spec ?? {}) as Unstructured;
  const controller = typeof spec.controller === 'string' ? spec.controller : '';
  if (controller.length > MAX_CONTROLLER) errs.tooLong('spec.controller', MAX_CONTROLLER);
  else errs.format('spec.controller', controller, domainPrefixedPath(controller));
  const params = spec.parameters as Unstructured | undefined;
  if (!params || typeof params !== 'object') return;
  const f = 'spec.parameters';
  if (!params.kind) errs.required(`${f}.kind`);
  if (!params.name) errs.required(`${f}.name`);
  if (params.apiGroup) errs.format(`${f}.apiGroup`, String(params.apiGroup), dns1123Subdomain(String(params.apiGroup)));
  if (params.scope === undefined || params.scope === null) {
    if (params.namespace) errs.required(`${f}.scope`, '`parameters.scope` is required when `parameters.namespace` is set');
  } else if (params.scope === 'Namespace') {
    if (!params.namespace) errs.required(`${f}.namespace`, '`parameters.scope` is set to "Namespace"');
    else errs.format(`${f}.namespace`, String(params.namespace), dns1123Label(String(params.namespace)));
  } else if (params.scope === 'Cluster') {
    if (params.namespace) errs.forbidden(`${f}.namespace`, '`parameter.scope` is set to "Cluster"');
  } else {
    errs.notSupported(`${f}.scope`, params.scope, ['Cluster', 'Namespace']);
  }
}

export function validateIngressClassUpdate(next: KubeObject, prev: KubeObject, errs: FieldErrors): void {
  immutable(next.spec?.controller, prev.spec?.controller, 'spec.controller', errs);
}

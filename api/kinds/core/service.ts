// v1 Service: a stable address for a set of pods. Cluster IPs and node ports are allocated by
// the apiserver (apiserver/registry/service-allocator.ts); a Service changed away from
// NodePort/LoadBalancer drops the node ports it still carries (they are freed), as Kubernetes
// does, rather than failing validation on them.
import { clone } from '../../codec/values.js';
import { setIfMissing } from '../../defaulting.js';
import { ageCol, col, mapSelector, nameCol, none, wide } from '../../printers.js';
import { bool, int32, intOrString, list, obj, open, str, stringMap, strings } from '../../schema/dsl.js';
import { conditions, kind } from '../../schema/meta.js';
import type { KubeObject, Unstructured } from '../../types/meta.js';
import { validateLabels } from '../../validation/object-meta.js';
import { ipBytes, parseIPPrefix } from '../../ip.js';
import { INVALID_IP, specialIPProblem } from '../../validation/special-ip.js';
import { dns1123Label, dns1123Subdomain, ianaSvcName, qualifiedName } from '../../validation/names.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { bumpGenerationOnSpecChange, withStatus } from '../strategy.js';
import { ALL, ALL_VERBS, proxyOf, statusOf, type KindModule } from '../kind.js';

const serviceSpec = obj({
  ports: list(obj({ name: str, protocol: str, appProtocol: str, port: int32, targetPort: intOrString, nodePort: int32 }), 'port'),
  selector: stringMap,
  clusterIP: str,
  clusterIPs: strings,
  type: str,
  externalIPs: strings,
  sessionAffinity: str,
  loadBalancerIP: str,
  loadBalancerSourceRanges: strings,
  externalName: str,
  externalTrafficPolicy: str,
  healthCheckNodePort: int32,
  publishNotReadyAddresses: bool,
  sessionAffinityConfig: open(),
  ipFamilies: strings,
  ipFamilyPolicy: str,
  allocateLoadBalancerNodePorts: bool,
  loadBalancerClass: str,
  internalTrafficPolicy: str,
  trafficDistribution: str,
});

function servicePorts(o: KubeObject): string {
  const ports: any[] = o.spec?.ports ?? [];
  if (ports.length === 0) return '<none>';
  return ports
    .map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`))
    .join(',');
}

function serviceExternalIP(o: KubeObject): string {
  const type = o.spec?.type ?? 'ClusterIP';
  const external: string[] = o.spec?.externalIPs ?? [];
  if (type === 'ExternalName') return o.spec?.externalName ?? '<none>';
  if (type === 'LoadBalancer') {
    const ingress: any[] = o.status?.loadBalancer?.ingress ?? [];
    const ips = [...ingress.map((i) => i.ip || i.hostname).filter(Boolean), ...external];
    return ips.length ? ips.join(',') : '<pending>';
  }
  return external.length ? external.join(',') : '<none>';
}

const usesNodePorts = (type: string | undefined) => type === 'NodePort' || type === 'LoadBalancer';

function validateService(o: KubeObject, errs: FieldErrors): void {
  const spec = o.spec ?? {};
  const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
  const type = spec.type ?? 'ClusterIP';
  if (!TYPES.includes(type)) errs.notSupported('spec.type', type, TYPES);
  if (spec.sessionAffinity && !['None', 'ClientIP'].includes(spec.sessionAffinity)) errs.notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']);
  const ports: Unstructured[] = spec.ports ?? [];
  const headless = spec.clusterIP === 'None';
  if (type === 'ExternalName') {
    if (!spec.externalName) errs.required('spec.externalName');
  } else if (ports.length === 0 && !headless) {
    errs.required('spec.ports');
  }
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const f = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) errs.required(`${f}.name`);
    if (p.name) {
      // Endpoints and EndpointSlices carry the name: one they would refuse must not get this far.
      errs.format(`${f}.name`, String(p.name), dns1123Label(String(p.name)));
      if (names.has(p.name)) errs.duplicate(`${f}.name`, p.name);
      names.add(p.name);
    }
    if (typeof p.port !== 'number' || p.port < 1 || p.port > 65535) errs.invalid(`${f}.port`, p.port, 'must be between 1 and 65535, inclusive');
    if (p.protocol && !['SCTP', 'TCP', 'UDP'].includes(p.protocol)) errs.notSupported(`${f}.protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']);
    const key = `${p.port}/${p.protocol ?? 'TCP'}`;
    if (seen.has(key)) errs.duplicate(f, { port: p.port, protocol: p.protocol ?? 'TCP' });
    seen.add(key);
    if (typeof p.targetPort === 'number' && (p.targetPort < 1 || p.targetPort > 65535)) {
      errs.invalid(`${f}.targetPort`, p.targetPort, 'must be between 1 and 65535, inclusive');
    } else if (typeof p.targetPort === 'string') {
      errs.format(`${f}.targetPort`, p.targetPort, ianaSvcName(p.targetPort));
    }
    if (p.nodePort !== undefined && type === 'ClusterIP') errs.forbidden(`${f}.nodePort`, 'may not be used when `type` is \'ClusterIP\'');
  });
  validateLabels(spec.selector, 'spec.selector', errs);
  validateTrafficPolicies(spec, errs);
  validateAddressing(spec, type, errs);
}

const FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const FAMILIES = ['IPv4', 'IPv6'];
/** The longest a client may stay with one endpoint: a day. */
const MAX_AFFINITY_SECONDS = 86400;

/**
 * What a Service's traffic is addressed by, as Kubernetes checks it: an external name that is a
 * DNS name, external IPs that are routable addresses, source ranges that are CIDRs, IP families
 * and policies Kubernetes knows, application protocols as qualified names, and a ClientIP
 * affinity of at most a day. The proxy programs these values as they are.
 */
function validateAddressing(spec: Unstructured, type: string, errs: FieldErrors): void {
  if (type === 'ExternalName' && typeof spec.externalName === 'string' && spec.externalName) {
    const cname = spec.externalName.replace(/\.$/, '');
    if (!cname) errs.required('spec.externalName');
    else errs.format('spec.externalName', cname, dns1123Subdomain(cname));
  }
  (Array.isArray(spec.externalIPs) ? spec.externalIPs : []).forEach((ip: unknown, i: number) => {
    const f = `spec.externalIPs[${i}]`;
    const bytes = typeof ip === 'string' ? ipBytes(ip) : undefined;
    if (!bytes) return errs.invalid(f, ip, INVALID_IP);
    const problem = specialIPProblem(ip as string, bytes);
    if (problem) errs.invalid(f, ip, problem);
  });
  const ranges: unknown[] = Array.isArray(spec.loadBalancerSourceRanges) ? spec.loadBalancerSourceRanges : [];
  if (ranges.length && type !== 'LoadBalancer') errs.forbidden('spec.loadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'");
  ranges.forEach((r, i) => {
    if (typeof r !== 'string' || !parseIPPrefix(r.trim())) errs.invalid(`spec.loadBalancerSourceRanges[${i}]`, r, 'must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24 ');
  });
  const policy = spec.ipFamilyPolicy;
  if (policy !== undefined && policy !== null && !FAMILY_POLICIES.includes(policy)) errs.notSupported('spec.ipFamilyPolicy', policy, FAMILY_POLICIES);
  const families: unknown[] = Array.isArray(spec.ipFamilies) ? spec.ipFamilies : [];
  const seen = new Set<unknown>();
  families.forEach((family, i) => {
    if (!FAMILIES.includes(family as string)) errs.notSupported(`spec.ipFamilies[${i}]`, family, FAMILIES);
    else if (seen.has(family)) errs.duplicate(`spec.ipFamilies[${i}]`, family);
    seen.add(family);
  });
  if (families.length > 2) errs.invalid('spec.ipFamilies', families, 'may specify no more than one IP for each IP family, i.e 1 IP for IPv4, 1 for IPv6');
  else if (families.length === 2 && policy === 'SingleStack') errs.invalid('spec.ipFamilies', families, 'when spec.ipFamilyPolicy is SingleStack, may specify only one IP family');
  (Array.isArray(spec.ports) ? spec.ports : []).forEach((p: Unstructured, i: number) => {
    if (typeof p?.appProtocol === 'string') errs.format(`spec.ports[${i}].appProtocol`, p.appProtocol, qualifiedName(p.appProtocol));
  });
  const config = spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const timeout = config?.clientIP?.timeoutSeconds;
    if (!(typeof timeout === 'number' && timeout > 0 && timeout <= MAX_AFFINITY_SECONDS)) {
      errs.invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout ?? null, `must be greater than 0 and less than ${MAX_AFFINITY_SECONDS}`);
    }
  } else if (config !== undefined && config !== null && (spec.sessionAffinity ?? 'None') === 'None') {
    errs.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None');
  }
}

/** Reached from outside the cluster: node ports, load balancers, external IPs. */
export const externallyAccessible = (spec: Unstructured): boolean => usesNodePorts(spec.type) || ((spec.type ?? 'ClusterIP') === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0);

/** A load balancer that sends traffic only to nodes with endpoints asks the node's proxy which those are. */
export const needsHealthCheckNodePort = (spec: Unstructured | undefined): boolean => spec?.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';

const TRAFFIC_POLICIES = ['Cluster', 'Local'];

function validateTrafficPolicies(spec: Unstructured, errs: FieldErrors): void {
  const external = spec.externalTrafficPolicy;
  if (external !== undefined && external !== '') {
    if (!externallyAccessible(spec)) errs.invalid('spec.externalTrafficPolicy', external, 'may only be set for externally-accessible services');
    else if (!TRAFFIC_POLICIES.includes(external)) errs.notSupported('spec.externalTrafficPolicy', external, TRAFFIC_POLICIES);
  }
  const internal = spec.internalTrafficPolicy;
  if (internal !== undefined && internal !== '' && !TRAFFIC_POLICIES.includes(internal)) errs.notSupported('spec.internalTrafficPolicy', internal, TRAFFIC_POLICIES);
  const check = spec.healthCheckNodePort;
  if (check !== undefined && check !== 0) {
    if (!needsHealthCheckNodePort(spec)) errs.invalid('spec.healthCheckNodePort', check, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'");
    else if (typeof check !== 'number' || check < 1 || check > 65535) errs.invalid('spec.healthCheckNodePort', check, 'must be between 1 and 65535, inclusive');
  }
}

export const service: KindModule = {
  group: '',
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  shortNames: ['svc'],
  categories: ALL,
  verbs: ALL_VERBS,
  subresources: [proxyOf('ServiceProxyOptions'), statusOf('Service')],
  schema: kind({ spec: serviceSpec, status: open({ conditions }) }),
  columns: [
    nameCol,
    col('Type', (o) => o.spec?.type ?? 'ClusterIP', { description: 'type determines how the Service is exposed.' }),
    col('Cluster-IP', (o) => none(o.spec?.clusterIP), { description: 'clusterIP is the IP address of the service.' }),
    col('External-IP', serviceExternalIP, { description: 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.' }),
    col('Port(s)', servicePorts, { description: 'The list of ports that are exposed by this service.' }),
    ageCol,
    col('Selector', (o) => mapSelector(o.spec?.selector), { ...wide, description: 'Route service traffic to pods with label keys and values matching this selector.' }),
  ],
  nameRule: 'dns1035',
  defaults(o) {
    const spec = o.spec ?? (o.spec = {});
    if (o.status && typeof o.status === 'object') setIfMissing(o.status, 'loadBalancer', {});
    setIfMissing(spec, 'type', 'ClusterIP');
    setIfMissing(spec, 'sessionAffinity', 'None');
    for (const p of spec.ports ?? []) {
      setIfMissing(p, 'protocol', 'TCP');
      setIfMissing(p, 'targetPort', p.port);
    }
    if (spec.type !== 'ExternalName') setIfMissing(spec, 'internalTrafficPolicy', 'Cluster');
    if (externallyAccessible(spec)) setIfMissing(spec, 'externalTrafficPolicy', 'Cluster');
    if (spec.type === 'LoadBalancer') setIfMissing(spec, 'allocateLoadBalancerNodePorts', true);
    if (spec.sessionAffinity === 'ClientIP') {
      setIfMissing(spec, 'sessionAffinityConfig', {});
      setIfMissing(spec.sessionAffinityConfig, 'clientIP', {});
      setIfMissing(spec.sessionAffinityConfig.clientIP, 'timeoutSeconds', 10800);
    }
  },
  validate: validateService,
  strategy: withStatus({
    returnDeletedObject: true,
    prepareForCreate(o) {
      o.metadata.generation = 1;
      // Kubernetes' ServiceStatus always carries its (possibly empty) loadBalancer.
      o.status = { loadBalancer: {} };
    },
    prepareForUpdate(next, prev) {
      if (prev.status !== undefined) next.status = clone(prev.status);
      else delete next.status;
      if (usesNodePorts(prev.spec?.type) && !usesNodePorts(next.spec?.type)) {
        for (const p of (next.spec?.ports ?? []) as Array<Record<string, unknown>>) {
          const was = ((prev.spec?.ports ?? []) as Array<Record<string, unknown>>).find((o) => o.nodePort === p.nodePort);
          if (was) delete p.nodePort;
        }
      }
      // Likewise a traffic policy or health check port the new type does not take, left as it was.
      if (prev.spec && next.spec && externallyAccessible(prev.spec) && !externallyAccessible(next.spec) && next.spec.externalTrafficPolicy === prev.spec.externalTrafficPolicy) delete next.spec.externalTrafficPolicy;
      if (needsHealthCheckNodePort(prev.spec) && !needsHealthCheckNodePort(next.spec) && next.spec?.healthCheckNodePort === prev.spec?.healthCheckNodePort) delete next.spec?.healthCheckNodePort;
      if (next.spec?.type === 'ExternalName' && prev.spec?.type !== 'ExternalName' && next.spec.clusterIP === prev.spec?.clusterIP) {
        delete next.spec.clusterIP;
        delete next.spec.clusterIPs;
      }
      bumpGenerationOnSpecChange(next, prev);
    },
  }),
};

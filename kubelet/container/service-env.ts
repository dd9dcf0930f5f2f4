// The environment variables Kubernetes gives every container about Services (pure): for the
// `kubernetes` Service always, and with enableServiceLinks (the default) for every Service of
// the pod's namespace that has a cluster IP, the docker-links style variables
// (WEB_SERVICE_HOST, WEB_SERVICE_PORT, WEB_PORT=tcp://10.96.0.5:80, WEB_PORT_80_TCP_ADDR, ...).
import type { Service } from '../../api/types/core.js';
import type { Pod } from '../../api/types/pod.js';

const envName = (s: string) => s.toUpperCase().replace(/-/g, '_');

function varsFor(svc: Service): Array<[string, string]> {
  const ip = svc.spec?.clusterIP;
  if (!ip || ip === 'None') return [];
  const ports = svc.spec?.ports ?? [];
  if (!ports.length) return [];
  const name = envName(svc.metadata.name!);
  const out: Array<[string, string]> = [
    [`${name}_SERVICE_HOST`, ip],
    [`${name}_SERVICE_PORT`, String(ports[0]!.port)],
  ];
  for (const p of ports) if (p.name) out.push([`${name}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
  const first = ports[0]!;
  out.push([`${name}_PORT`, `${String(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${first.port}`]);
  for (const p of ports) {
    const proto = String(p.protocol ?? 'TCP');
    const prefix = `${name}_PORT_${p.port}_${proto}`;
    out.push([prefix, `${proto.toLowerCase()}://${ip}:${p.port}`], [`${prefix}_PROTO`, proto.toLowerCase()], [`${prefix}_PORT`, String(p.port)], [`${prefix}_ADDR`, ip]);
  }
  return out;
}

export function serviceEnv(pod: Pod, services: Service[]): Array<[string, string]> {
  const ns = pod.metadata.namespace;
  const links = pod.spec.enableServiceLinks !== false;
  const chosen = new Map<string, Service>();
  for (const svc of services) {
    if (svc.spec?.type === 'ExternalName') continue;
    if (svc.metadata.namespace === 'default' && svc.metadata.name === 'kubernetes') chosen.set('kubernetes', svc);
    else if (links && svc.metadata.namespace === ns) chosen.set(svc.metadata.name!, svc);
  }
  // The pod's own namespace wins over default's `kubernetes` only when it has one of its own.
  return [...chosen.values()].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1)).flatMap(varsFor);
}

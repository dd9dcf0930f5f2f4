// The runtime configs of a pod's sandbox and of each of its containers (pure): hostname, DNS,
// host ports, aliases, namespaces shared with the node and sysctls for the sandbox; command, env, mounts and cgroup resources for a
// container, as Kubernetes' kubelet derives them from the pod spec.
import { milliValue, parseQuantity } from '../../api/quantity.js';
import type { Container, Pod } from '../../api/types/pod.js';
import { containerHash, LABEL_CONTAINER_NAME, LABEL_HASH, LABEL_KIND, podLabels } from '../pod/observed.js';
import type { ContainerConfig, ContainerSecurity, DNSConfig, Mount, PodSandboxConfig, PortMapping } from '../runtime/runtime.js';
import { podSysctls } from './security.js';

export interface NodeSettings {
  nodeName: string;
  /** The cluster DNS service's address, for pods with dnsPolicy ClusterFirst. */
  clusterDNS: string[];
  clusterDomain: string;
}

/** The sandbox's hostname: spec.hostname, else the pod name, cut to a DNS label. */
export function podHostname(pod: Pod): string {
  return (pod.spec.hostname || pod.metadata.name!).slice(0, 63).replace(/[.-]+$/, '');
}

/** The pod's domain under its subdomain (`sub.ns.svc.cluster.local`), or undefined without one. */
export function podHostDomain(pod: Pod, clusterDomain: string): string | undefined {
  const sub = pod.spec.subdomain;
  return sub ? `${sub}.${pod.metadata.namespace}.svc.${clusterDomain}` : undefined;
}

/** The kernel's hostname for the pod: its hostname, or its FQDN with setHostnameAsFQDN (64 characters at most, as Linux allows). */
export function podKernelHostname(pod: Pod, clusterDomain: string): string {
  const short = podHostname(pod);
  const domain = podHostDomain(pod, clusterDomain);
  if (!pod.spec.setHostnameAsFQDN || !domain) return short;
  const fqdn = `${short}.${domain}`;
  if (fqdn.length > 64) throw new Error(`failed to construct FQDN from pod hostname and cluster domain, FQDN ${fqdn} is too long (64 characters is the max, ${fqdn.length} characters requested)`);
  return fqdn;
}

/** The pod's resolver configuration; undefined means the node's own. */
export function podDNS(pod: Pod, node: NodeSettings): DNSConfig | undefined {
  const policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  const cfg = pod.spec.dnsConfig;
  const extraOptions = (cfg?.options ?? []).map((o) => (o.value !== undefined ? `${o.name}:${o.value}` : o.name));
  if (policy === 'None') return { servers: cfg?.nameservers ?? [], searches: cfg?.searches ?? [], options: extraOptions };
  const clusterFirst = policy === 'ClusterFirst' || (policy === 'ClusterFirstWithHostNet' && pod.spec.hostNetwork);
  if (clusterFirst && node.clusterDNS.length) {
    const ns = pod.metadata.namespace;
    const d = node.clusterDomain;
    return {
      servers: [...node.clusterDNS, ...(cfg?.nameservers ?? [])],
      searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...(cfg?.searches ?? [])],
      options: ['ndots:5', ...extraOptions],
    };
  }
  // "Default" (and ClusterFirst with no cluster DNS configured): the node's own resolver, plus dnsConfig.
  return cfg ? { servers: cfg.nameservers ?? [], searches: cfg.searches ?? [], options: extraOptions } : undefined;
}

/** `runtimeHandler`: the pod's RuntimeClass handler, if it names a class. */
export function sandboxConfig(pod: Pod, attempt: number, node: NodeSettings, runtimeHandler?: string): PodSandboxConfig {
  const portMappings: PortMapping[] = [];
  for (const c of pod.spec.containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      portMappings.push({ protocol: (p.protocol ?? 'TCP') as PortMapping['protocol'], containerPort: p.containerPort, hostPort: p.hostPort, ...(p.hostIP ? { hostIP: p.hostIP } : {}) });
    }
  }
  const aliases = (pod.spec.hostAliases as Array<{ ip: string; hostnames?: string[] }> | undefined) ?? [];
  return {
    metadata: { name: pod.metadata.name!, namespace: pod.metadata.namespace!, uid: pod.metadata.uid!, attempt },
    hostname: podKernelHostname(pod, node.clusterDomain),
    labels: podLabels(pod, node.nodeName),
    hostNetwork: !!pod.spec.hostNetwork,
    hostIPC: !!pod.spec.hostIPC,
    hostPID: !!pod.spec.hostPID,
    sysctls: podSysctls(pod),
    portMappings,
    dns: podDNS(pod, node),
    hostAliases: aliases.map((a) => ({ ip: a.ip, hostnames: a.hostnames ?? [] })),
    ...(runtimeHandler ? { runtimeHandler } : {}),
  };
}

export interface ContainerInputs {
  attempt: number;
  kind: 'init' | 'app' | 'ephemeral';
  /** The runtime id of the container whose process namespace an ephemeral container joins (its targetContainerName). */
  pidTarget?: string;
  /** NAME=value, in order (a later one wins). */
  env: string[];
  /** The env as a map, for $(VAR) in command and args. */
  vars: ReadonlyMap<string, string>;
  mounts: Mount[];
  expand: (s: string, vars: ReadonlyMap<string, string>) => string;
  /** How the container is confined (containerSecurity). */
  security: ContainerSecurity;
}

/** CFS period the CPU limit is expressed in (100 ms), as Kubernetes uses. */
const CPU_PERIOD_US = 100_000;

export function containerConfig(pod: Pod, c: Container, node: NodeSettings, inputs: ContainerInputs): ContainerConfig {
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  const memory = parseQuantity(limits.memory);
  const cpuLimit = milliValue(limits.cpu);
  const cpuRequest = milliValue(requests.cpu);
  return {
    metadata: { name: c.name, attempt: inputs.attempt },
    image: c.image,
    command: c.command?.map((s) => inputs.expand(s, inputs.vars)),
    args: c.args?.map((s) => inputs.expand(s, inputs.vars)),
    envs: inputs.env.map((e) => {
      const eq = e.indexOf('=');
      return { key: e.slice(0, eq), value: e.slice(eq + 1) };
    }),
    workingDir: c.workingDir,
    labels: {
      ...podLabels(pod, node.nodeName),
      [LABEL_KIND]: inputs.kind,
      [LABEL_CONTAINER_NAME]: c.name,
      [LABEL_HASH]: containerHash(c),
    },
    mounts: inputs.mounts,
    resources: {
      memoryLimitBytes: memory ? Math.floor(memory) : undefined,
      ...(cpuLimit ? { cpuPeriod: CPU_PERIOD_US, cpuQuota: Math.floor((cpuLimit * CPU_PERIOD_US) / 1000) } : {}),
      // Requests become relative weight (1 cpu = 1024 shares), with the kernel's minimum of 2.
      cpuShares: cpuRequest ? Math.max(2, Math.floor((cpuRequest * 1024) / 1000)) : undefined,
    },
    tty: !!c.tty,
    stdin: !!c.stdin,
    stdinOnce: !!c.stdin && !!c.stdinOnce,
    sharePid: !!pod.spec.shareProcessNamespace,
    ...(inputs.pidTarget ? { pidTarget: inputs.pidTarget } : {}),
    security: inputs.security,
  };
}

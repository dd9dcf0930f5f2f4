// Docker container specs for a pod's sandbox and its containers (pure).
import { milliValue, parseQuantity } from '../api/quantity.js';
import type { Container, Pod } from '../api/types/pod.js';
import { containerHash, dockerName, LABEL_ATTEMPT, LABEL_CONTAINER_NAME, LABEL_HASH, LABEL_KIND, LABEL_SANDBOX, podLabels } from './container-names.js';
import type { ContainerSpec } from './runtime/runtime.js';

export interface NodeSettings {
  nodeName: string;
  /** Docker network the pod sandboxes join. */
  podNetwork: string;
  pauseImage: string;
  /** The cluster DNS service's address, for pods with dnsPolicy ClusterFirst. */
  clusterDNS: string[];
  clusterDomain: string;
}

/** The sandbox's hostname: spec.hostname, else the pod name, cut to a DNS label. */
export function podHostname(pod: Pod): string {
  return (pod.spec.hostname || pod.metadata.name!).slice(0, 63).replace(/[.-]+$/, '');
}

function dnsSettings(pod: Pod, node: NodeSettings): Pick<ContainerSpec, 'dns' | 'dnsSearch' | 'dnsOptions'> {
  const policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  const cfg = pod.spec.dnsConfig;
  const extraOptions = (cfg?.options ?? []).map((o) => (o.value !== undefined ? `${o.name}:${o.value}` : o.name));
  if (policy === 'None') return { dns: cfg?.nameservers ?? [], dnsSearch: cfg?.searches ?? [], dnsOptions: extraOptions };
  const clusterFirst = policy === 'ClusterFirst' || (policy === 'ClusterFirstWithHostNet' && pod.spec.hostNetwork);
  if (clusterFirst && node.clusterDNS.length) {
    const ns = pod.metadata.namespace;
    const d = node.clusterDomain;
    return {
      dns: [...node.clusterDNS, ...(cfg?.nameservers ?? [])],
      dnsSearch: [`${ns}.svc.${d}`, `svc.${d}`, d, ...(cfg?.searches ?? [])],
      dnsOptions: ['ndots:5', ...extraOptions],
    };
  }
  // "Default" (and ClusterFirst with no cluster DNS configured): the node's own resolver.
  return cfg ? { dns: cfg.nameservers, dnsSearch: cfg.searches, dnsOptions: extraOptions } : {};
}

export function sandboxSpec(pod: Pod, attempt: number, node: NodeSettings): ContainerSpec {
  const portBindings: NonNullable<ContainerSpec['portBindings']> = {};
  for (const c of pod.spec.containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      const key = `${p.containerPort}/${(p.protocol ?? 'TCP').toLowerCase()}`;
      (portBindings[key] ??= []).push({ hostIP: p.hostIP, hostPort: String(p.hostPort) });
    }
  }
  const aliases = (pod.spec.hostAliases as Array<{ ip: string; hostnames?: string[] }> | undefined) ?? [];
  return {
    name: dockerName(pod, 'POD', attempt),
    image: node.pauseImage,
    labels: { ...podLabels(pod, node.nodeName), [LABEL_KIND]: 'sandbox', [LABEL_CONTAINER_NAME]: 'POD', [LABEL_ATTEMPT]: String(attempt) },
    hostname: podHostname(pod),
    networkMode: pod.spec.hostNetwork ? 'host' : node.podNetwork,
    ipcMode: 'shareable',
    portBindings: Object.keys(portBindings).length && !pod.spec.hostNetwork ? portBindings : undefined,
    extraHosts: aliases.flatMap((a) => (a.hostnames ?? []).map((h) => `${h}:${a.ip}`)),
    ...dnsSettings(pod, node),
  };
}

export interface ContainerInputs {
  sandboxId: string;
  attempt: number;
  kind: 'init' | 'app';
  env: string[];
  /** The env as a map, for $(VAR) in command and args. */
  vars: ReadonlyMap<string, string>;
  binds: string[];
  expand: (s: string, vars: ReadonlyMap<string, string>) => string;
}

export function containerSpec(pod: Pod, c: Container, node: NodeSettings, inputs: ContainerInputs): ContainerSpec {
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  const memory = parseQuantity(limits.memory);
  const cpuLimit = milliValue(limits.cpu);
  const cpuRequest = milliValue(requests.cpu);
  const shared = `container:${inputs.sandboxId}`;
  return {
    name: dockerName(pod, c.name, inputs.attempt),
    image: c.image,
    entrypoint: c.command?.map((s) => inputs.expand(s, inputs.vars)),
    command: c.args?.map((s) => inputs.expand(s, inputs.vars)),
    env: inputs.env,
    workingDir: c.workingDir,
    labels: {
      ...podLabels(pod, node.nodeName),
      [LABEL_KIND]: inputs.kind,
      [LABEL_CONTAINER_NAME]: c.name,
      [LABEL_ATTEMPT]: String(inputs.attempt),
      [LABEL_HASH]: containerHash(c),
      [LABEL_SANDBOX]: inputs.sandboxId,
    },
    networkMode: shared,
    ipcMode: shared,
    pidMode: pod.spec.shareProcessNamespace ? shared : undefined,
    binds: inputs.binds,
    memoryBytes: memory ? Math.floor(memory) : undefined,
    nanoCPUs: cpuLimit ? cpuLimit * 1e6 : undefined,
    // Requests become relative weight (1 cpu = 1024 shares), with the kernel's minimum of 2.
    cpuShares: cpuRequest ? Math.max(2, Math.floor((cpuRequest * 1024) / 1000)) : undefined,
    tty: c.tty,
    stdin: c.stdin,
  };
}

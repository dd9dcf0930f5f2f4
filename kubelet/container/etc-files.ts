// The /etc/hosts and /etc/resolv.conf a pod's containers see, written by the kubelet into the
// pod's directory and bind-mounted, as Kubernetes' kubelet (hosts) and CRI runtimes (resolver)
// make them: the hosts file names the pod by its hostname (and its FQDN under a subdomain) with
// its hostAliases after; the resolver lists the cluster DNS server itself, not Docker's embedded
// one that a container on a Docker network would otherwise be given.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Container, Pod } from '../../api/types/pod.js';
import type { DNSConfig, Mount } from '../runtime/runtime.js';
import { podHostDomain, podHostname } from './config.js';
import { podDir } from './volumes.js';

const HOSTS_HEADER = '# Kubernetes-managed hosts file.\n';
const HOSTS_HEADER_HOST_NETWORK = '# Kubernetes-managed hosts file (host network).\n';

type HostAlias = { ip: string; hostnames?: string[] };

function aliasEntries(aliases: HostAlias[]): string {
  if (!aliases.length) return '';
  return `\n# Entries added by HostAliases.\n${aliases.map((a) => `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`).join('')}`;
}

/** The hosts file of a pod with a network of its own. */
export function managedHostsContent(ips: string[], hostname: string, domain: string | undefined, aliases: HostAlias[]): string {
  let out = HOSTS_HEADER;
  out += '127.0.0.1\tlocalhost\n';
  out += '::1\tlocalhost ip6-localhost ip6-loopback\n';
  out += 'fe00::0\tip6-localnet\n';
  out += 'fe00::0\tip6-mcastprefix\n';
  out += 'fe00::1\tip6-allnodes\n';
  out += 'fe00::2\tip6-allrouters\n';
  for (const ip of ips) out += domain ? `${ip}\t${hostname}.${domain}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  return out + aliasEntries(aliases);
}

/** The hosts file of a pod on the node's network: the node's own, with the pod's aliases. */
export function hostNetworkHostsContent(nodeHosts: string, aliases: HostAlias[]): string {
  return HOSTS_HEADER_HOST_NETWORK + nodeHosts + aliasEntries(aliases);
}

/** A resolver configuration as CRI runtimes write it: search domains, servers, options. */
export function resolvConfContent(dns: DNSConfig): string {
  let out = '';
  if (dns.searches.length) out += `search ${dns.searches.join(' ')}\n`;
  for (const s of dns.servers) out += `nameserver ${s}\n`;
  if (dns.options.length) out += `options ${dns.options.join(' ')}\n`;
  return out;
}

async function writeShared(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o644 });
  await chmod(path, 0o644); // the umask may have taken bits off
}

/**
 * The mounts of /etc/hosts (once the pod has an address) and of /etc/resolv.conf (when the pod
 * has a resolver configuration of its own) for container `c`, their files written; a container
 * that mounts either path itself keeps its own.
 */
export async function etcMounts(rootDir: string, pod: Pod, c: Pick<Container, 'volumeMounts'>, opts: { podIPs: string[]; dns: DNSConfig | undefined; clusterDomain: string }): Promise<Mount[]> {
  const own = new Set((c.volumeMounts ?? []).map((m) => m.mountPath));
  const dir = podDir(rootDir, pod.metadata.uid!);
  const aliases = (pod.spec.hostAliases as HostAlias[] | undefined) ?? [];
  const mounts: Mount[] = [];
  await mkdir(dir, { recursive: true });
  if (opts.podIPs.length && !own.has('/etc/hosts')) {
    const content = pod.spec.hostNetwork
      ? hostNetworkHostsContent(await readFile('/etc/hosts', 'utf8').catch(() => ''), aliases)
      : managedHostsContent(opts.podIPs, podHostname(pod), podHostDomain(pod, opts.clusterDomain), aliases);
    const file = join(dir, 'etc-hosts');
    await writeShared(file, content);
    mounts.push({ hostPath: file, containerPath: '/etc/hosts', readonly: false });
  }
  if (opts.dns && !own.has('/etc/resolv.conf')) {
    const file = join(dir, 'resolv.conf');
    await writeShared(file, resolvConfContent(opts.dns));
    mounts.push({ hostPath: file, containerPath: '/etc/resolv.conf', readonly: false });
  }
  return mounts;
}

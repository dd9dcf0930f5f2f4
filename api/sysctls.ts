// Facts about kernel parameters (sysctls) shared by validation, PodSecurity and the kubelet:
// their two spellings, which namespace a pod shares them in, and the set safe for any pod.

/** "a/b/c" and "a.b.c" name the same sysctl. */
export function normalizeSysctl(name: string): string {
  return name.replace(/\//g, '.');
}

/** The kernel namespace a sysctl belongs to, for those a pod can share with its node. */
export function sysctlNamespace(name: string): 'net' | 'ipc' | undefined {
  const n = normalizeSysctl(name);
  if (n.startsWith('net.')) return 'net';
  if (/^kernel\.(shm|msg)/.test(n) || n === 'kernel.sem' || n.startsWith('fs.mqueue.')) return 'ipc';
  return undefined;
}

/** Sysctls any pod may set (namespaced, unable to hurt other pods or the node), by the Kubernetes minor that added them. */
const SAFE_SYSCTLS: Array<[number, string[]]> = [
  [0, ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start']],
  [27, ['net.ipv4.ip_local_reserved_ports']],
  [29, ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']],
  [32, ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']],
];

/** The safe set as of Kubernetes 1.`minor` (this server is 1.32). */
export function safeSysctls(minor = 32): Set<string> {
  return new Set(SAFE_SYSCTLS.filter(([v]) => v <= minor).flatMap(([, names]) => names));
}

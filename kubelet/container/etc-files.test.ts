import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import { etcMounts, hostNetworkHostsContent, managedHostsContent, resolvConfContent } from './etc-files.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const LOCAL = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';

describe("a pod's /etc files", () => {
  it('names the pod by its hostname, and by its FQDN under a subdomain, with its aliases one line per address', () => {
    expect(managedHostsContent(['10.0.0.5'], 'web', undefined, [])).toBe(`# Kubernetes-managed hosts file.\n${LOCAL}10.0.0.5\tweb\n`);
    expect(managedHostsContent(['10.0.0.5'], 'db-0', 'db.prod.svc.cluster.local', [{ ip: '10.1.2.3', hostnames: ['foo.local', 'bar.local'] }])).toBe(
      `# Kubernetes-managed hosts file.\n${LOCAL}10.0.0.5\tdb-0.db.prod.svc.cluster.local\tdb-0\n\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n`,
    );
    expect(hostNetworkHostsContent('127.0.0.1 localhost\n', [{ ip: '1.2.3.4', hostnames: ['x'] }])).toBe('# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n\n# Entries added by HostAliases.\n1.2.3.4\tx\n');
  });

  it('writes the resolver as CRI runtimes do', () => {
    expect(resolvConfContent({ servers: ['10.96.0.10'], searches: ['ns.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] })).toBe(
      'search ns.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    );
    expect(resolvConfContent({ servers: ['1.1.1.1'], searches: [], options: [] })).toBe('nameserver 1.1.1.1\n');
  });

  it('mounts both for a container, none before the pod has an address, and leaves a path the container mounts itself', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kubette-etc-'));
    dirs.push(root);
    const pod = { metadata: { name: 'web', namespace: 'ns', uid: 'u1' }, spec: { hostname: 'api', subdomain: 'svc1', containers: [] } } as unknown as Pod;
    const dns = { servers: ['10.96.0.10'], searches: ['ns.svc.cluster.local'], options: ['ndots:5'] };
    const mounts = await etcMounts(root, pod, {}, { podIPs: ['172.18.0.9'], dns, clusterDomain: 'cluster.local' });
    expect(mounts.map((m) => m.containerPath)).toEqual(['/etc/hosts', '/etc/resolv.conf']);
    expect(readFileSync(mounts[0]!.hostPath, 'utf8')).toContain('172.18.0.9\tapi.svc1.ns.svc.cluster.local\tapi\n');
    expect(readFileSync(mounts[1]!.hostPath, 'utf8')).toContain('nameserver 10.96.0.10\n');
    expect((await etcMounts(root, pod, {}, { podIPs: [], dns: undefined, clusterDomain: 'cluster.local' })).length).toBe(0);
    const own = await etcMounts(root, pod, { volumeMounts: [{ name: 'h', mountPath: '/etc/hosts' }] }, { podIPs: ['172.18.0.9'], dns, clusterDomain: 'cluster.local' });
    expect(own.map((m) => m.containerPath)).toEqual(['/etc/resolv.conf']);
  });
});

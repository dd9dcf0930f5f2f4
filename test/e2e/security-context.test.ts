// Security contexts reach Docker: who a container runs as, its groups and volumes' group,
// capabilities, a read-only root, no_new_privs, seccomp, sysctls, the node's namespaces, and
// the kubelet's refusals (runAsNonRoot, sysctls the node does not allow). Each is checked from
// inside the container, where a user would see it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { kubectlWithKubeconfig } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';

type Obj = Record<string, any>;
let cluster: Cluster;
let kubectl: ReturnType<typeof kubectlWithKubeconfig>;

const SLEEP = ['sh', '-c', 'sleep 3600'];

async function apply(pod: Obj): Promise<void> {
  await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', ...pod }));
}

async function getPod(name: string): Promise<Obj> {
  return JSON.parse(await kubectl.ok(['get', 'pod', name, '-o', 'json'])) as Obj;
}

async function runningPod(pod: Obj): Promise<void> {
  await apply(pod);
  await kubectl.ok(['wait', '--for=condition=Ready', `pod/${pod.metadata.name}`, '--timeout=60s']);
}

const exec = (pod: string, script: string, container?: string) => kubectl.ok(['exec', pod, ...(container ? ['-c', container] : []), '--', 'sh', '-c', script]);

/** A field of /proc/self/status inside the container, e.g. CapEff, NoNewPrivs, Seccomp. */
async function procStatus(pod: string, field: string, container?: string): Promise<string> {
  const line = (await exec(pod, `grep '^${field}:' /proc/self/status`, container)).trim();
  return line.split(/\s+/)[1]!;
}

const CAP_NET_ADMIN = 12n;
const CAP_CHOWN = 0n;
const hasCap = (hex: string, cap: bigint) => ((BigInt(`0x${hex}`) >> cap) & 1n) === 1n;

beforeAll(async () => {
  cluster = await startCluster({ nodes: 1, launcherArgs: ['--kubelet-args=--allowed-unsafe-sysctls=kernel.msg*'] });
  kubectl = kubectlWithKubeconfig(cluster.kubeconfig);
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

describe('who a container runs as', () => {
  it('runAsUser, runAsGroup, supplementalGroups and fsGroup: the ids, and an emptyDir and a Secret volume owned by the fsGroup', async () => {
    await kubectl.ok(['create', 'secret', 'generic', 'owned', '--from-literal=key=value']);
    await runningPod({
      metadata: { name: 'ids' },
      spec: {
        terminationGracePeriodSeconds: 0,
        securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000] },
        volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'creds', secret: { secretName: 'owned', defaultMode: 0o400 } }],
        containers: [
          { name: 'main', image: 'busybox:1.36', command: SLEEP, volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }, { name: 'creds', mountPath: '/creds' }] },
          // The container's own runAsUser wins over the pod's.
          { name: 'other', image: 'busybox:1.36', command: SLEEP, securityContext: { runAsUser: 1500 } },
        ],
      },
    });
    expect((await exec('ids', 'id -u; id -g; id -G')).trim().split('\n')).toEqual(['1000', '3000', expect.stringMatching(/^3000 (2000 4000|4000 2000)$/)]);
    expect((await exec('ids', 'id -u', 'other')).trim()).toBe('1500');
    // The emptyDir is the group's, setgid, and writable by the pod's user; what it makes there is the group's too.
    expect((await exec('ids', 'stat -c "%g %a" /scratch; touch /scratch/f && stat -c "%u %g" /scratch/f')).trim().split('\n')).toEqual(['2000 2777', '1000 2000']);
    // A Secret at 0400 becomes readable by the group, so the non-root user reads it.
    expect((await exec('ids', 'stat -L -c "%g %a" /creds/key; cat /creds/key')).trim().split('\n')).toEqual(['2000 440', 'value']);
  }, 90_000);

  it('runAsNonRoot holds a container whose image runs as root in CreateContainerConfigError, and lets a non-root uid run', async () => {
    await apply({
      metadata: { name: 'nonroot' },
      spec: {
        terminationGracePeriodSeconds: 0,
        securityContext: { runAsNonRoot: true },
        containers: [
          { name: 'as-root', image: 'busybox:1.36', command: SLEEP },
          { name: 'as-user', image: 'busybox:1.36', command: SLEEP, securityContext: { runAsUser: 65534 } },
        ],
      },
    });
    const statuses = await waitFor('as-root refused, as-user running', async () => {
      const s = ((await getPod('nonroot')).status?.containerStatuses ?? []) as Obj[];
      const root = s.find((c) => c.name === 'as-root');
      const user = s.find((c) => c.name === 'as-user');
      return root?.state.waiting?.reason === 'CreateContainerConfigError' && user?.state.running ? { root, user } : undefined;
    }, 60_000);
    expect(statuses.root.state.waiting.message).toMatch(/^container has runAsNonRoot and image will run as root \(pod: "nonroot_default\(.+\)", container: as-root\)$/);
  }, 90_000);
});

describe('what a container may do', () => {
  it('capabilities, a read-only root filesystem and no_new_privs', async () => {
    await runningPod({
      metadata: { name: 'caps' },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: [
          { name: 'plain', image: 'busybox:1.36', command: SLEEP },
          {
            name: 'confined',
            image: 'busybox:1.36',
            command: SLEEP,
            securityContext: { capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] }, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
          },
        ],
      },
    });
    const plain = await procStatus('caps', 'CapEff', 'plain');
    const confined = await procStatus('caps', 'CapEff', 'confined');
    expect([hasCap(plain, CAP_CHOWN), hasCap(plain, CAP_NET_ADMIN)]).toEqual([true, false]);
    expect(BigInt(`0x${confined}`)).toBe(1n << CAP_NET_ADMIN);
    expect(await procStatus('caps', 'NoNewPrivs', 'confined')).toBe('1');
    expect(await procStatus('caps', 'NoNewPrivs', 'plain')).toBe('0');
    const write = await kubectl.run(['exec', 'caps', '-c', 'confined', '--', 'touch', '/root-fs-file']);
    expect(write.code).not.toBe(0);
    expect(write.stderr).toMatch(/Read-only file system/);
    expect((await exec('caps', 'touch /root-fs-file && echo ok', 'plain')).trim()).toBe('ok');
  }, 90_000);

  it('privileged: the container gets every capability, or, where the engine itself may not grant them, the engine\'s refusal is a StartError', async () => {
    await apply({ metadata: { name: 'privileged' }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox:1.36', command: SLEEP, securityContext: { privileged: true } }] } });
    // Whether this Docker engine can run privileged containers at all (some sandboxed hosts cannot).
    const engineCan = spawnSync('docker', ['run', '--rm', '--privileged', 'busybox:1.36', 'true']).status === 0;
    const state = await waitFor('the container started or refused', async () => {
      const s = (await getPod('privileged')).status?.containerStatuses?.[0];
      return s?.state.running || s?.lastState?.terminated?.reason === 'StartError' || s?.state.terminated?.reason === 'StartError' ? s : undefined;
    }, 60_000);
    const id = String(state.containerID ?? state.lastState?.terminated?.containerID ?? state.state.terminated?.containerID).replace('docker://', '');
    expect(JSON.parse(execFileSync('docker', ['inspect', '-f', '{{json .HostConfig.Privileged}}', id]).toString())).toBe(true);
    if (engineCan) {
      expect(state.state.running).toBeTruthy();
      expect(hasCap(await procStatus('privileged', 'CapEff'), CAP_NET_ADMIN)).toBe(true);
    } else {
      // The refusal is retried with back-off, not in a tight loop.
      const later = await waitFor('CrashLoopBackOff', async () => {
        const s = (await getPod('privileged')).status?.containerStatuses?.[0];
        return s?.state.waiting?.reason === 'CrashLoopBackOff' ? s : undefined;
      }, 60_000);
      expect(later.restartCount).toBeLessThan(5);
    }
  }, 90_000);

  it('seccomp: the runtime default when unset, none when Unconfined, and a Localhost profile from the kubelet root', async () => {
    // A profile that allows everything but mkdir: the container cannot make directories.
    const profiles = join(cluster.dataDir, 'kubelet', cluster.nodes[0]!, 'seccomp', 'profiles');
    mkdirSync(profiles, { recursive: true });
    writeFileSync(join(profiles, 'no-mkdir.json'), JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] }));
    await runningPod({
      metadata: { name: 'seccomp' },
      spec: {
        terminationGracePeriodSeconds: 0,
        securityContext: { seccompProfile: { type: 'Unconfined' } },
        containers: [
          { name: 'unconfined', image: 'busybox:1.36', command: SLEEP },
          { name: 'default', image: 'busybox:1.36', command: SLEEP, securityContext: { seccompProfile: { type: 'RuntimeDefault' } } },
          { name: 'local', image: 'busybox:1.36', command: SLEEP, securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/no-mkdir.json' } } },
        ],
      },
    });
    expect(await procStatus('seccomp', 'Seccomp', 'unconfined')).toBe('0');
    expect(await procStatus('seccomp', 'Seccomp', 'default')).toBe('2');
    expect(await procStatus('seccomp', 'Seccomp', 'local')).toBe('2');
    const mk = await kubectl.run(['exec', 'seccomp', '-c', 'local', '--', 'mkdir', '/tmp/x']);
    expect(mk.code).not.toBe(0);
    expect((await exec('seccomp', 'mkdir /tmp/x && echo ok', 'default')).trim()).toBe('ok');

    // A profile the node does not have: the container cannot be created.
    await apply({
      metadata: { name: 'no-profile' },
      spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox:1.36', command: SLEEP, securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'missing.json' } } }] },
    });
    const waiting = await waitFor('CreateContainerError', async () => {
      const w = (await getPod('no-profile')).status?.containerStatuses?.[0]?.state?.waiting;
      return w?.reason === 'CreateContainerError' ? w : undefined;
    }, 60_000);
    expect(waiting.message).toContain('missing.json');
  }, 90_000);
});

describe('the node and the pod', () => {
  it('sysctls: safe ones and allowed unsafe ones are set in the pod; others make the kubelet reject the pod', async () => {
    await runningPod({
      metadata: { name: 'sysctls' },
      spec: {
        terminationGracePeriodSeconds: 0,
        securityContext: { sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: '40000 40100' }, { name: 'kernel.msgmax', value: '12345' }] },
        containers: [{ name: 'c', image: 'busybox:1.36', command: SLEEP }],
      },
    });
    expect((await exec('sysctls', 'cat /proc/sys/net/ipv4/ip_local_port_range /proc/sys/kernel/msgmax')).trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '))).toEqual(['40000 40100', '12345']);

    await apply({
      metadata: { name: 'unsafe' },
      spec: { terminationGracePeriodSeconds: 0, securityContext: { sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] }, containers: [{ name: 'c', image: 'busybox:1.36', command: SLEEP }] },
    });
    const rejected = await waitFor('the pod rejected', async () => {
      const p = await getPod('unsafe');
      return p.status?.phase === 'Failed' ? p : undefined;
    }, 60_000);
    expect(rejected.status.reason).toBe('SysctlForbidden');
    expect(rejected.status.message).toBe('Pod was rejected: forbidden sysctl: "net.core.somaxconn" not allowlisted');
    // It stays so: nothing of it runs, and the next passes keep its phase and reason.
    await new Promise((r) => setTimeout(r, 2000));
    const later = await getPod('unsafe');
    expect([later.status.phase, later.status.reason]).toEqual(['Failed', 'SysctlForbidden']);
    expect(later.status.containerStatuses?.[0]?.state?.running).toBeUndefined();
  }, 90_000);

  it("hostPID and hostIPC put the pod's containers in the node's namespaces", async () => {
    await runningPod({
      metadata: { name: 'host-ns' },
      spec: { terminationGracePeriodSeconds: 0, hostPID: true, hostIPC: true, containers: [{ name: 'c', image: 'busybox:1.36', command: SLEEP }] },
    });
    await runningPod({ metadata: { name: 'own-ns' }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox:1.36', command: SLEEP }] } });
    // The namespaces of this test process, which runs beside the Docker engine on the node.
    const node = { pid: readlinkSync('/proc/self/ns/pid'), ipc: readlinkSync('/proc/self/ns/ipc') };
    const inside = async (pod: string) => {
      const [pid, ipc] = (await exec(pod, 'readlink /proc/self/ns/pid; readlink /proc/self/ns/ipc')).trim().split('\n');
      return { pid, ipc };
    };
    expect(await inside('host-ns')).toEqual(node);
    const own = await inside('own-ns');
    expect(own.pid).not.toBe(node.pid);
    expect(own.ipc).not.toBe(node.ipc);
  }, 90_000);
});

describe('RuntimeClass', () => {
  it('runs a pod with its class handler as the Docker runtime, its overhead and scheduling merged in; refuses a missing class and a stray overhead; an unknown handler fails the sandbox', async () => {
    const rc = (name: string, handler: string, extra: Obj = {}) =>
      kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name }, handler, ...extra }));
    await rc('plain-runc', 'runc', {
      overhead: { podFixed: { cpu: '250m', memory: '120Mi' } },
      scheduling: { nodeSelector: { 'kubernetes.io/os': 'linux' }, tolerations: [{ key: 'sandboxed', operator: 'Exists', effect: 'NoSchedule' }] },
    });
    await rc('kata', 'kata');
    expect(await kubectl.ok(['get', 'runtimeclass', 'plain-runc'])).toMatch(/^NAME\s+HANDLER\s+AGE\nplain-runc\s+runc\s+\d+s/);
    const patched = await kubectl.run(['patch', 'runtimeclass', 'kata', '--type=merge', '-p', '{"handler":"runsc"}']);
    expect(patched.stderr).toContain('handler: Invalid value: "runsc": field is immutable');

    await runningPod({ metadata: { name: 'classed' }, spec: { runtimeClassName: 'plain-runc', terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox:1.36', command: SLEEP }] } });
    const pod = await getPod('classed');
    expect(pod.spec.overhead).toEqual({ cpu: '250m', memory: '120Mi' });
    expect(pod.spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(pod.spec.tolerations).toContainEqual({ key: 'sandboxed', operator: 'Exists', effect: 'NoSchedule' });
    const id = String(pod.status.containerStatuses[0].containerID).replace('docker://', '');
    expect(execFileSync('docker', ['inspect', '-f', '{{.HostConfig.Runtime}}', id]).toString().trim()).toBe('runc');

    const missing = await kubectl.run(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'no-class' }, spec: { runtimeClassName: 'missing', containers: [{ name: 'c', image: 'busybox:1.36' }] } }));
    expect(missing.stderr).toContain('pods "no-class" is forbidden: pod rejected: RuntimeClass "missing" not found');
    const stray = await kubectl.run(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray' }, spec: { overhead: { cpu: '1' }, containers: [{ name: 'c', image: 'busybox:1.36' }] } }));
    expect(stray.stderr).toContain('pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');

    // A handler the engine is not configured with: the sandbox is refused, as containerd refuses it.
    await apply({ metadata: { name: 'kata-pod' }, spec: { runtimeClassName: 'kata', terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox:1.36', command: SLEEP }] } });
    const event = await waitFor('a FailedCreatePodSandBox event', async () => {
      const events = JSON.parse(await kubectl.ok(['get', 'events', '--field-selector', 'involvedObject.name=kata-pod', '-o', 'json'])) as { items: Array<{ reason: string; message: string }> };
      return events.items.find((e) => e.reason === 'FailedCreatePodSandBox');
    }, 60_000);
    expect(event.message).toContain('no runtime for "kata" is configured');
    expect((await getPod('kata-pod')).status.phase).toBe('Pending');
  }, 120_000);
});

import { describe, expect, it } from 'vitest';
import type { Container, Pod, PodSecurityContext } from '../../api/types/pod.js';
import { ContainerConfigError } from './env.js';
import { containerSecurity, forbiddenSysctl, needsImageUser, podSysctls, verifyRunAsNonRoot } from './security.js';

function pod(securityContext: PodSecurityContext | undefined, container: Partial<Container> = {}): { pod: Pod; c: Container } {
  const c: Container = { name: 'app', image: 'busybox:1.36', ...container };
  return { pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [c], ...(securityContext ? { securityContext } : {}) } }, c };
}

describe('containerSecurity', () => {
  it('with no securityContext: the image user, no extra groups or capabilities, the runtime default seccomp', () => {
    const { pod: p, c } = pod(undefined);
    expect(containerSecurity(p, c, '/root')).toEqual({
      privileged: false,
      capabilities: { add: [], drop: [] },
      supplementalGroups: [],
      readonlyRootfs: false,
      noNewPrivs: false,
      seccomp: { type: 'RuntimeDefault' },
    });
  });

  it("takes the container's settings over the pod's, and adds the fsGroup to the supplemental groups once", () => {
    const { pod: p, c } = pod(
      { runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000, 2000], fsGroup: 2000, seccompProfile: { type: 'Unconfined' } },
      { securityContext: { runAsUser: 1500, seccompProfile: { type: 'Localhost', localhostProfile: 'p/x.json' }, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false } },
    );
    const s = containerSecurity(p, c, '/var/lib/k');
    expect(s).toMatchObject({ runAsUser: 1500, runAsGroup: 3000, supplementalGroups: [4000, 2000], readonlyRootfs: true, noNewPrivs: true, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] } });
    expect(s.seccomp).toEqual({ type: 'Localhost', path: '/var/lib/k/seccomp/p/x.json' });
    expect(containerSecurity(pod({ seccompProfile: { type: 'Unconfined' } }).pod, { name: 'x', image: 'i', securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }, '/r').seccomp).toEqual({ type: 'RuntimeDefault' });
    expect(containerSecurity(pod({ seccompProfile: { type: 'Unconfined' } }).pod, { name: 'x', image: 'i' }, '/r').seccomp).toEqual({ type: 'Unconfined' });
  });

  it("allowPrivilegeEscalation: only an explicit false sets no_new_privs; privileged is passed on", () => {
    const { pod: p } = pod(undefined);
    expect(containerSecurity(p, { name: 'a', image: 'i', securityContext: { allowPrivilegeEscalation: true } }, '/r').noNewPrivs).toBe(false);
    expect(containerSecurity(p, { name: 'a', image: 'i', securityContext: { privileged: true } }, '/r').privileged).toBe(true);
  });

  it("a group without a user keeps the image's user, by uid or by name", () => {
    const { pod: p, c } = pod({ runAsGroup: 5 });
    expect(needsImageUser(p, c)).toBe(true);
    expect(containerSecurity(p, c, '/r', { uid: 7 })).toMatchObject({ runAsUser: 7, runAsGroup: 5 });
    expect(containerSecurity(p, c, '/r', { username: 'nginx' })).toMatchObject({ runAsUsername: 'nginx', runAsGroup: 5 });
    expect(needsImageUser(pod({ runAsGroup: 5, runAsUser: 1 }).pod, c)).toBe(false);
    expect(needsImageUser(pod(undefined).pod, c)).toBe(false);
  });
});

describe('verifyRunAsNonRoot', () => {
  const refuse = (sc: PodSecurityContext, image: { uid?: number; username?: string }, container: Partial<Container> = {}) => {
    const { pod: p, c } = pod(sc, container);
    try {
      verifyRunAsNonRoot(p, c, image);
      return undefined;
    } catch (err) {
      expect(err).toBeInstanceOf(ContainerConfigError);
      return (err as Error).message;
    }
  };

  it("refuses root, as the kubelet words it", () => {
    expect(refuse({ runAsNonRoot: true }, {})).toBe('container has runAsNonRoot and image will run as root (pod: "p_ns(u1)", container: app)');
    expect(refuse({ runAsNonRoot: true }, { uid: 0 })).toBe('container has runAsNonRoot and image will run as root (pod: "p_ns(u1)", container: app)');
    expect(refuse({ runAsNonRoot: true, runAsUser: 0 }, { uid: 1000 })).toBe(`container's runAsUser breaks non-root policy (pod: "p_ns(u1)", container: app)`);
    expect(refuse({ runAsNonRoot: true }, { username: 'nginx' })).toBe(
      'container has runAsNonRoot and image has non-numeric user (nginx), cannot verify user is non-root (pod: "p_ns(u1)", container: app)',
    );
  });

  it('lets a non-root uid run, from the pod, the container or the image; and does not check without runAsNonRoot', () => {
    expect(refuse({ runAsNonRoot: true, runAsUser: 1000 }, {})).toBeUndefined();
    expect(refuse({ runAsNonRoot: true }, {}, { securityContext: { runAsUser: 1 } })).toBeUndefined();
    expect(refuse({ runAsNonRoot: true }, { uid: 65534 })).toBeUndefined();
    expect(refuse({}, {})).toBeUndefined();
    // The container's own false wins over the pod's true.
    expect(refuse({ runAsNonRoot: true }, {}, { securityContext: { runAsNonRoot: false } })).toBeUndefined();
  });
});

describe('sysctls', () => {
  it('the safe set runs anywhere; others need --allowed-unsafe-sysctls, by name or prefix', () => {
    const withSysctls = (...names: string[]) => pod({ sysctls: names.map((name) => ({ name, value: '1' })) }).pod;
    expect(forbiddenSysctl(withSysctls('net.ipv4.ip_local_port_range', 'kernel.shm_rmid_forced', 'net/ipv4/tcp_syncookies'), [])).toBeUndefined();
    expect(forbiddenSysctl(withSysctls('net.ipv4.tcp_syncookies', 'net.core.somaxconn'), [])).toBe('forbidden sysctl: "net.core.somaxconn" not allowlisted');
    expect(forbiddenSysctl(withSysctls('net.core.somaxconn'), ['net.core.*'])).toBeUndefined();
    expect(forbiddenSysctl(withSysctls('kernel.msgmax'), ['kernel.msgmax'])).toBeUndefined();
    expect(forbiddenSysctl(withSysctls('kernel.msgmnb'), ['kernel.msgmax'])).toBe('forbidden sysctl: "kernel.msgmnb" not allowlisted');
    expect(podSysctls(withSysctls('net/ipv4/tcp_syncookies'))).toEqual({ 'net.ipv4.tcp_syncookies': '1' });
  });
});

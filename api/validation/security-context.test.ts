import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../types/meta.js';
import { podCreateCauses } from '../../test/harness/pod-validation.js';

function pod(spec: Record<string, unknown>, container: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', ...container }], ...spec } };
}

const causes = podCreateCauses;

describe("a pod's securityContext", () => {
  it('accepts what Kubernetes accepts', () => {
    expect(
      causes(
        pod({
          securityContext: {
            runAsUser: 1000,
            runAsGroup: 0,
            runAsNonRoot: true,
            fsGroup: 2000,
            fsGroupChangePolicy: 'OnRootMismatch',
            supplementalGroups: [1, 2147483647],
            sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: '1 2' }, { name: 'kernel/shm_rmid_forced', value: '1' }],
            seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/a.json' },
            appArmorProfile: { type: 'RuntimeDefault' },
          },
        }),
      ),
    ).toEqual([]);
  });

  it('ids out of range, unknown policies and profiles, and bad or repeated sysctls', () => {
    expect(
      causes(
        pod({
          securityContext: {
            runAsUser: -1,
            fsGroup: 2147483648,
            supplementalGroups: [3, -5],
            fsGroupChangePolicy: 'Sometimes',
            sysctls: [{ name: 'Net.Bad', value: '1' }, { name: 'kernel.msgmax', value: '1' }, { name: 'kernel.msgmax', value: '2' }, { name: '', value: '' }],
            seccompProfile: { type: 'Localhost' },
            appArmorProfile: { type: 'Strict' },
          },
        }),
      ),
    ).toEqual([
      'spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive',
      'spec.securityContext.fsGroup: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive',
      'spec.securityContext.supplementalGroups[1]: Invalid value: -5: must be between 0 and 2147483647, inclusive',
      'spec.securityContext.fsGroupChangePolicy: Unsupported value: "Sometimes": supported values: "Always", "OnRootMismatch"',
      'spec.securityContext.sysctls[0].name: Invalid value: "Net.Bad": must have at most 253 characters and match regex ([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?',
      'spec.securityContext.sysctls[2].name: Duplicate value: "kernel.msgmax"',
      'spec.securityContext.sysctls[3].name: Required value',
      'spec.securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost',
      'spec.securityContext.appArmorProfile.type: Unsupported value: "Strict": supported values: "Localhost", "RuntimeDefault", "Unconfined"',
    ]);
  });

  it("sysctls of a namespace the pod shares with the node, and shareProcessNamespace with hostPID", () => {
    expect(causes(pod({ hostNetwork: true, securityContext: { sysctls: [{ name: 'net.ipv4.tcp_syncookies', value: '1' }] } }))).toEqual([
      `spec.securityContext.sysctls[0].name: Invalid value: "net.ipv4.tcp_syncookies": may not be specified when 'hostNetwork' or 'hostIPC' is true`,
    ]);
    expect(causes(pod({ hostIPC: true, securityContext: { sysctls: [{ name: 'kernel.shm_rmid_forced', value: '1' }, { name: 'net.ipv4.tcp_syncookies', value: '1' }] } }))).toEqual([
      `spec.securityContext.sysctls[0].name: Invalid value: "kernel.shm_rmid_forced": may not be specified when 'hostNetwork' or 'hostIPC' is true`,
    ]);
    expect(causes(pod({ hostPID: true, shareProcessNamespace: true }))).toEqual([
      'spec.securityContext.shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled',
    ]);
  });

  it('a seccomp profile path that leaves the profile directory, and a type that takes no path', () => {
    expect(causes(pod({ securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: '../../etc/x' } } }))).toEqual([
      `spec.securityContext.seccompProfile.localhostProfile: Invalid value: "../../etc/x": must not contain '..'`,
    ]);
    expect(causes(pod({ securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: '/abs.json' } } }))).toEqual([
      'spec.securityContext.seccompProfile.localhostProfile: Invalid value: "/abs.json": must be a relative path',
    ]);
    expect(causes(pod({ securityContext: { seccompProfile: { type: 'RuntimeDefault', localhostProfile: 'a.json' } } }))).toEqual([
      'spec.securityContext.seccompProfile.localhostProfile: Invalid value: {"type":"RuntimeDefault","localhostProfile":"a.json"}: can only be set when seccomp type is Localhost',
    ]);
    expect(causes(pod({ securityContext: { seccompProfile: {} } }))).toEqual(['spec.securityContext.seccompProfile.type: Required value: type is required when seccompProfile is set']);
  });
});

describe("a container's securityContext", () => {
  it('no privilege escalation with privileged or CAP_SYS_ADMIN; ids; procMount', () => {
    const sc = { allowPrivilegeEscalation: false, privileged: true, capabilities: { add: ['CAP_SYS_ADMIN'] }, runAsUser: 2147483648, runAsGroup: -1, procMount: 'Unmasked' };
    expect(causes(pod({}, { securityContext: sc })).map((c) => c.replace(/Invalid value: \{.*\}: /, 'Invalid value: {...}: '))).toEqual([
      'spec.containers[0].securityContext.runAsUser: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive',
      'spec.containers[0].securityContext.runAsGroup: Invalid value: -1: must be between 0 and 2147483647, inclusive',
      'spec.containers[0].securityContext.procMount: Forbidden: `hostUsers` must be false to use `Unmasked`',
      'spec.containers[0].securityContext: Invalid value: {...}: cannot set `allowPrivilegeEscalation` to false and `privileged` to true',
      'spec.containers[0].securityContext: Invalid value: {...}: cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN',
    ]);
    expect(causes(pod({ hostUsers: false }, { securityContext: { procMount: 'Unmasked', allowPrivilegeEscalation: false, capabilities: { add: ['NET_ADMIN'] } } }))).toEqual([]);
    expect(causes(pod({}, { securityContext: { procMount: 'Sometimes' } }))).toEqual(['spec.containers[0].securityContext.procMount: Unsupported value: "Sometimes": supported values: "Default", "Unmasked"']);
  });

  it('init and ephemeral containers are checked too', () => {
    const obj = pod({ initContainers: [{ name: 'i', image: 'busybox:1.36', securityContext: { runAsUser: -3 } }] });
    expect(causes(obj)).toEqual(['spec.initContainers[0].securityContext.runAsUser: Invalid value: -3: must be between 0 and 2147483647, inclusive']);
  });
});

describe('hostNetwork ports', () => {
  it('a host port defaults to the container port, and may not differ from it', () => {
    const obj = pod({ hostNetwork: true }, { ports: [{ containerPort: 8080 }] });
    expect(causes(obj)).toEqual([]);
    expect((obj.spec as any).containers[0].ports[0].hostPort).toBe(8080);
    expect(causes(pod({ hostNetwork: true }, { ports: [{ containerPort: 8080, hostPort: 9090 }] }))).toEqual([
      'spec.containers[0].ports[0].containerPort: Invalid value: 8080: must match `hostPort` when `hostNetwork` is true',
    ]);
    const off = pod({}, { ports: [{ containerPort: 8080 }] });
    causes(off);
    expect((off.spec as any).containers[0].ports[0].hostPort).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import type { PodSpec } from '../../../api/types/pod.js';
import { describeViolations, evaluatePod, policyName } from './policy.js';

const spec = (over: Partial<PodSpec> = {}, container: Record<string, unknown> = {}): PodSpec => ({ containers: [{ name: 'c', image: 'busybox', ...container }], ...over }) as PodSpec;
const restricted = { level: 'restricted' as const };
const baseline = { level: 'baseline' as const };

/** A container that meets the restricted standard. */
const good = { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' as const } } };

describe('the restricted standard', () => {
  it('names every missing setting of a plain pod, in Kubernetes order and words', () => {
    expect(describeViolations(evaluatePod(restricted, {}, spec()))).toBe(
      'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ' +
        'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
  });

  it('allows a pod that meets it, whether settings are on the pod or the container', () => {
    expect(evaluatePod(restricted, {}, spec({}, good))).toEqual([]);
    const podLevel = spec({ securityContext: { runAsNonRoot: true, seccompProfile: { type: 'Localhost', localhostProfile: 'x' } } }, { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } });
    expect(evaluatePod(restricted, {}, podLevel)).toEqual([]);
  });

  it('explicit bad values, volumes, root, and capabilities beyond NET_BIND_SERVICE', () => {
    const s = spec(
      { securityContext: { runAsUser: 0, runAsNonRoot: false }, volumes: [{ name: 'h', hostPath: { path: '/' } }, { name: 'n', nfs: { server: 'x', path: '/' } } as never, { name: 'ok', emptyDir: {} }] },
      { securityContext: { ...good.securityContext, runAsNonRoot: undefined, capabilities: { drop: ['ALL'], add: ['SYS_ADMIN', 'NET_RAW'] }, seccompProfile: { type: 'Unconfined' } } },
    );
    expect(evaluatePod(restricted, {}, s).map((v) => `${v.reason} (${v.detail})`)).toEqual([
      'unrestricted capabilities (container "c" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add)',
      'restricted volume types (volumes "h", "n" use restricted volume types "hostPath", "nfs")',
      'runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false)',
      'runAsUser=0 (pod must not set runAsUser=0)',
      'seccompProfile (container "c" must not set securityContext.seccompProfile.type to "Unconfined")',
    ]);
  });

  it('checks init and ephemeral containers too, and older policy versions have fewer checks', () => {
    const s = spec({ initContainers: [{ name: 'i', image: 'x', ...good }], ephemeralContainers: [{ name: 'e', image: 'x' }] as never }, good);
    expect(evaluatePod(restricted, {}, s)[0]!.detail).toBe('container "e" must set securityContext.allowPrivilegeEscalation=false');
    // runAsUser=0 is a restricted check from 1.23 on.
    const root = spec({ securityContext: { runAsUser: 0 } }, good);
    expect(evaluatePod({ level: 'restricted', minor: 22 }, {}, root)).toEqual([]);
    expect(policyName({ level: 'restricted', minor: 22 })).toBe('restricted:v1.22');
    expect(evaluatePod({ level: 'restricted', minor: 23 }, {}, root).map((v) => v.reason)).toEqual(['runAsUser=0']);
  });
});

describe('the baseline standard', () => {
  it('host namespaces, ports and paths, privileged, capabilities, sysctls, seccomp, procMount, SELinux, AppArmor', () => {
    const s = spec(
      {
        hostNetwork: true,
        hostPID: true,
        volumes: [{ name: 'root', hostPath: { path: '/' } }],
        securityContext: { sysctls: [{ name: 'net.ipv4.tcp_syncookies', value: '1' }, { name: 'kernel.msgmax', value: '1' }], seLinuxOptions: { type: 'spc_t' } },
      },
      {
        ports: [{ containerPort: 80, hostPort: 80 }],
        securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN', 'CHOWN'] }, seccompProfile: { type: 'Unconfined' }, procMount: 'Unmasked', appArmorProfile: { type: 'Unconfined' } },
      },
    );
    expect(evaluatePod(baseline, { annotations: { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' } }, s).map((v) => `${v.reason} (${v.detail})`)).toEqual([
      // Quoted as Kubernetes quotes them: the annotation's own quotes are not escaped.
      'forbidden AppArmor profiles (container "c" and annotation must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/c="unconfined"")',
      'non-default capabilities (container "c" must not include "NET_ADMIN" in securityContext.capabilities.add)',
      'host namespaces (hostNetwork=true, hostPID=true)',
      'hostPath volumes (volume "root")',
      'hostPort (container "c" uses hostPort 80)',
      'privileged (container "c" must not set securityContext.privileged=true)',
      'procMount (container "c" must not set securityContext.procMount to "Unmasked")',
      'seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t")',
      'seccompProfile (container "c" must not set securityContext.seccompProfile.type to "Unconfined")',
      'forbidden sysctls (kernel.msgmax)',
    ]);
  });

  it('a plain pod meets it; privileged forbids nothing', () => {
    expect(evaluatePod(baseline, {}, spec())).toEqual([]);
    expect(evaluatePod({ level: 'privileged' }, {}, spec({ hostNetwork: true }, { securityContext: { privileged: true } }))).toEqual([]);
  });
});

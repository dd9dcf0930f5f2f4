// The PodSecurity admission plugin against the apiserver process and real etcd, driven by
// unmodified kubectl: namespace labels choose the standard; enforce refuses pods (403, the
// reasons kubectl prints), warn and workload templates give warnings, bad labels are refused,
// and tightening a namespace warns about the pods already in it.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { kubectlFor } from '../harness/kubectl.js';

let api: ApiServerHandle;
let kubectl: ReturnType<typeof kubectlFor>;

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
  kubectl = kubectlFor(api.url);
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

const privilegedPod = (ns: string, name: string) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', securityContext: { privileged: true } }] } });

describe('PodSecurity admission', () => {
  it('enforce: a pod that breaks the namespace standard is refused with the reasons; one that meets it is created', async () => {
    await kubectl.ok(['create', 'namespace', 'psa-enforce']);
    await kubectl.ok(['label', 'namespace', 'psa-enforce', 'pod-security.kubernetes.io/enforce=baseline']);
    const refused = await kubectl.run(['apply', '-f', '-'], privilegedPod('psa-enforce', 'priv'));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('pods "priv" is forbidden: violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)');
    expect((await kubectl.run(['get', 'pod', 'priv', '-n', 'psa-enforce'])).code).not.toBe(0);

    // The same pod with restricted settings is fine under baseline and restricted alike.
    await kubectl.ok(['label', 'namespace', 'psa-enforce', 'pod-security.kubernetes.io/enforce=restricted', '--overwrite']);
    const ok = await kubectl.run(['run', 'fine', '-n', 'psa-enforce', '--image=busybox:1.36', '--overrides', JSON.stringify({
      spec: { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [{ name: 'fine', image: 'busybox:1.36', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }] },
    })]);
    expect(ok.code).toBe(0);
    const plain = await kubectl.run(['run', 'plain', '-n', 'psa-enforce', '--image=busybox:1.36']);
    expect(plain.stderr).toContain('violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "plain" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities');
  });

  it('warn: kubectl prints the warning and the pod is created; a Deployment is only warned about even under enforce', async () => {
    await kubectl.ok(['create', 'namespace', 'psa-warn']);
    await kubectl.ok(['label', 'namespace', 'psa-warn', 'pod-security.kubernetes.io/warn=baseline', 'pod-security.kubernetes.io/enforce=baseline']);
    const deployment = JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'hostnet', namespace: 'psa-warn' },
      spec: { selector: { matchLabels: { app: 'h' } }, template: { metadata: { labels: { app: 'h' } }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
    });
    const created = await kubectl.run(['apply', '-f', '-'], deployment);
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('Warning: would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)\n');
    await kubectl.ok(['label', 'namespace', 'psa-warn', 'pod-security.kubernetes.io/enforce=privileged', '--overwrite']);
    const pod = await kubectl.run(['apply', '-f', '-'], privilegedPod('psa-warn', 'priv'));
    expect(pod.code).toBe(0);
    expect(pod.stderr).toContain('Warning: would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)');
  });

  it('a label that names no level is refused; tightening enforce warns about the pods already there', async () => {
    await kubectl.ok(['create', 'namespace', 'psa-labels']);
    const bad = await kubectl.run(['label', 'namespace', 'psa-labels', 'pod-security.kubernetes.io/enforce=strict']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted');
    await kubectl.ok(['apply', '-f', '-'], privilegedPod('psa-labels', 'already'));
    const tightened = await kubectl.run(['label', 'namespace', 'psa-labels', 'pod-security.kubernetes.io/enforce=baseline']);
    expect(tightened.code).toBe(0);
    expect(tightened.stderr).toContain('Warning: existing pods in namespace "psa-labels" violate the new PodSecurity enforce level "baseline:latest"');
    expect(tightened.stderr).toContain('Warning: already: privileged');
    // The pod stays: enforcement applies to what is created or changed from now on.
    expect((await kubectl.run(['get', 'pod', 'already', '-n', 'psa-labels'])).code).toBe(0);
  });
});

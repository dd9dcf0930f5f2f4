// The PodSecurity admission plugin against the apiserver process and real etcd, driven by
// unmodified kubectl: namespace labels choose the standard; enforce refuses pods (403, the
// reasons kubectl prints), warn and workload templates give warnings, bad labels are refused,
// and tightening a namespace warns about the pods already in it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('PodSecurity configured by --admission-control-config-file', () => {
  let configured: ApiServerHandle;
  let k: ReturnType<typeof kubectlFor>;
  let dir: string;
  const auditEvents = () =>
    readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { verb: string; stage: string; objectRef?: { resource?: string; name?: string }; annotations?: Record<string, string> });
  const createAnnotations = (name: string) => auditEvents().find((e) => e.verb === 'create' && e.stage === 'ResponseComplete' && e.objectRef?.resource === 'pods' && e.objectRef.name === name)?.annotations ?? {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubette-psa-config-'));
    // The plugin's configuration in a file of its own, named relative to the admission configuration.
    writeFileSync(join(dir, 'pod-security.yaml'), [
      'apiVersion: pod-security.admission.config.k8s.io/v1',
      'kind: PodSecurityConfiguration',
      'defaults:',
      '  enforce: baseline',
      '  audit: restricted',
      'exemptions:',
      '  usernames: [ops-admin]',
      '  namespaces: [tools]',
    ].join('\n'));
    writeFileSync(join(dir, 'admission.yaml'), ['apiVersion: apiserver.config.k8s.io/v1', 'kind: AdmissionConfiguration', 'plugins:', '- name: PodSecurity', '  path: pod-security.yaml'].join('\n'));
    configured = await startApiServer({ etcd: inject('etcdEndpoint'), args: ['--admission-control-config-file', join(dir, 'admission.yaml'), '--audit-log-path', join(dir, 'audit.log')] });
    k = kubectlFor(configured.url);
  }, 60_000);

  afterAll(async () => {
    await configured?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('namespaces without labels get the configured levels, exempt users and namespaces are not checked, and the audit log says why', async () => {
    await k.ok(['create', 'namespace', 'cfg-default']);
    const refused = await k.run(['apply', '-f', '-'], privilegedPod('cfg-default', 'priv'));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('violates PodSecurity "baseline:latest": privileged');

    // An exempt user (impersonated by the local admin, allowed by RBAC to create pods) may.
    await k.ok(['create', 'clusterrolebinding', 'ops-admin', '--clusterrole=cluster-admin', '--user=ops-admin']);
    await k.ok(['apply', '--as=ops-admin', '-f', '-'], privilegedPod('cfg-default', 'by-ops'));
    await k.ok(['create', 'namespace', 'tools']);
    await k.ok(['apply', '-f', '-'], privilegedPod('tools', 'in-tools'));
    // Within the enforced level, but not the audited one.
    await k.ok(['run', 'plain', '-n', 'cfg-default', '--image=busybox:1.36']);

    await waitForAudit(() => createAnnotations('plain')['pod-security.kubernetes.io/enforce-policy']);
    expect(createAnnotations('by-ops')).toMatchObject({ 'pod-security.kubernetes.io/exempt': 'user' });
    expect(createAnnotations('in-tools')).toMatchObject({ 'pod-security.kubernetes.io/exempt': 'namespace' });
    expect(createAnnotations('plain')).toMatchObject({
      'pod-security.kubernetes.io/enforce-policy': 'baseline:latest',
      'pod-security.kubernetes.io/audit-violations': expect.stringMatching(/^would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/),
    });
    expect(createAnnotations('priv')).toMatchObject({ 'pod-security.kubernetes.io/enforce-policy': 'baseline:latest' });

    // Labels still win over the defaults.
    await k.ok(['label', 'namespace', 'cfg-default', 'pod-security.kubernetes.io/enforce=privileged']);
    await k.ok(['apply', '-f', '-'], privilegedPod('cfg-default', 'priv'));
  });

  it('an apiserver given a configuration it cannot use does not start, and says what is wrong', () => {
    writeFileSync(join(dir, 'bad.yaml'), ['apiVersion: apiserver.config.k8s.io/v1', 'kind: AdmissionConfiguration', 'plugins:', '- name: PodSecurity', '  configuration:', '    apiVersion: pod-security.admission.config.k8s.io/v1', '    kind: PodSecurityConfiguration', '    defaults: {enforce: strict}'].join('\n'));
    const res = spawnSync(process.execPath, ['dist/apiserver/main.js', '--admission-control-config-file', join(dir, 'bad.yaml'), '--etcd-servers', inject('etcdEndpoint')], { encoding: 'utf8', timeout: 20_000 });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('PodSecurity: defaults.enforce: Unsupported value: "strict"');
  });
});

async function waitForAudit(found: () => unknown): Promise<void> {
  for (let i = 0; i < 50 && !found(); i++) await new Promise((r) => setTimeout(r, 100));
}

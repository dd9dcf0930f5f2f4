// The quick start as users run it: `docker-compose up -d` from this folder with the images
// built from local parts, kubectl on the host with ./kubeconfig, the bootcamp tutorial, a
// restart of the apiserver and etcd in the middle, a backup restored as the README tells it,
// and `docker-compose down -v` leaving no container, network or rule behind. Runs alone (its
// own vitest config): it uses the default ports and service range that a developer's cluster
// uses.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlWithKubeconfig } from '../harness/kubectl.js';
import { composeProject } from '../harness/compose.js';
import { waitFor } from '../harness/ports.js';

const PROJECT = 'kubette-e2e';
const root = process.cwd();
const project = composeProject(PROJECT);
const compose = project.run;
type Obj = Record<string, any>;
const getJSON = async (path: string): Promise<Obj> => (await fetch(`http://127.0.0.1:8080${path}`)).json() as Promise<Obj>;
let coldStartMs = 0;

beforeAll(async () => {
  coldStartMs = await project.upFromClean(2, 60_000);
  console.log(`compose cold start (up -d -> 2 nodes Ready): ${coldStartMs} ms`);
}, 300_000);

afterAll(async () => {
  await compose('down', '-v');
}, 300_000);

describe('docker-compose up', () => {
  it('runs the tutorial from the host, survives an apiserver and etcd restart, and down -v leaves nothing', async () => {
    // kubectl as users run it: ./kubeconfig, the admin on https://127.0.0.1:6443.
    const kubectl = kubectlWithKubeconfig(join(root, 'kubeconfig'));
    const ok = (args: string[]) => kubectl.ok(args);
    // The kubelets joined by TLS bootstrap: one auto-approved, issued CSR each, filed by the
    // bootstrap user, for its node's name.
    const csrs = ((await getJSON('/apis/certificates.k8s.io/v1/certificatesigningrequests')).items as Obj[]).filter((c) => c.spec.username === 'kubelet-bootstrap');
    expect(csrs.map((c) => c.status.conditions?.[0]?.type).sort()).toEqual(['Approved', 'Approved']);
    expect(csrs.every((c) => typeof c.status.certificate === 'string' && c.status.certificate.length > 0)).toBe(true);
    expect((await ok(['get', 'csr', '--no-headers'])).split('\n').filter((l) => l.includes('Approved,Issued')).length).toBeGreaterThanOrEqual(2);
    // kubectl get componentstatuses: the apiserver probes the scheduler, controller-manager and etcd.
    expect((await ok(['get', 'cs', '--no-headers'])).trim().split('\n').map((l) => l.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'controller-manager Healthy ok',
      'etcd-0 Healthy ok',
      'scheduler Healthy ok',
    ]);
    await ok(['create', 'deployment', 'web', '--image=busybox:1.36', '--replicas=2', '--', 'sh', '-c', "trap 'exit 0' TERM; mkdir -p /www; hostname > /www/index.html; httpd -f -p 8080 -h /www & wait"]);
    await ok(['expose', 'deployment/web', '--type=NodePort', '--port', '8080']);
    const nodePort = (await getJSON('/api/v1/namespaces/default/services/web')).spec.ports[0].nodePort;
    const answers = await waitFor('both pods answering on the node port', async () => {
      const names = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`http://127.0.0.1:${nodePort}/index.html`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
        if (res?.ok) names.add((await res.text()).trim());
      }
      return names.size === 2 ? names : undefined;
    }, 60_000, 500);
    expect(answers.size).toBe(2);
    // Through the kubelets' HTTPS APIs, as the apiserver's own identity; anyone else gets 401.
    const webPod = ((await getJSON('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).items as Obj[])[0]!.metadata.name as string;
    expect((await ok(['exec', webPod, '--', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/namespace'])).trim()).toBe('default');
    // etcd speaks only TLS, to holders of its own CA's certificates.
    expect(await fetch('http://127.0.0.1:2379/health').then((r) => r.status, () => 'refused')).not.toBe(200);
    const anonymous = await request('https://127.0.0.1:10250/pods', { dispatcher: new Agent({ connect: { rejectUnauthorized: false } }) });
    expect([anonymous.statusCode, await anonymous.body.text()]).toEqual([401, 'Unauthorized']);
    // Pods get their credentials volume (the cluster CA, published as kube-root-ca.crt).
    const fromPod = await ok(['exec', webPod, '--', 'sh', '-c', 'cat /var/run/secrets/kubernetes.io/serviceaccount/ca.crt | head -1']);
    expect(fromPod.trim()).toBe('-----BEGIN CERTIFICATE-----');

    // A Job runs to completion and a DaemonSet covers both nodes.
    await ok(['create', 'job', 'once', '--image=busybox:1.36', '--', 'echo', 'done']);
    await kubectl.ok(['wait', '--for=condition=complete', 'job/once', '--timeout=60s']);
    expect((await ok(['logs', 'job/once'])).trim()).toBe('done');
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 1; done"] }] } } },
    }));
    await ok(['rollout', 'status', 'daemonset/agent', '--timeout=60s']);
    expect(((await getJSON('/api/v1/namespaces/default/pods?labelSelector=app%3Dagent')).items as Obj[]).map((p) => p.spec.nodeName).sort()).toEqual(['node-1', 'node-2']);
    await ok(['delete', 'daemonset/agent', 'job/once']);

    // A claim of the default local-path class: provisioned on the host for its pod, deleted with it.
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'notes' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '8Mi' } } } },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'writer' },
          spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo compose > /notes/n'], volumeMounts: [{ name: 'notes', mountPath: '/notes' }] }], volumes: [{ name: 'notes', persistentVolumeClaim: { claimName: 'notes' } }] },
        },
      ],
    }));
    await kubectl.ok(['wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/writer', '--timeout=60s']);
    const pvName = (await getJSON('/api/v1/namespaces/default/persistentvolumeclaims/notes')).spec.volumeName;
    const pvPath = (await getJSON(`/api/v1/persistentvolumes/${pvName}`)).spec.hostPath.path as string;
    expect(pvPath.startsWith('/var/lib/kubette/local-path/')).toBe(true);
    expect(readFileSync(`${pvPath}/n`, 'utf8')).toBe('compose\n');
    await kubectl.ok(['delete', 'pod', 'writer']);
    await kubectl.ok(['delete', 'pvc', 'notes']);
    await waitFor('the volume and its directory deleted', async () => (!existsSync(pvPath) && (await fetch(`http://127.0.0.1:8080/api/v1/persistentvolumes/${pvName}`)).status === 404 ? true : undefined), 30_000, 250);

    // kubectl port-forward to the web pods (through the kubelets in their containers), and a
    // custom resource defined, served and printed.
    const forward = spawn('kubectl', ['--kubeconfig', join(root, 'kubeconfig'), 'port-forward', 'deploy/web', '18188:8080'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let said = '';
      forward.stdout!.on('data', (c) => (said += c));
      await waitFor('port-forward listening', async () => said.includes('Forwarding from 127.0.0.1:18188') || undefined, 30_000, 200);
      const forwarded = await fetch('http://127.0.0.1:18188/index.html');
      expect(answers.has((await forwarded.text()).trim())).toBe(true);
    } finally {
      forward.kill('SIGINT');
    }
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'notes.compose.example.com' },
      spec: {
        group: 'compose.example.com',
        scope: 'Namespaced',
        names: { plural: 'notes', singular: 'note', kind: 'Note' },
        versions: [{
          name: 'v1',
          served: true,
          storage: true,
          // A CEL rule: the image's apiserver loads CEL on demand (a chunk of its bundle).
          schema: { openAPIV3Schema: { type: 'object', properties: { text: { type: 'string' } }, 'x-kubernetes-validations': [{ rule: "!has(self.text) || self.text != 'shout'", message: 'notes may not shout' }] } },
          additionalPrinterColumns: [{ name: 'Text', type: 'string', jsonPath: '.text' }],
        }],
      },
    }));
    await ok(['wait', '--for=condition=Established', 'crd/notes.compose.example.com', '--timeout=30s']);
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'compose.example.com/v1', kind: 'Note', metadata: { name: 'hello' }, text: 'from compose' }));
    expect(await ok(['get', 'notes'])).toMatch(/^NAME\s+TEXT\nhello\s+from compose\n$/);
    const shout = await kubectl.run(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'compose.example.com/v1', kind: 'Note', metadata: { name: 'loud' }, text: 'shout' }));
    expect([shout.code, shout.stderr]).toEqual([1, expect.stringContaining('notes may not shout')]);
    await ok(['delete', 'crd', 'notes.compose.example.com']);
    // The controller-manager type-checks an admission policy (CEL, loaded on demand from its bundle's chunk).
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'few-replicas' },
      spec: { matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] }, validations: [{ expression: "object.spec.replicas <= 'five'" }] },
    }));
    const checked = await waitFor('the policy type-checked', async () => {
      const policy = await getJSON('/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/few-replicas');
      return policy.status?.observedGeneration === 1 ? policy.status.typeChecking : undefined;
    }, 30_000, 250);
    expect(JSON.stringify(checked)).toContain('apps/v1, Kind=Deployment');
    await ok(['delete', 'validatingadmissionpolicy', 'few-replicas']);

    const before = ((await getJSON('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).items as Obj[]).map((p) => p.metadata.uid).sort();
    const restart = await compose('restart', 'etcd', 'apiserver');
    expect(restart.code).toBe(0);
    const after = await waitFor('the apiserver back with the same pods', async () => {
      const res = await fetch('http://127.0.0.1:8080/api/v1/namespaces/default/pods?labelSelector=app%3Dweb').catch(() => undefined);
      if (!res?.ok) return undefined;
      return ((await res.json()) as Obj).items.map((p: Obj) => p.metadata.uid).sort();
    }, 60_000, 250);
    expect(after).toEqual(before);

    await ok(['scale', 'deployment/web', '--replicas=3']);
    await ok(['set', 'image', 'deployment/web', 'busybox=kubette/pause:3.9']);
    expect((await ok(['rollout', 'status', 'deployment/web', '--timeout=120s'])).trim().split('\n').at(-1)).toBe('deployment "web" successfully rolled out');
    await ok(['rollout', 'undo', 'deployment/web']);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=120s']);
    const pods = ((await getJSON('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).items as Obj[]).filter((p) => !p.metadata.deletionTimestamp);
    expect(pods.map((p) => p.spec.containers[0].image)).toEqual(['busybox:1.36', 'busybox:1.36', 'busybox:1.36']);
    await ok(['delete', 'deployment', 'web']);
    await ok(['delete', 'service', 'web']);

    // Simulated nodes beside the real ones, from the compose profile: Ready, and taking pods.
    process.env.KUBETTE_SIMULATED_NODES = '5';
    expect((await compose('--profile', 'simulated', 'up', '-d', 'simulated-nodes')).code).toBe(0);
    await waitFor('five simulated nodes Ready', async () => {
      const out = await ok(['get', 'nodes', '-l', 'kubette.io/simulated=true', '--no-headers']);
      return (out.match(/\sReady\s/g) ?? []).length === 5 || undefined;
    }, 60_000, 500);
    await ok(['create', 'deployment', 'on-simulated', '--image=nginx', '--replicas=5']);
    await ok(['patch', 'deployment', 'on-simulated', '-p', JSON.stringify({ spec: { template: { spec: { nodeSelector: { 'kubette.io/simulated': 'true' } } } } })]);
    await ok(['rollout', 'status', 'deployment/on-simulated', '--timeout=60s']);
    await ok(['delete', 'deployment', 'on-simulated']);
    expect((await compose('--profile', 'simulated', 'rm', '-sf', 'simulated-nodes')).code).toBe(0);
    await ok(['delete', 'nodes', '-l', 'kubette.io/simulated=true']);

    // Backup and restore as the README tells it for compose: a snapshot taken in the etcd
    // container and copied out, everything stopped, etcd's volume replaced by the snapshot
    // restored into it, everything started again.
    await ok(['create', 'configmap', 'before-backup', '--from-literal=k=v']);
    const etcdctlTLS = ['--endpoints=https://127.0.0.1:2379', '--cacert=/var/lib/kubette-pki/pki/etcd/ca.crt', '--cert=/var/lib/kubette-pki/pki/apiserver-etcd-client.crt', '--key=/var/lib/kubette-pki/pki/apiserver-etcd-client.key'];
    const saved = await compose('exec', '-T', 'etcd', 'etcdctl', ...etcdctlTLS, 'snapshot', 'save', '/var/lib/etcd/backup.db');
    expect(saved.code, saved.out).toBe(0);
    const backup = join(mkdtempSync(join(tmpdir(), 'kubette-compose-backup-')), 'backup.db');
    execFileSync('docker', ['cp', `${(await compose('ps', '-q', 'etcd')).out.trim()}:/var/lib/etcd/backup.db`, backup]);
    await ok(['create', 'configmap', 'after-backup', '--from-literal=k=v']);
    expect((await compose('stop')).code).toBe(0);
    expect((await compose('rm', '-f', 'etcd')).code).toBe(0);
    execFileSync('docker', ['volume', 'rm', `${PROJECT}_etcd-data`]);
    const restored = await compose('run', '--rm', '--no-deps', '-v', `${backup}:/backup.db:ro`, '--entrypoint', 'etcdctl', 'etcd', 'snapshot', 'restore', '/backup.db',
      '--data-dir', '/var/lib/etcd', '--name', 'kubette', '--initial-cluster', 'kubette=http://127.0.0.1:2380', '--initial-advertise-peer-urls', 'http://127.0.0.1:2380');
    expect(restored.code, restored.out).toBe(0);
    expect((await compose('up', '-d')).code).toBe(0);
    await waitFor('two Ready nodes after the restore', async () => {
      const nodes = await kubectl.run(['get', 'nodes', '--no-headers']);
      return (nodes.stdout.match(/\sReady\s/g) ?? []).length === 2 || undefined;
    }, 120_000, 500);
    expect(await ok(['get', 'configmap', 'before-backup', '-o', 'jsonpath={.data.k}'])).toBe('v');
    expect((await kubectl.run(['get', 'configmap', 'after-backup'])).code).not.toBe(0);
    await ok(['create', 'configmap', 'after-restore']);

    const down = await compose('down', '-v');
    expect(down.code).toBe(0);
    for (const node of ['node-1', 'node-2']) {
      const left = execFileSync('docker', ['ps', '-a', '--format', '{{.Names}} {{.Status}}', '--filter', `label=io.kubette.node=${node}`]).toString().trim();
      expect(left).toBe('');
    }
    expect(execFileSync('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`]).toString().trim()).toBe('');
    expect(execFileSync('docker', ['network', 'ls', '-q', '--filter', 'name=kubette-pods']).toString().trim()).toBe('');
    expect(execFileSync('iptables-save').toString()).not.toContain('KUBETTE-');
  }, 600_000);
});

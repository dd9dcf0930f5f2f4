// Pods run, end to end: the cluster as `npm run up` starts it (etcd, apiserver, scheduler, two
// kubelets on the real Docker engine), driven by unmodified kubectl and the official clients.
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClientConfig } from '../../client/kubeconfig.js';
import { removeNodeContainers, startCluster, type Cluster } from '../harness/cluster.js';
import { startComponent } from '../harness/components.js';
import { kubectlWithKubeconfig } from '../harness/kubectl.js';
import { freePort, waitFor } from '../harness/ports.js';
import { startRegistry } from '../harness/registry.js';

type Obj = Record<string, any>;
let cluster: Cluster;
let kubectl: ReturnType<typeof kubectlWithKubeconfig>;
let hostDir: string;

async function getJSON(path: string): Promise<Obj> {
  const res = await fetch(`${cluster.server}${path}`);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Obj;
}
const pod = (name: string) => getJSON(`/api/v1/namespaces/default/pods/${name}`);
async function waitPod(name: string, what: string, pred: (p: Obj) => boolean, timeoutMs = 60_000): Promise<Obj> {
  return waitFor(`pod ${name}: ${what}`, async () => {
    const p = await pod(name).catch(() => undefined);
    return p && pred(p) ? p : undefined;
  }, timeoutMs, 200);
}
const running = (p: Obj) => p.status?.phase === 'Running' && p.status.containerStatuses?.every((c: Obj) => c.state.running);
const dockerIds = (uid: string) => execFileSync('docker', ['ps', '-aq', '--filter', `label=io.kubernetes.pod.uid=${uid}`]).toString().split('\n').filter(Boolean);

beforeAll(async () => {
  cluster = await startCluster({ nodes: 2 });
  kubectl = kubectlWithKubeconfig(cluster.kubeconfig);
  hostDir = mkdtempSync(join(tmpdir(), 'kubette-e2e-host-'));
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
  if (hostDir) rmSync(hostDir, { recursive: true, force: true });
}, 60_000);

describe('nodes', () => {
  it('two kubelets register and kubectl get nodes -o wide shows both Ready', async () => {
    const out = await kubectl.ok(['get', 'nodes', '-o', 'wide']);
    const [header, ...rows] = out.trim().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
    expect(rows.map((r) => r.split(/\s+/)[0]).sort()).toEqual([...cluster.nodes].sort());
    for (const row of rows) {
      const cols = row.split(/\s{2,}/);
      expect(cols[1]).toBe('Ready');
      expect(cols[4]).toBe('v1.32.0');
      expect(cols[5]).toBe('127.0.0.1');
      expect(cols[9]).toMatch(/^docker:\/\/\d+\./);
    }
    const node = await getJSON(`/api/v1/nodes/${cluster.nodes[0]}`);
    expect(Object.keys(node.status.nodeInfo).sort()).toEqual(
      ['architecture', 'bootID', 'containerRuntimeVersion', 'kernelVersion', 'kubeProxyVersion', 'kubeletVersion', 'machineID', 'operatingSystem', 'osImage', 'systemUUID'].sort(),
    );
    expect(Number(node.status.capacity.cpu)).toBeGreaterThan(0);
    expect(node.status.daemonEndpoints.kubeletEndpoint.Port).toBeGreaterThan(0);
    const lease = await getJSON(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${cluster.nodes[0]}`);
    expect(lease.spec.holderIdentity).toBe(cluster.nodes[0]);
    expect(lease.metadata.ownerReferences[0]).toMatchObject({ kind: 'Node', name: cluster.nodes[0], uid: node.metadata.uid });
    // Each kubelet's CSINode, owned by its Node, with no drivers (none run here).
    const csiNodes = await kubectl.ok(['get', 'csinodes', '--no-headers']);
    expect(csiNodes.trim().split('\n').map((r) => r.split(/\s+/).slice(0, 2)).sort()).toEqual([...cluster.nodes].sort().map((n) => [n, '0']));
    const csiNode = await getJSON(`/apis/storage.k8s.io/v1/csinodes/${cluster.nodes[0]}`);
    expect(csiNode.metadata.ownerReferences[0]).toMatchObject({ apiVersion: 'v1', kind: 'Node', name: cluster.nodes[0], uid: node.metadata.uid });
  });
});

describe('a pod from kubectl run', () => {
  beforeAll(async () => {
    await kubectl.ok(['run', 'web', '--image=busybox:1.36', '--', 'sh', '-c', 'echo hello from web; mkdir -p /www; echo page > /www/index.html; exec httpd -f -p 8080 -h /www']);
    await waitPod('web', 'Running', running);
  }, 90_000);

  it('is Running with a pod IP on the node the scheduler chose', async () => {
    const p = await pod('web');
    expect(cluster.nodes).toContain(p.spec.nodeName);
    expect(p.status.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(p.status.hostIP).toBe('127.0.0.1');
    expect(p.status.containerStatuses[0]).toMatchObject({ name: 'web', ready: true, started: true, restartCount: 0, image: 'busybox:1.36' });
    expect(p.status.containerStatuses[0].containerID).toMatch(/^docker:\/\/[0-9a-f]{64}$/);
    // Its service account token's mount, as the 1.32 kubelet reports it.
    expect(p.status.containerStatuses[0].volumeMounts).toEqual([{ name: expect.stringMatching(/^kube-api-access-/), mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true, recursiveReadOnly: 'Disabled' }]);
    const wide = await kubectl.ok(['get', 'pod', 'web', '-o', 'wide']);
    expect(wide).toMatch(new RegExp(`web\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${p.status.podIP.replace(/\./g, '\\.')}\\s+${p.spec.nodeName}`));
    // The pod's server answers on its IP (a container this test created).
    const page = await fetch(`http://${p.status.podIP}:8080/index.html`).then((r) => r.text());
    expect(page).toBe('page\n');
    const describe = await kubectl.ok(['describe', 'pod', 'web']);
    for (const reason of ['Scheduled', 'Pulled', 'Created', 'Started']) expect(describe).toContain(reason);
  });

  it('kubectl logs and logs -f show the output', async () => {
    expect(await kubectl.ok(['logs', 'web'])).toBe('hello from web\n');
    await kubectl.ok(['run', 'ticker', '--image=busybox:1.36', '--', 'sh', '-c', 'i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.3; done']);
    await waitPod('ticker', 'Running', running);
    const child = spawn('kubectl', ['-s', cluster.server, 'logs', '-f', 'ticker'], { env: { ...process.env, KUBECONFIG: '/dev/null' } });
    let seen = '';
    child.stdout.on('data', (c: Buffer) => (seen += c.toString()));
    await waitFor('followed log lines', async () => (seen.includes('tick 6') ? true : undefined), 30_000, 100);
    child.kill();
    expect(seen).toMatch(/^tick 1\ntick 2\ntick 3\n/);
    expect(await kubectl.ok(['logs', 'ticker', '--tail=1'])).toMatch(/^tick \d+\n$/);
  });

  it('kubectl exec runs commands with stdin and reports exit codes', async () => {
    expect(await kubectl.ok(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2'])).toBe('out\n');
    const failed = await kubectl.run(['exec', 'web', '--', 'sh', '-c', 'exit 3']);
    expect(failed.code).toBe(3);
    expect(failed.stderr).toContain('command terminated with exit code 3');
    expect(await kubectl.ok(['exec', '-i', 'web', '--', 'sh', '-c', 'tr a-z A-Z'], 'shout\n')).toBe('SHOUT\n');
    const missing = await kubectl.run(['exec', 'web', '-c', 'nope', '--', 'true']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('container nope is not valid for pod web');
  });

  it('kubectl exec -it gives a terminal', async () => {
    const out = await new Promise<{ code: number; text: string }>((resolve) => {
      execFile(
        'script',
        ['-qec', `kubectl --kubeconfig ${cluster.kubeconfig} exec -it web -- sh -c 'tty; exit 4'`, '/dev/null'],
        { env: { ...process.env, KUBECONFIG: '/dev/null' }, timeout: 30_000 },
        (err, stdout) => resolve({ code: err ? Number((err as NodeJS.ErrnoException).code) : 0, text: stdout.toString() }),
      );
    });
    expect(out.text).toMatch(/\/dev\/pts\/\d+/);
    expect(out.code).toBe(4);
  });

  it('the Python client (v4.channel.k8s.io) execs too, over TLS', () => {
    const script = `
from kubernetes import client, config
from kubernetes.stream import stream
config.load_kube_config(${JSON.stringify(cluster.kubeconfig)})
out = stream(client.CoreV1Api().connect_get_namespaced_pod_exec, 'web', 'default', command=['sh', '-c', 'echo py-$((1+2))'], stderr=True, stdin=False, stdout=True, tty=False)
print(out.strip())
`;
    // Over TLS (the cluster's kubeconfig), several times: this client polls its raw socket and
    // once hung on frames that shared a TLS record.
    for (let i = 0; i < 5; i++) expect(execFileSync('/usr/bin/python3', ['-c', script], { timeout: 30_000 }).toString().trim()).toBe('py-3');
    // A session with no stream at all is refused before the upgrade, as Kubernetes' kubelet does.
    const noStreams = script.replace('stderr=True, stdin=False, stdout=True', 'stderr=False, stdin=False, stdout=False').replace('print(out.strip())', '');
    const refused = spawnSync('/usr/bin/python3', ['-c', noStreams], { timeout: 30_000 });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr.toString()).toMatch(/Handshake status 400/);
  });

  it('client-node works with the written kubeconfig: lists, reads logs and execs', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    expect((await core.listNode()).items.map((n) => n.metadata?.name).sort()).toEqual([...cluster.nodes].sort());
    expect(await core.readNamespacedPodLog({ name: 'web', namespace: 'default' })).toContain('hello from web');
    let output = '';
    const stdout = new Writable({ write: (chunk, _enc, done) => ((output += chunk.toString()), done()) });
    await new Promise<void>((resolve, reject) => {
      void new k8s.Exec(kc)
        .exec('default', 'web', 'web', ['sh', '-c', 'echo node-$((2+3))'], stdout, null, null, false, () => resolve())
        .catch(reject);
    });
    expect(output.trim()).toBe('node-5');
  });
});

describe('images from a private registry', () => {
  it("pulls with the pod's image pull secret or its service account's, refuses without, and says which secrets it could not read", async () => {
    const registry = await startRegistry({ username: 'robot', password: 's3cret', images: { 'private/box:1.0': 'busybox:1.36' } });
    const image = `${registry.host}/private/box:1.0`;
    const podWith = (name: string, spec: Obj) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image, imagePullPolicy: 'Always', command: ['sleep', '3600'] }], ...spec } });
    try {
      await kubectl.ok(['create', 'secret', 'docker-registry', 'regcred', `--docker-server=${registry.host}`, '--docker-username=robot', '--docker-password=s3cret']);
      await kubectl.ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'puller' }, imagePullSecrets: [{ name: 'regcred' }] }));
      // A secret that does not exist is reported; the one that does is used.
      await kubectl.ok(['create', '-f', '-'], podWith('private-ok', { imagePullSecrets: [{ name: 'nope' }, { name: 'regcred' }] }));
      await kubectl.ok(['create', '-f', '-'], podWith('private-anonymous', {}));
      await kubectl.ok(['create', '-f', '-'], podWith('private-by-account', { serviceAccountName: 'puller' }));
      await waitPod('private-ok', 'running', running);
      const byAccount = await waitPod('private-by-account', 'running', running);
      // The ServiceAccount admission plugin gave the pod the account's pull secrets.
      expect(byAccount.spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
      const refused = await waitPod('private-anonymous', 'refused', (p) => ['ErrImagePull', 'ImagePullBackOff'].includes(p.status?.containerStatuses?.[0]?.state?.waiting?.reason));
      expect(refused.status.containerStatuses[0].state.waiting.message).toMatch(/no basic auth credentials|Back-off pulling image/);
      const failed = await kubectl.ok(['get', 'events', '--field-selector', 'involvedObject.name=private-anonymous,reason=Failed', '-o', 'jsonpath={.items[*].message}']);
      expect(failed).toContain(`Failed to pull image "${image}"`);
      expect(failed).toContain('no basic auth credentials');
      const missing = await kubectl.ok(['get', 'events', '--field-selector', 'involvedObject.name=private-ok,reason=FailedToRetrieveImagePullSecret', '-o', 'jsonpath={.items[*].message}']);
      expect(missing).toContain('Unable to retrieve some image pull secrets (nope); attempting to pull the image may not succeed.');
      // The registry saw authenticated pulls of the manifest, and unauthenticated attempts refused.
      expect(registry.log).toContain('HEAD /v2/private/box/manifests/1.0 200');
      expect(registry.log.some((l) => l.endsWith(' 401'))).toBe(true);
    } finally {
      await kubectl.run(['delete', 'pod', 'private-ok', 'private-anonymous', 'private-by-account', '--wait=false']);
      await kubectl.run(['delete', 'serviceaccount', 'puller']);
      await kubectl.run(['delete', 'secret', 'regcred']);
      await registry.stop();
      spawnSync('docker', ['rmi', '-f', image]);
    }
  }, 120_000);
});

describe('what reaches Docker', () => {
  it('hostPort, cpu and memory limits, and a new image set on the pod', async () => {
    const hostPort = await freePort();
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'limited' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{
          name: 'c',
          image: 'busybox:1.36',
          command: ['sh', '-c', 'mkdir -p /www; echo via-host-port > /www/index.html; exec httpd -f -p 80 -h /www'],
          ports: [{ containerPort: 80, hostPort }],
          resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '250m', memory: '32Mi' } },
        }],
      },
    }));
    const p = await waitPod('limited', 'Running', running);
    expect(await fetch(`http://127.0.0.1:${hostPort}/index.html`).then((r) => r.text())).toBe('via-host-port\n');
    const id = p.status.containerStatuses[0].containerID.replace('docker://', '');
    const host = JSON.parse(execFileSync('docker', ['inspect', '--format', '{{json .HostConfig}}', id]).toString()) as Obj;
    expect(host.Memory).toBe(64 * 1024 * 1024);
    expect(host.NanoCpus).toBe(500_000_000);
    expect(host.CpuShares).toBe(256);
    expect(p.status.qosClass).toBe('Burstable');

    await kubectl.ok(['set', 'image', 'pod/limited', 'c=kubette/pause:3.9']);
    const replaced = await waitPod('limited', 'running the new image', (x) => x.status.containerStatuses[0].image === 'kubette/pause:3.9' && running(x));
    expect(replaced.status.containerStatuses[0].restartCount).toBe(1);
    expect(replaced.status.containerStatuses[0].containerID).not.toBe(p.status.containerStatuses[0].containerID);
  });

  it("a hostNetwork pod runs in the node's network and has the node's address as its IP", async () => {
    await kubectl.ok(['run', 'on-host', '--image=busybox:1.36', '--overrides', JSON.stringify({ spec: { hostNetwork: true, terminationGracePeriodSeconds: 1 } }), '--', 'sleep', '3600']);
    const p = await waitPod('on-host', 'Running', running);
    expect(p.status.podIP).toBe(p.status.hostIP);
    expect(p.status.conditions.find((c: Obj) => c.type === 'PodReadyToStartContainers')?.status).toBe('True');
    const id = p.status.containerStatuses[0].containerID.replace('docker://', '');
    const sandbox = execFileSync('docker', ['inspect', '--format', '{{.HostConfig.NetworkMode}}', id]).toString().trim();
    expect(execFileSync('docker', ['inspect', '--format', '{{.HostConfig.NetworkMode}}', sandbox.replace('container:', '')]).toString().trim()).toBe('host');
    // And the node's hostname, as a CRI runtime gives a pod in the node's namespaces.
    expect((await kubectl.ok(['exec', 'on-host', '--', 'hostname'])).trim()).toBe(hostname());
  });

  it('the kubelet API on the port its Node advertises is HTTPS: 401 without credentials, /healthz, /metrics and /metrics/resource for the admin, 403 for others', async () => {
    const node = await getJSON(`/api/v1/nodes/${cluster.nodes[0]}`);
    const port = node.status.daemonEndpoints.kubeletEndpoint.Port;
    const admin = loadClientConfig({ kubeconfig: cluster.kubeconfig }).tls!;
    const get = (path: string, auth: { cert?: string; key?: string; token?: string } = {}) =>
      new Promise<{ code: number; body: string }>((resolve, reject) => {
        // The kubelet's serving certificate is self-signed, as Kubernetes' kubelet makes it.
        httpsRequest({ host: '127.0.0.1', port, path, rejectUnauthorized: false, cert: auth.cert, key: auth.key, headers: auth.token ? { authorization: `Bearer ${auth.token}` } : {} }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ code: res.statusCode!, body }));
        })
          .on('error', reject)
          .end();
      });
    // What `curl -k https://127.0.0.1:10250/pods` gets.
    expect(await get('/pods')).toEqual({ code: 401, body: 'Unauthorized' });
    expect(await get('/healthz', { token: 'garbage' })).toMatchObject({ code: 401 });
    expect(await get('/healthz', { cert: admin.cert, key: admin.key })).toEqual({ code: 200, body: 'ok' });
    const metrics = (await get('/metrics', { cert: admin.cert, key: admin.key })).body;
    expect(metrics).toMatch(/^kubelet_pod_worker_syncs_total [1-9]\d*$/m);
    expect(metrics).toMatch(/^kubelet_informer_watch_events_total\{resource="pods"\} \d+$/m);
    // Resource metrics (what metrics-server and Prometheus scrape), from the node running pod "web".
    const web = await pod('web');
    const webNode = await getJSON(`/api/v1/nodes/${web.spec.nodeName}`);
    const resource = await new Promise<string>((resolve, reject) => {
      httpsRequest({ host: '127.0.0.1', port: webNode.status.daemonEndpoints.kubeletEndpoint.Port, path: '/metrics/resource', rejectUnauthorized: false, cert: admin.cert, key: admin.key }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${res.statusCode} ${body}`))));
      })
        .on('error', reject)
        .end();
    });
    expect(resource).toContain('# TYPE container_cpu_usage_seconds_total counter');
    const cpu = /^container_cpu_usage_seconds_total\{container="web",namespace="default",pod="web"\} ([0-9.e-]+) (\d+)$/m.exec(resource);
    expect(cpu).not.toBeNull();
    expect(Number(cpu![1])).toBeGreaterThan(0);
    expect(Math.abs(Number(cpu![2]) - Date.now())).toBeLessThan(5 * 60_000);
    expect(Number(/^container_memory_working_set_bytes\{container="web",namespace="default",pod="web"\} (\d+)/m.exec(resource)?.[1])).toBeGreaterThan(0);
    expect(resource).toMatch(/^pod_memory_working_set_bytes\{namespace="default",pod="web"\} \d+ \d+$/m);
    expect(Number(/^node_cpu_usage_seconds_total ([0-9.e+]+) \d+$/m.exec(resource)?.[1])).toBeGreaterThan(0);
    expect(resource).toMatch(/^resource_scrape_error 0$/m);
    // A real user with no rights on nodes/proxy: authenticated by TokenReview, refused by SubjectAccessReview.
    await kubectl.ok(['create', 'serviceaccount', 'nobody']);
    const token = (await kubectl.ok(['create', 'token', 'nobody'])).trim();
    expect(await get('/pods', { token })).toEqual({ code: 403, body: 'Forbidden (user=system:serviceaccount:default:nobody, verb=get, resource=nodes, subresource=proxy)' });
  });
});

describe('scheduling onto the nodes', () => {
  it('spreads pods of one owner, keeps an oversized pod Pending with FailedScheduling, honours nodeSelector, taints and nodeName', async () => {
    const [n1, n2] = cluster.nodes as [string, string];
    // A ReplicaSet's pods (the controller-manager makes them) are spread over the nodes.
    await kubectl.ok(['create', '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'spread' },
      spec: { replicas: 4, selector: { matchLabels: { app: 'spread' } }, template: { metadata: { labels: { app: 'spread' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'] }] } } },
    }));
    const placed = await waitFor('4 running spread pods', async () => {
      const items = (await getJSON('/api/v1/namespaces/default/pods?labelSelector=app%3Dspread')).items as Obj[];
      return items.length === 4 && items.every(running) ? items : undefined;
    }, 60_000, 200);
    const perNode = placed.reduce<Record<string, number>>((acc, p) => ((acc[p.spec.nodeName] = (acc[p.spec.nodeName] ?? 0) + 1), acc), {});
    expect(perNode).toEqual({ [n1]: 2, [n2]: 2 });

    await kubectl.ok(['run', 'huge', '--image=busybox:1.36', '--overrides', JSON.stringify({ spec: { containers: [{ name: 'huge', image: 'busybox:1.36', resources: { requests: { cpu: '1000' } } }] } })]);
    await waitFor('FailedScheduling in describe', async () => {
      const d = await kubectl.ok(['describe', 'pod', 'huge']);
      return d.includes('FailedScheduling') && d.includes('0/2 nodes are available: 2 Insufficient cpu.') ? d : undefined;
    }, 30_000, 300);
    expect((await pod('huge')).status.phase).toBe('Pending');

    const podOn = (name: string, spec: Obj) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'] }], terminationGracePeriodSeconds: 1, ...spec } });
    await kubectl.ok(['taint', 'nodes', n1, 'dedicated=e2e:NoSchedule']);
    try {
      await kubectl.ok(['create', '-f', '-'], JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          podOn('selected', { nodeSelector: { 'kubernetes.io/hostname': n2 } }),
          podOn('tolerant', { nodeSelector: { 'kubernetes.io/hostname': n1 }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'e2e', effect: 'NoSchedule' }] }),
          podOn('intolerant', { nodeSelector: { 'kubernetes.io/hostname': n1 } }),
          podOn('pinned', { nodeName: n1 }),
        ],
      }));
      expect((await waitPod('selected', 'Running', running)).spec.nodeName).toBe(n2);
      expect((await waitPod('tolerant', 'Running', running)).spec.nodeName).toBe(n1);
      expect((await waitPod('pinned', 'Running', running)).spec.nodeName).toBe(n1);
      const intolerant = await waitPod('intolerant', 'marked unschedulable', (p) => p.status?.conditions?.some((c: Obj) => c.type === 'PodScheduled' && c.status === 'False'));
      expect(intolerant.spec.nodeName).toBeUndefined();
      expect(intolerant.status.conditions.find((c: Obj) => c.type === 'PodScheduled').message).toContain("untolerated taint {dedicated: e2e}");
    } finally {
      await kubectl.ok(['taint', 'nodes', n1, 'dedicated=e2e:NoSchedule-']);
    }
  });
});

describe('extended resources', () => {
  it('a node advertises one by a PATCH of its status capacity; its kubelet makes it allocatable, and the scheduler counts it', async () => {
    const [n1] = cluster.nodes as [string, string];
    const patch = (ops: unknown[]) => kubectl.ok(['patch', 'node', n1, '--subresource=status', '--type=json', '-p', JSON.stringify(ops)]);
    await patch([{ op: 'add', path: '/status/capacity/example.com~1dongle', value: '4' }]);
    await waitFor('dongles allocatable', async () => (await getJSON(`/api/v1/nodes/${n1}`)).status.allocatable['example.com/dongle'] === '4' || undefined, 30_000);
    const dongles = (name: string, n: string) =>
      kubectl.ok(['apply', '-f', '-'], JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'], resources: { requests: { 'example.com/dongle': n }, limits: { 'example.com/dongle': n } } }] },
      }));
    await dongles('three-dongles', '3');
    const placed = await waitPod('three-dongles', 'scheduled', (p) => !!p.spec.nodeName, 30_000);
    expect(placed.spec.nodeName).toBe(n1);
    await dongles('two-dongles', '2');
    const events = await waitFor('FailedScheduling', async () => {
      const out = await kubectl.ok(['get', 'events', '--field-selector', 'involvedObject.name=two-dongles,reason=FailedScheduling', '-o', 'jsonpath={.items[*].message}']);
      return out || undefined;
    }, 30_000);
    expect(events).toContain('0/2 nodes are available: 2 Insufficient example.com/dongle.');
    expect((await pod('two-dongles')).status.phase).toBe('Pending');
    // Withdrawn from capacity, it leaves allocatable too.
    await kubectl.ok(['delete', 'pod', 'three-dongles', 'two-dongles', '--wait=false']);
    await patch([{ op: 'remove', path: '/status/capacity/example.com~1dongle' }]);
    await waitFor('dongles withdrawn', async () => !('example.com/dongle' in (await getJSON(`/api/v1/nodes/${n1}`)).status.allocatable) || undefined, 30_000);
  }, 90_000);
});

describe('the node\'s own admission', () => {
  it('a pod given nodeName directly that the node cannot hold is rejected by its kubelet (OutOfcpu), never started', async () => {
    const [n1] = cluster.nodes as [string, string];
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'too-big' },
      spec: { nodeName: n1, containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'], resources: { requests: { cpu: '500' } } }] },
    }));
    const p = await waitPod('too-big', 'rejected', (x) => x.status?.phase === 'Failed', 30_000);
    expect(p.status.reason).toBe('OutOfcpu');
    expect(p.status.message).toMatch(/^Pod was rejected: Node didn't have enough resource: cpu, requested: 500000, used: \d+, capacity: \d+$/);
    expect(dockerIds(p.metadata.uid)).toEqual([]);
    expect(await kubectl.ok(['get', 'pod', 'too-big', '--no-headers'])).toMatch(/too-big\s+0\/1\s+OutOfcpu/);
    await kubectl.ok(['delete', 'pod', 'too-big']);
  }, 60_000);
});

describe('local storage limits', () => {
  it('the node reports its ephemeral storage; a pod over an emptyDir sizeLimit or a container over its ephemeral-storage limit is evicted', async () => {
    const node = await getJSON(`/api/v1/nodes/${cluster.nodes[0]}`);
    expect(node.status.capacity['ephemeral-storage']).toMatch(/^\d+Ki$/);
    // Less the default hard eviction threshold (nodefs.available<10%), in bytes.
    expect(Number(node.status.allocatable['ephemeral-storage'])).toBeLessThan(Number(node.status.capacity['ephemeral-storage'].slice(0, -2)) * 1024);
    const fill = (path: string) => `dd if=/dev/zero of=${path} bs=1024 count=2048 2>/dev/null; sleep 3600`;
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'scratch-writer' },
      spec: {
        containers: [{ name: 'main', image: 'busybox:1.36', command: ['sh', '-c', fill('/scratch/fill')], volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] }],
        volumes: [{ name: 'scratch', emptyDir: { sizeLimit: '1Mi' } }],
      },
    }));
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'layer-writer' },
      spec: {
        containers: [
          { name: 'main', image: 'busybox:1.36', command: ['sh', '-c', fill('/tmp/fill')], resources: { limits: { 'ephemeral-storage': '1Mi' } } },
          { name: 'idle', image: 'busybox:1.36', command: ['sleep', '3600'], resources: { limits: { 'ephemeral-storage': '10Mi' } } },
        ],
      },
    }));
    const scratch = await waitPod('scratch-writer', 'evicted', (x) => x.status?.phase === 'Failed', 60_000);
    expect(scratch.status).toMatchObject({ reason: 'Evicted', message: 'Usage of EmptyDir volume "scratch" exceeds the limit "1Mi". ' });
    const layer = await waitPod('layer-writer', 'evicted', (x) => x.status?.phase === 'Failed', 60_000);
    expect(layer.status).toMatchObject({ reason: 'Evicted', message: 'Container main exceeded its local ephemeral storage limit "1Mi". ' });
    // Defaulted from its limit, the request was what the scheduler placed it by.
    expect(layer.spec.containers[0].resources.requests['ephemeral-storage']).toBe('1Mi');
    for (const p of [scratch, layer]) expect(execFileSync('docker', ['ps', '-q', '--filter', `label=io.kubernetes.pod.uid=${p.metadata.uid}`]).toString().trim()).toBe('');
    await kubectl.ok(['delete', 'pod', 'scratch-writer', 'layer-writer', '--wait=false']);
  }, 120_000);
});

describe('restarts and probes', () => {
  it('restarts a failing container with back-off, restarts on liveness failure, and keeps a failing-readiness pod not Ready', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'crasher' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo crashing; exit 2'] }] } },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'liveness' },
          spec: {
            containers: [{
              name: 'c',
              image: 'busybox:1.36',
              command: ['sh', '-c', "trap 'exit 0' TERM; touch /tmp/alive; while true; do sleep 0.2; done"],
              livenessProbe: { exec: { command: ['test', '-f', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 2 },
            }],
          },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'unready' },
          spec: {
            containers: [{
              name: 'c',
              image: 'busybox:1.36',
              command: ['sh', '-c', 'mkdir -p /www; exec httpd -f -p 8080 -h /www'],
              readinessProbe: { httpGet: { path: '/healthy', port: 8080 }, periodSeconds: 1 },
            }],
          },
        },
      ],
    }));
    await waitPod('liveness', 'Running', running);
    await kubectl.ok(['exec', 'liveness', '--', 'rm', '/tmp/alive']);
    const restarted = await waitPod('liveness', 'restarted after liveness failure', (p) => p.status.containerStatuses?.[0]?.restartCount >= 1 && running(p), 60_000);
    expect(restarted.status.containerStatuses[0].lastState.terminated).toBeDefined();
    const events = await kubectl.ok(['get', 'events', '--field-selector', 'involvedObject.name=liveness', '-o', 'json']);
    expect(events).toContain('Liveness probe failed');
    expect(events).toContain('failed liveness probe, will be restarted');

    const crash = await waitPod('crasher', 'two restarts, now backing off', (p) => {
      const cs = p.status?.containerStatuses?.[0];
      return cs?.restartCount >= 2 && cs.state.waiting?.reason === 'CrashLoopBackOff';
    }, 90_000);
    expect(crash.status.phase).toBe('Running');
    expect(crash.status.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    const row = await kubectl.ok(['get', 'pod', 'crasher', '--no-headers']);
    expect(row).toMatch(/crasher\s+0\/1\s+CrashLoopBackOff\s+[2-9]/);
    expect(await kubectl.ok(['logs', 'crasher', '--previous'])).toBe('crashing\n');

    const unready = await pod('unready');
    expect(unready.status.phase).toBe('Running');
    expect(unready.status.containerStatuses[0].ready).toBe(false);
    expect(unready.status.conditions.find((c: Obj) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
    expect(await kubectl.ok(['get', 'pod', 'unready', '--no-headers'])).toMatch(/unready\s+0\/1\s+Running/);
    await kubectl.ok(['exec', 'unready', '--', 'sh', '-c', 'echo ok > /www/healthy']);
    await waitPod('unready', 'Ready', (p) => p.status.conditions.some((c: Obj) => c.type === 'Ready' && c.status === 'True'), 30_000);
  }, 150_000);

  it('gRPC probes call the health service: SERVING passes, NOT_SERVING keeps the pod unready with the reason', async () => {
    // A gRPC health server in Node: the whole server SERVING; service "db" SERVING once /tmp/db exists.
    const server = [
      "const h2 = require('http2'), fs = require('fs');",
      "h2.createServer().on('stream', (s) => { const c = []; s.on('data', (d) => c.push(d)); s.on('end', () => {",
      "  const b = Buffer.concat(c).subarray(5); const svc = b.length ? b.subarray(2).toString() : '';",
      "  const st = svc === '' || fs.existsSync('/tmp/' + svc) ? 1 : 2;",
      "  s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });",
      "  s.on('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0' }));",
      "  s.end(Buffer.from([0, 0, 0, 0, 2, 8, st])); }); }).listen(9000);",
    ].join('\n');
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'grpc' },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: [{
          name: 'server',
          image: 'kubette/node:20-bookworm',
          command: ['node', '-e', server],
          livenessProbe: { grpc: { port: 9000 }, periodSeconds: 1 },
          readinessProbe: { grpc: { port: 9000, service: 'db' }, periodSeconds: 1 },
        }],
      },
    }));
    await waitFor('the readiness probe failing', async () => {
      const events = await kubectl.ok(['get', 'events', '--field-selector', 'involvedObject.name=grpc,reason=Unhealthy', '-o', 'jsonpath={.items[*].message}']);
      return events.includes('Readiness probe failed: service unhealthy (responded with "NOT_SERVING")') || undefined;
    }, 60_000);
    const unready = await pod('grpc');
    expect(unready.status.conditions.find((c: Obj) => c.type === 'Ready')).toMatchObject({ status: 'False' });
    await kubectl.ok(['exec', 'grpc', '--', 'touch', '/tmp/db']);
    const ready = await waitPod('grpc', 'Ready', (p) => p.status.conditions.some((c: Obj) => c.type === 'Ready' && c.status === 'True'), 30_000);
    // The liveness probe (the whole server) passed all along: never restarted.
    expect(ready.status.containerStatuses[0].restartCount).toBe(0);
    await kubectl.ok(['delete', 'pod', 'grpc', '--grace-period=0', '--force']);
  }, 90_000);

  it('a pod with a readiness gate turns Ready only when its condition is set True, and its kubelet keeps that condition', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'gated' },
      spec: { readinessGates: [{ conditionType: 'example.com/registered' }], terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'] }] },
    }));
    const waiting = await waitPod('gated', 'running, held back by its gate', (p) => running(p) && p.status.conditions?.some((c: Obj) => c.type === 'Ready' && c.reason === 'ReadinessGatesNotReady'));
    expect(waiting.status.conditions.find((c: Obj) => c.type === 'Ready').message).toBe('corresponding condition of pod readiness gate "example.com/registered" does not exist.');
    expect(waiting.status.conditions.find((c: Obj) => c.type === 'ContainersReady').status).toBe('True');
    expect(await kubectl.ok(['get', 'pod', 'gated', '-o', 'wide'])).toMatch(/gated\s+1\/1\s+Running.*\s0\/1\s*$/m); // containers ready; gates not
    await kubectl.ok(['patch', 'pod', 'gated', '--subresource=status', '-p', JSON.stringify({ status: { conditions: [{ type: 'example.com/registered', status: 'True' }] } })]);
    const ready = await waitPod('gated', 'Ready', (p) => p.status.conditions?.some((c: Obj) => c.type === 'Ready' && c.status === 'True'));
    expect(ready.status.conditions).toContainEqual(expect.objectContaining({ type: 'example.com/registered', status: 'True' }));
    expect(await kubectl.ok(['get', 'pod', 'gated', '-o', 'wide'])).toMatch(/gated\s+1\/1\s+Running.*\s1\/1\s*$/m);
    await kubectl.ok(['delete', 'pod', 'gated', '--wait=false']);
  });

  it('a container that cannot start (StartError) is retried with back-off, not in a tight loop', async () => {
    await kubectl.ok(['run', 'nostart', '--image=busybox:1.36', '--command', '--', '/no/such/binary']);
    const p = await waitPod('nostart', 'CrashLoopBackOff after a StartError', (x) => {
      const cs = x.status?.containerStatuses?.[0];
      return cs?.state.waiting?.reason === 'CrashLoopBackOff' && cs.lastState.terminated?.reason === 'StartError';
    }, 60_000);
    expect(p.status.containerStatuses[0].lastState.terminated.message).toContain('/no/such/binary');
    // Docker records no end time for a failed start; the back-off counts from its creation, so
    // in 10 s there are a few attempts (10 s, 20 s windows), not dozens.
    await new Promise((r) => setTimeout(r, 10_000));
    expect((await pod('nostart')).status.containerStatuses[0].restartCount).toBeLessThan(4);
    await kubectl.ok(['delete', 'pod', 'nostart', '--grace-period=0', '--force']);
  }, 90_000);
});

describe('sidecars, termination messages and active deadlines', () => {
  it('a sidecar runs beside the job it serves and is stopped when the job is done; containers leave termination messages; a pod past its deadline fails', async () => {
    const loop = "trap 'exit 0' TERM; while true; do sleep 0.2; done";
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'with-sidecar' },
          spec: {
            restartPolicy: 'Never',
            volumes: [{ name: 'work', emptyDir: {} }],
            initContainers: [
              // The sidecar must be running before the init container after it starts.
              { name: 'shipper', image: 'busybox:1.36', restartPolicy: 'Always', command: ['sh', '-c', `touch /work/shipper-up; ${loop}`], volumeMounts: [{ name: 'work', mountPath: '/work' }], startupProbe: { exec: { command: ['test', '-f', '/work/shipper-up'] }, periodSeconds: 1 } },
              { name: 'prep', image: 'busybox:1.36', command: ['sh', '-c', 'test -f /work/shipper-up && echo prepared > /work/state'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
            ],
            containers: [{ name: 'main', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 2; cat /work/state > /dev/termination-log'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
          },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'says-why' },
          spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', terminationMessagePolicy: 'FallbackToLogsOnError', command: ['sh', '-c', 'echo starting; echo config missing; exit 3'] }] },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'deadline' },
          // sleep as PID 1 ignores SIGTERM: killed when the grace period ends.
          spec: { activeDeadlineSeconds: 3, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'] }] },
        },
      ],
    }));

    const done = await waitPod('with-sidecar', 'Succeeded', (p) => p.status?.phase === 'Succeeded', 90_000);
    const [shipper, prep] = done.status.initContainerStatuses;
    expect(prep.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(prep.ready).toBe(true);
    // Stopped by the kubelet once the job was done (its TERM trap exits 0), never restarted.
    expect(shipper.state.terminated).toBeDefined();
    expect(shipper.restartCount).toBe(0);
    expect(done.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed', message: 'prepared\n' });
    // The sidecar outlived the job: it stopped after the job's container finished.
    expect(Date.parse(shipper.state.terminated.finishedAt)).toBeGreaterThanOrEqual(Date.parse(done.status.containerStatuses[0].state.terminated.finishedAt));
    expect(await kubectl.ok(['get', 'pod', 'with-sidecar', '--no-headers'])).toMatch(/with-sidecar\s+0\/2\s+Completed/);

    const failed = await waitPod('says-why', 'Failed', (p) => p.status?.phase === 'Failed');
    expect(failed.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 3, reason: 'Error', message: 'starting\nconfig missing\n' });
    expect(await kubectl.ok(['get', 'pod', 'says-why', '-o', 'jsonpath={.status.containerStatuses[0].state.terminated.message}'])).toBe('starting\nconfig missing\n');

    const late = await waitPod('deadline', 'failed past its deadline', (p) => p.status?.phase === 'Failed', 60_000);
    expect(late.status).toMatchObject({ reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' });
    expect(late.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    // kubectl shows how the container ended, as it does on Kubernetes.
    expect(await kubectl.ok(['get', 'pod', 'deadline', '--no-headers'])).toMatch(/deadline\s+0\/1\s+Error/);
    const events = await kubectl.ok(['get', 'events', '--field-selector', 'involvedObject.name=deadline,reason=DeadlineExceeded', '-o', 'json']);
    expect(events).toContain('Pod was active on the node longer than the specified deadline');
  }, 150_000);
});

describe('configuration inside containers', () => {
  it('env from ConfigMaps, Secrets and fields, and configMap/secret/emptyDir volumes are visible', async () => {
    await kubectl.ok(['create', 'configmap', 'settings', '--from-literal=color=blue', '--from-literal=size=3']);
    await kubectl.ok(['create', 'secret', 'generic', 'creds', '--from-literal=password=s3cret']);
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'configured', labels: { tier: 'e2e' } },
      spec: {
        restartPolicy: 'Never',
        initContainers: [{ name: 'prepare', image: 'busybox:1.36', command: ['sh', '-c', 'echo prepared > /scratch/marker'], volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] }],
        containers: [{
          name: 'main',
          image: 'busybox:1.36',
          command: ['sh', '-c', 'echo "color=$COLOR password=$PASSWORD pod=$POD tier=$TIER node=$NODE greeting=$GREETING"; echo "cfg_size=$CFG_size"; cat /etc/settings/color; echo; cat /etc/creds/password; echo; cat /scratch/marker; ls /etc/settings; echo "k8s=$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT"'],
          env: [
            { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'settings', key: 'color' } } },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
            { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'TIER', valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } },
            { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
            { name: 'GREETING', value: 'hi-$(POD)-$(COLOR)' },
          ],
          envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'settings' } }],
          volumeMounts: [
            { name: 'settings', mountPath: '/etc/settings' },
            { name: 'creds', mountPath: '/etc/creds' },
            { name: 'scratch', mountPath: '/scratch' },
          ],
        }],
        volumes: [
          { name: 'settings', configMap: { name: 'settings' } },
          { name: 'creds', secret: { secretName: 'creds' } },
          { name: 'scratch', emptyDir: {} },
        ],
      },
    }));
    const done = await waitPod('configured', 'Succeeded', (p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed');
    expect(done.status.phase).toBe('Succeeded');
    const logs = await kubectl.ok(['logs', 'configured', '-c', 'main']);
    expect(logs).toBe(`color=blue password=s3cret pod=configured tier=e2e node=${done.spec.nodeName} greeting=hi-configured-blue\ncfg_size=3\nblue\ns3cret\nprepared\ncolor\nsize\nk8s=${cluster.serviceCIDR.replace('0.0/16', '0.1')}:443\n`);
    expect(await kubectl.ok(['get', 'pod', 'configured', '--no-headers'])).toMatch(/configured\s+0\/1\s+Completed\s+0/);
  });

  it('an emptyDir with medium Memory is one tmpfs that the pod\'s containers share, sized by its sizeLimit, and goes with the pod', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'in-memory' },
      spec: {
        terminationGracePeriodSeconds: 1,
        securityContext: { fsGroup: 3000 },
        containers: [
          { name: 'writer', image: 'busybox:1.36', command: ['sh', '-c', "trap 'exit 0' TERM; echo shared > /cache/note; while true; do sleep 1; done"], volumeMounts: [{ name: 'cache', mountPath: '/cache' }] },
          { name: 'reader', image: 'busybox:1.36', command: ['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 1; done"], volumeMounts: [{ name: 'cache', mountPath: '/cache', readOnly: true }] },
        ],
        volumes: [{ name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }],
      },
    }));
    const p = await waitPod('in-memory', 'Running', running);
    const read = await waitFor('the writer\'s file seen by the reader', async () => {
      const r = await kubectl.run(['exec', 'in-memory', '-c', 'reader', '--', 'cat', '/cache/note']);
      return r.code === 0 ? r.stdout : undefined;
    }, 30_000, 300);
    expect(read.trim()).toBe('shared');
    // A tmpfs of 16 MiB, group fsGroup with the setgid bit, read-only for the reader.
    const mounts = await kubectl.ok(['exec', 'in-memory', '-c', 'reader', '--', 'grep', ' /cache ', '/proc/mounts']);
    expect(mounts).toMatch(/^\S+ \/cache tmpfs ro,.*size=16384k/);
    expect((await kubectl.ok(['exec', 'in-memory', '-c', 'writer', '--', 'stat', '-c', '%g %A', '/cache'])).trim()).toBe('3000 drwxrwsrwx');
    const denied = await kubectl.run(['exec', 'in-memory', '-c', 'reader', '--', 'sh', '-c', 'echo x > /cache/other']);
    expect(denied.code).not.toBe(0);
    // Writing past the size fails with no space left, as a full tmpfs does.
    const full = await kubectl.run(['exec', 'in-memory', '-c', 'writer', '--', 'dd', 'if=/dev/zero', 'of=/cache/big', 'bs=1M', 'count=32']);
    expect(full.code).not.toBe(0);
    expect(full.stderr).toMatch(/No space left on device/);
    const volume = `kubette-${p.metadata.uid}-cache`;
    expect(execFileSync('docker', ['volume', 'inspect', '-f', '{{.Options.type}}', volume]).toString().trim()).toBe('tmpfs');
    await kubectl.ok(['delete', 'pod', 'in-memory', '--wait=true']);
    await waitFor('the volume removed', async () => {
      try {
        execFileSync('docker', ['volume', 'inspect', volume], { stdio: 'ignore' });
        return undefined;
      } catch {
        return true;
      }
    }, 30_000, 300);
  });

  it("/etc/hosts names the pod (its FQDN under a subdomain) and its hostAliases; /etc/resolv.conf names the cluster's DNS server", async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'named' },
      spec: {
        hostname: 'api',
        subdomain: 'backend',
        hostAliases: [{ ip: '10.1.2.3', hostnames: ['foo.local', 'bar.local'] }],
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'] }],
      },
    }));
    const p = await waitPod('named', 'Running', running);
    const hosts = await kubectl.ok(['exec', 'named', '--', 'cat', '/etc/hosts']);
    expect(hosts.startsWith('# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n')).toBe(true);
    expect(hosts).toContain(`${p.status.podIP}\tapi.backend.default.svc.cluster.local\tapi\n`);
    expect(hosts.endsWith('\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n')).toBe(true);
    expect((await kubectl.ok(['exec', 'named', '--', 'hostname', '-f'])).trim()).toBe('api.backend.default.svc.cluster.local');
    expect(await kubectl.ok(['exec', 'named', '--', 'cat', '/etc/resolv.conf'])).toBe(
      `search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver ${cluster.dnsIP}\noptions ndots:5\n`,
    );
    // The resolver answers through it, search domains applied.
    // (ping only to resolve the name: nothing answers ICMP at a service address)
    expect(await kubectl.ok(['exec', 'named', '--', 'sh', '-c', 'ping -c1 -W1 kubernetes.default 2>&1 | head -1'])).toMatch(/^PING kubernetes\.default \(10\.\d+\.0\.1\)/);
    // With setHostnameAsFQDN the kernel's hostname is the FQDN itself.
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'fqdn' },
      spec: { hostname: 'api', subdomain: 'backend', setHostnameAsFQDN: true, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'] }] },
    }));
    await waitPod('fqdn', 'Running', running);
    expect((await kubectl.ok(['exec', 'fqdn', '--', 'hostname'])).trim()).toBe('api.backend.default.svc.cluster.local');
    await kubectl.ok(['delete', 'pod', 'named', 'fqdn', '--wait=false']);
  });

  it('a missing ConfigMap holds the container in CreateContainerConfigError', async () => {
    await kubectl.ok(['run', 'needs-config', '--image=busybox:1.36', '--overrides', JSON.stringify({ spec: { containers: [{ name: 'needs-config', image: 'busybox:1.36', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k' } } }] }] } })]);
    const p = await waitPod('needs-config', 'config error', (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError');
    expect(p.status.containerStatuses[0].state.waiting.message).toBe('configmap "absent" not found');
  });

  it("subPathExpr takes the container's environment; a link a container planted to leave the volume is refused", async () => {
    const vol = { name: 'vol', emptyDir: {} };
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'subpaths' },
      spec: {
        volumes: [vol],
        // The init container plants links in the shared volume: one to the container's / (the
        // node's / when the kubelet follows it), one that stays inside.
        initContainers: [{ name: 'plant', image: 'busybox:1.36', command: ['sh', '-c', 'mkdir -p /vol/data && ln -s / /vol/rootfs && ln -s data /vol/alias'], volumeMounts: [{ name: 'vol', mountPath: '/vol' }] }],
        containers: [
          { name: 'writer', image: 'busybox:1.36', env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }], command: ['sh', '-c', 'echo hi > /out/greeting; sleep 3600'], volumeMounts: [{ name: 'vol', mountPath: '/out', subPathExpr: 'logs/$(POD_NAME)' }] },
          { name: 'reader', image: 'busybox:1.36', command: ['sleep', '3600'], volumeMounts: [{ name: 'vol', mountPath: '/vol' }, { name: 'vol', mountPath: '/alias', subPath: 'alias' }] },
          { name: 'escaper', image: 'busybox:1.36', command: ['sleep', '3600'], volumeMounts: [{ name: 'vol', mountPath: '/host', subPath: 'rootfs' }] },
        ],
      },
    }));
    const p = await waitPod('subpaths', 'escaper refused, the others running', (x) => {
      const byName = Object.fromEntries((x.status?.containerStatuses ?? []).map((c: Obj) => [c.name, c]));
      return byName.escaper?.state?.waiting?.reason === 'CreateContainerConfigError' && byName.writer?.state?.running && byName.reader?.state?.running;
    }, 90_000);
    expect(p.status.containerStatuses.find((c: Obj) => c.name === 'escaper').state.waiting.message).toBe('failed to prepare subPath for volumeMount "vol" of container "escaper"');
    expect(await kubectl.ok(['exec', 'subpaths', '-c', 'reader', '--', 'cat', '/vol/logs/subpaths/greeting'])).toBe('hi\n');
    // A link that stays inside the volume is followed.
    expect(await kubectl.ok(['exec', 'subpaths', '-c', 'reader', '--', 'ls', '-a', '/alias'])).toBe('.\n..\n');
  }, 120_000);

  it('an image that cannot be pulled shows ErrImagePull, then ImagePullBackOff', async () => {
    const port = await freePort(); // nothing listens there: the pull fails on loopback
    await kubectl.ok(['run', 'unpullable', `--image=127.0.0.1:${port}/nothing:1`]);
    const reasons = new Set<string>();
    await waitPod('unpullable', 'ImagePullBackOff', (p) => {
      const reason = p.status?.containerStatuses?.[0]?.state?.waiting?.reason;
      if (reason) reasons.add(reason);
      return reason === 'ImagePullBackOff';
    });
    expect(reasons.has('ErrImagePull') || (await kubectl.ok(['describe', 'pod', 'unpullable'])).includes('ErrImagePull')).toBe(true);
  });
});

describe('deletion', () => {
  /** A pod whose container runs `onTerm` (with the test's host directory at /host) when it gets SIGTERM, then exits 0. */
  const applyTermPod = (name: string, onTerm: string, lifecycle: Obj) =>
    kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: {
        containers: [{
          name: 'c',
          image: 'busybox:1.36',
          command: ['sh', '-c', `trap '${onTerm}; exit 0' TERM; while true; do sleep 0.2; done`],
          volumeMounts: [{ name: 'host', mountPath: '/host' }],
          lifecycle,
        }],
        volumes: [{ name: 'host', hostPath: { path: hostDir, type: 'Directory' } }],
      },
    }));

  it('kubectl delete pod runs preStop, sends SIGTERM, waits for the container and leaves nothing behind', async () => {
    await applyTermPod('graceful', 'echo got TERM > /host/term', {
      postStart: { exec: { command: ['sh', '-c', 'echo poststart >> /host/hooks'] } },
      preStop: { exec: { command: ['sh', '-c', 'echo prestop >> /host/hooks'] } },
    });
    const p = await waitPod('graceful', 'Running', running);
    expect(dockerIds(p.metadata.uid).length).toBe(2); // sandbox + container
    await kubectl.ok(['delete', 'pod', 'graceful']);
    expect(readFileSync(join(hostDir, 'term'), 'utf8')).toBe('got TERM\n');
    // The hooks ran: postStart after the start, preStop before the SIGTERM.
    expect(readFileSync(join(hostDir, 'hooks'), 'utf8')).toBe('poststart\nprestop\n');
    expect(dockerIds(p.metadata.uid)).toEqual([]);
    expect((await kubectl.run(['get', 'pod', 'graceful'])).stderr).toContain('NotFound');
  });

  it('a preStop sleep holds the SIGTERM back for its seconds', async () => {
    await applyTermPod('sleepy-stop', 'date +%s > /host/sleepy-term', { preStop: { sleep: { seconds: 3 } } });
    await waitPod('sleepy-stop', 'Running', running);
    const asked = Math.floor(Date.now() / 1000);
    await kubectl.ok(['delete', 'pod', 'sleepy-stop']);
    // The TERM came no sooner than the sleep's end (whole seconds, so one of slack).
    expect(Number(readFileSync(join(hostDir, 'sleepy-term'), 'utf8')) - asked).toBeGreaterThanOrEqual(2);
  });

  it('a container that ignores SIGTERM is killed when the grace period ends', async () => {
    await kubectl.ok(['run', 'stubborn', '--image=busybox:1.36', '--', 'sleep', '3600']); // PID 1 ignores TERM
    const p = await waitPod('stubborn', 'Running', running);
    await kubectl.ok(['delete', 'pod', 'stubborn', '--grace-period=2']);
    expect(dockerIds(p.metadata.uid)).toEqual([]);
  });
});

// Last: it adds a third node, which would change what the scheduling tests above expect.
describe('a kubelet restart', () => {
  it('adopts the running containers instead of restarting them, and removes those of pods deleted meanwhile', async () => {
    const node = `${cluster.nodes[0]}-extra`;
    const rootDir = mkdtempSync(join(tmpdir(), 'kubette-e2e-kubelet-'));
    const args = ['--master', cluster.server, '--node-name', node, '--port', '0', '--address', '127.0.0.1', '--root-dir', rootDir, '--healthz-port', '0', '--client-ca-file', join(cluster.dataDir, 'pki', 'ca.crt')];
    let kubelet = startComponent('kubelet', args);
    try {
      await waitFor('extra node Ready', async () => {
        const n = await getJSON(`/api/v1/nodes/${node}`).catch(() => undefined);
        return n?.status?.conditions?.some((c: Obj) => c.type === 'Ready' && c.status === 'True');
      }, 30_000, 200);
      const spec = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'] }] } });
      await kubectl.ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [spec('survivor'), spec('orphan')] }));
      const before = await waitPod('survivor', 'Running', running);
      const orphan = await waitPod('orphan', 'Running', running);
      const id = before.status.containerStatuses[0].containerID;

      await kubelet.kill(); // no chance to clean up
      // Deleted while its kubelet is away: nothing on the node hears about it.
      await kubectl.ok(['delete', 'pod', 'orphan', '--grace-period=0', '--force']);
      expect(dockerIds(orphan.metadata.uid).length).toBe(2);

      kubelet = startComponent('kubelet', args);
      await waitFor('orphan containers removed', async () => (dockerIds(orphan.metadata.uid).length === 0 ? true : undefined), 60_000, 300);
      const after = await pod('survivor');
      expect(after.status.containerStatuses[0].containerID).toBe(id);
      expect(after.status.containerStatuses[0].restartCount).toBe(0);
      expect(after.status.containerStatuses[0].state.running.startedAt).toBe(before.status.containerStatuses[0].state.running.startedAt);
      // Still managed: exec and deletion go through the new kubelet.
      expect(await kubectl.ok(['exec', 'survivor', '--', 'echo', 'still here'])).toBe('still here\n');
      await kubectl.ok(['delete', 'pod', 'survivor']);
      expect(dockerIds(before.metadata.uid)).toEqual([]);
    } finally {
      await kubelet.stop();
      removeNodeContainers([node]);
      rmSync(rootDir, { recursive: true, force: true });
    }
  }, 120_000);
});

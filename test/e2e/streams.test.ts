// Streams into pods as users drive them (issue 14): kubectl port-forward (1.27 over SPDY, 1.32
// and 1.33 over SPDY tunnelled in a WebSocket) to a pod, a Service and a Deployment, carrying
// HTTP and 1 MiB both ways over several connections at once, with errors reaching the client;
// the JavaScript and Python clients' WebSocket port-forward; kubectl attach with stdin;
// kubectl run -i --rm; kubectl cp of a directory both ways; kubectl debug with an ephemeral container.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadClientConfig } from '../../client/kubeconfig.js';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { KUBECTL_VERSIONS, kubectlWithKubeconfig } from '../harness/kubectl.js';
import { freePort, waitFor } from '../harness/ports.js';

let cluster: Cluster;
let kubectl: ReturnType<typeof kubectlWithKubeconfig>;
const children: ChildProcess[] = [];

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// Serves on the pod's loopback only: reachable only from inside its network namespace.
const WEB = 'mkdir -p /www && echo hello-from-pod > /www/index.html && head -c 1048576 /dev/urandom > /www/big.bin && exec httpd -f -p 127.0.0.1:8080 -h /www';
const ECHO = 'while true; do nc -l -p 9000 -e cat; done';

beforeAll(async () => {
  cluster = await startCluster({ nodes: 1 });
  kubectl = kubectlWithKubeconfig(cluster.kubeconfig);
  await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'pf' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'pf' } },
      template: {
        metadata: { labels: { app: 'pf' } },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [
            { name: 'web', image: 'busybox:1.36', command: ['sh', '-c', WEB], ports: [{ containerPort: 8080, name: 'http' }] },
            { name: 'echo', image: 'busybox:1.36', command: ['sh', '-c', ECHO] },
          ],
        },
      },
    },
  }));
  await kubectl.ok(['expose', 'deployment', 'pf', '--port=80', '--target-port=http']);
  await kubectl.ok(['wait', '--for=condition=Available', 'deployment/pf', '--timeout=60s']);
}, 120_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await cluster?.stop();
}, 60_000);

/** Starts `kubectl port-forward`, resolves once it listens; its stderr is collected. */
async function portForward(binary: string, target: string, mapping: string): Promise<{ stderr: () => string; child: ChildProcess }> {
  const child = spawn(binary, ['--kubeconfig', cluster.kubeconfig, 'port-forward', target, mapping], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  await waitFor(`port-forward ${target} listening`, async () => {
    if (child.exitCode !== null) throw new Error(`kubectl port-forward exited: ${err}`);
    return out.includes('Forwarding from 127.0.0.1');
  }, 30_000);
  return { stderr: () => err, child };
}

/** One HTTP/1.0 GET over a fresh TCP connection: the whole response (head and body). */
function rawGet(port: number, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(`GET ${path} HTTP/1.0\r\n\r\n`));
    const chunks: Buffer[] = [];
    s.on('data', (c) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
}

const body = (res: Buffer) => res.subarray(res.indexOf('\r\n\r\n') + 4);

/** Sends `data` to an echo server through `port` and reads as many bytes back. */
function echo(port: number, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(data));
    const chunks: Buffer[] = [];
    let got = 0;
    s.on('data', (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (got >= data.length) {
        s.destroy();
        resolve(Buffer.concat(chunks));
      }
    });
    s.on('error', reject);
    s.on('close', () => got < data.length && reject(new Error(`echo closed after ${got} of ${data.length} bytes`)));
  });
}

describe.each(Object.entries(KUBECTL_VERSIONS))('kubectl %s port-forward', (_version, binary) => {
  it('carries HTTP and 1 MiB both ways, over several connections at once, to a pod, a Service and a Deployment', async () => {
    const pod = (await kubectl.ok(['get', 'pods', '-l', 'app=pf', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    const [podPort, echoPort, svcPort, deployPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const pf = await portForward(binary, `pod/${pod}`, `${podPort}:8080`);
    const pfEcho = await portForward(binary, `pod/${pod}`, `${echoPort}:9000`);
    const pfSvc = await portForward(binary, 'svc/pf', `${svcPort}:80`);
    const pfDeploy = await portForward(binary, 'deploy/pf', `${deployPort}:8080`);

    expect(body(await rawGet(podPort, '/index.html')).toString()).toBe('hello-from-pod\n');
    const bigs = await Promise.all(Array.from({ length: 4 }, () => rawGet(podPort, '/big.bin')));
    const reference = body(bigs[0]!);
    expect(reference.length).toBe(1024 * 1024);
    for (const b of bigs) expect(sha(body(b))).toBe(sha(reference));
    const upload = randomBytes(1024 * 1024);
    expect(sha(await echo(echoPort, upload))).toBe(sha(upload));
    expect(body(await rawGet(svcPort, '/index.html')).toString()).toBe('hello-from-pod\n');
    expect(body(await rawGet(deployPort, '/index.html')).toString()).toBe('hello-from-pod\n');
    for (const p of [pf, pfEcho, pfSvc, pfDeploy]) p.child.kill('SIGINT');
  }, 120_000);

  it('reports a port nothing listens on to the client', async () => {
    const local = await freePort();
    const pf = await portForward(binary, 'deploy/pf', `${local}:9999`);
    await rawGet(local, '/').catch(() => Buffer.alloc(0));
    await waitFor('the error on kubectl stderr', async () => pf.stderr().includes('error forwarding port 9999'), 15_000);
    expect(pf.stderr()).toMatch(/an error occurred forwarding \d+ -> 9999: error forwarding port 9999 to pod default\/pf-[a-z0-9-]+, uid [0-9a-f-]+: .*Connection refused/);
    pf.child.kill('SIGINT');
  }, 60_000);
});

describe('official clients port-forward over WebSocket', () => {
  it('client-node: PortForward carries an HTTP exchange', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    const forward = new k8s.PortForward(kc);
    const pod = (await kubectl.ok(['get', 'pods', '-l', 'app=pf', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    const server = createServer((socket) => void forward.portForward('default', pod, [8080], socket, null, socket));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      // client-node does not end the local socket when the pod closes the connection: read until the body is in.
      const res = await new Promise<Buffer>((resolve, reject) => {
        const s = connect((server.address() as AddressInfo).port, '127.0.0.1', () => s.write('GET /index.html HTTP/1.0\r\n\r\n'));
        let got = Buffer.alloc(0);
        s.on('data', (c: Buffer) => {
          got = Buffer.concat([got, c]);
          if (got.includes('hello-from-pod\n')) {
            s.destroy();
            resolve(got);
          }
        });
        s.on('error', reject);
      });
      expect(res.toString()).toMatch(/^HTTP\/1\.[01] 200 OK/);
      expect(body(res).toString()).toBe('hello-from-pod\n');
    } finally {
      server.close();
    }
  });

  it('the Python client: portforward() sockets', async () => {
    const pod = (await kubectl.ok(['get', 'pods', '-l', 'app=pf', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    const script = join(process.cwd(), 'test', 'e2e', 'python', 'portforward_check.py');
    const { stdout } = await promisify(execFile)('/usr/bin/python3', [script, cluster.kubeconfig, pod], { timeout: 60_000 });
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result.status).toMatch(/^HTTP\/1\.[01] 200 OK/);
    expect(result.body).toBe('hello-from-pod\n');
  });
});

describe('logs over a WebSocket', () => {
  /** What a WebSocket to `path` receives, as Kubernetes' conformance suite reads pods/log: every message, until the server closes. */
  function readWebSocket(path: string, protocols: string[]): Promise<{ protocol: string; messages: Array<{ data: Buffer; binary: boolean }>; code: number }> {
    const cfg = loadClientConfig({ kubeconfig: cluster.kubeconfig });
    const ws = new WebSocket(`${cfg.server.replace(/^http/, 'ws')}${path}`, protocols, { ca: cfg.tls?.ca, cert: cfg.tls?.cert, key: cfg.tls?.key, headers: cfg.token ? { authorization: `Bearer ${cfg.token}` } : {} });
    const messages: Array<{ data: Buffer; binary: boolean }> = [];
    return new Promise((resolve, reject) => {
      ws.on('message', (data, binary) => messages.push({ data: data as Buffer, binary }));
      ws.on('close', (code) => resolve({ protocol: ws.protocol, messages, code }));
      ws.on('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => reject(new Error(`${res.statusCode} ${text}`)));
      });
      ws.on('error', reject);
    });
  }

  it('streams a container log as binary or base64 messages, and refuses what a plain GET refuses', async () => {
    await kubectl.ok(['run', 'ws-logs', '--image=busybox:1.36', '--restart=Never', '--', 'sh', '-c', 'echo container is alive; echo second line']);
    await waitFor('ws-logs finished', async () => (await kubectl.ok(['get', 'pod', 'ws-logs', '-o', 'jsonpath={.status.phase}'])) === 'Succeeded', 60_000);
    const path = '/api/v1/namespaces/default/pods/ws-logs/log?container=ws-logs';
    const binary = await readWebSocket(path, ['binary.k8s.io']);
    expect(binary.protocol).toBe('binary.k8s.io');
    expect(binary.code).toBe(1000);
    expect(binary.messages.every((m) => m.binary)).toBe(true);
    expect(Buffer.concat(binary.messages.map((m) => m.data)).toString()).toBe('container is alive\nsecond line\n');
    const b64 = await readWebSocket(`${path}&tailLines=1`, ['base64.binary.k8s.io']);
    expect(b64.messages.map((m) => Buffer.from(m.data.toString(), 'base64').toString()).join('')).toBe('second line\n');
    await expect(readWebSocket('/api/v1/namespaces/default/pods/ws-logs/log?container=nope', ['binary.k8s.io'])).rejects.toThrow(/^400 .*container nope is not valid for pod ws-logs/);
    await expect(readWebSocket(path, ['v4.channel.k8s.io'])).rejects.toThrow(/^400 .*requested protocol\(s\) are not supported/);
  });
});

describe('kubectl 1.27 over SPDY', () => {
  it('execs with stdin and exit codes, and copies', async () => {
    const old = kubectlWithKubeconfig(cluster.kubeconfig, KUBECTL_VERSIONS['1.27']);
    const pod = (await kubectl.ok(['get', 'pods', '-l', 'app=pf', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    const failed = await old.run(['exec', pod, '-c', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(failed).toMatchObject({ code: 3, stdout: 'out\n' });
    expect(failed.stderr).toContain('err\n');
    expect(await old.ok(['exec', '-i', pod, '-c', 'web', '--', 'cat'], 'through stdin\n')).toBe('through stdin\n');
    const dir = mkdtempSync(join(tmpdir(), 'kubette-cp127-'));
    try {
      writeFileSync(join(dir, 'f.txt'), 'spdy\n');
      await old.ok(['cp', '-c', 'web', join(dir, 'f.txt'), `${pod}:/tmp/f127.txt`]);
      expect(await old.ok(['exec', pod, '-c', 'web', '--', 'cat', '/tmp/f127.txt'])).toBe('spdy\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('attach and cp', () => {
  it('kubectl attach -i feeds a container its stdin; with stdinOnce, its end ends the container and the client sees all it wrote', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'reader' },
      spec: {
        terminationGracePeriodSeconds: 0,
        restartPolicy: 'Never',
        containers: [{ name: 'reader', image: 'busybox:1.36', stdin: true, stdinOnce: true, command: ['sh', '-c', 'while read l; do echo "echo:$l"; done; echo done'] }],
      },
    }));
    await kubectl.ok(['wait', '--for=condition=Ready', 'pod/reader', '--timeout=60s']);
    const out = await kubectl.run(['attach', 'reader', '-i'], 'one\ntwo\n');
    expect(out.stdout).toContain('echo:one\necho:two\ndone\n');
    expect(out.code).toBe(0);
    await kubectl.ok(['wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/reader', '--timeout=60s']);
    expect(await kubectl.ok(['logs', 'reader'])).toBe('echo:one\necho:two\ndone\n');
  }, 90_000);

  it('kubectl attach -i without stdinOnce leaves the container running with its stdin open', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'keeper' },
      spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'keeper', image: 'busybox:1.36', stdin: true, command: ['sh', '-c', 'while read l; do echo "echo:$l"; done'] }] },
    }));
    await kubectl.ok(['wait', '--for=condition=Ready', 'pod/keeper', '--timeout=60s']);
    // The client's end of stdin ends only its attachment (as with Docker and containerd, whatever the
    // container writes after that goes to its log, not necessarily to this client).
    expect((await kubectl.run(['attach', 'keeper', '-i'], 'one\n')).code).toBe(0);
    await waitFor('the first line logged', async () => (await kubectl.ok(['logs', 'keeper'])) === 'echo:one\n', 30_000);
    expect((await kubectl.run(['attach', 'keeper', '-i'], 'two\n')).code).toBe(0);
    await waitFor('both lines logged by the same container', async () => (await kubectl.ok(['logs', 'keeper'])) === 'echo:one\necho:two\n', 30_000);
    const pod = JSON.parse(await kubectl.ok(['get', 'pod', 'keeper', '-o', 'json'])) as { status: { containerStatuses: Array<{ restartCount: number; state: { running?: object } }> } };
    expect(pod.status.containerStatuses[0]!.restartCount).toBe(0);
    expect(pod.status.containerStatuses[0]!.state.running).toBeTruthy();
  }, 90_000);

  it("kubectl debug adds an ephemeral container that sees its target's processes, attached with stdin", async () => {
    const pod = (await kubectl.ok(['get', 'pods', '-l', 'app=pf', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    // -i attaches to the new container's stdin once it runs; its shell reads the commands sent.
    // stdin stays open: kubectl debug does not set stdinOnce, so the end of the client's stdin ends
    // the attachment (as it does with containerd), and output written after it would go only to the log.
    const out = await kubectl.run(['debug', pod, '-i', '--image=busybox:1.36', '--target=web', '--profile=general', '--container=dbg', '--', 'sh'], 'ps\necho debug-done\nexit\n', { holdStdin: true });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('debug-done');
    // The target's process namespace: its httpd is visible from the debug container.
    expect(out.stdout).toContain('httpd -f -p 127.0.0.1:8080');
    await waitFor('the ephemeral container finished', async () => {
      const p = JSON.parse(await kubectl.ok(['get', 'pod', pod, '-o', 'json'])) as { status: { ephemeralContainerStatuses?: Array<{ name: string; ready: boolean; state: { terminated?: { exitCode: number } } }> } };
      const s = p.status.ephemeralContainerStatuses?.find((e) => e.name === 'dbg');
      return s?.state.terminated?.exitCode === 0 && s.ready === false;
    }, 30_000);
    expect(await kubectl.ok(['logs', pod, '-c', 'dbg'])).toContain('debug-done');
    // Never restarted, and the pod's own containers untouched.
    const after = JSON.parse(await kubectl.ok(['get', 'pod', pod, '-o', 'json'])) as { status: { phase: string; containerStatuses: Array<{ restartCount: number }> } };
    expect(after.status.phase).toBe('Running');
    expect(after.status.containerStatuses.map((c) => c.restartCount)).toEqual([0, 0]);
  }, 90_000);

  it('kubectl run -i --rm attaches, then deletes the pod', async () => {
    const out = await kubectl.run(['run', 'once', '-i', '--rm', '--image=busybox:1.36', '--restart=Never', '--', 'sh', '-c', 'read x; echo "got $x"'], 'abc\n');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('got abc');
    await waitFor('the pod deleted', async () => (await fetch(`${cluster.server}/api/v1/namespaces/default/pods/once`)).status === 404, 30_000);
  }, 90_000);

  it('kubectl cp copies a directory into a pod and back', async () => {
    const pod = (await kubectl.ok(['get', 'pods', '-l', 'app=pf', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    const dir = mkdtempSync(join(tmpdir(), 'kubette-cp-'));
    try {
      mkdirSync(join(dir, 'src', 'sub'), { recursive: true });
      writeFileSync(join(dir, 'src', 'a.txt'), 'a\n');
      const blob = randomBytes(300_000);
      writeFileSync(join(dir, 'src', 'sub', 'b.bin'), blob);
      await kubectl.ok(['cp', '-c', 'web', join(dir, 'src'), `${pod}:/tmp/copied`]);
      expect((await kubectl.ok(['exec', pod, '-c', 'web', '--', 'sh', '-c', 'cat /tmp/copied/a.txt; wc -c < /tmp/copied/sub/b.bin'])).split('\n').map((l) => l.trim())).toEqual(['a', '300000', '']);
      await kubectl.ok(['cp', '-c', 'web', `${pod}:/tmp/copied`, join(dir, 'back')]);
      expect(readFileSync(join(dir, 'back', 'a.txt'), 'utf8')).toBe('a\n');
      expect(sha(readFileSync(join(dir, 'back', 'sub', 'b.bin')))).toBe(sha(blob));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

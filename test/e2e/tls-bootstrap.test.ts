// Kubelet TLS bootstrap as the seeds do it: a token-file user kubelet-bootstrap bound to
// system:node-bootstrapper, kubelets started with only a bootstrap kubeconfig; `kubectl get
// csr` shows their requests Pending, `kubectl certificate approve` lets one join with its own
// certificate, `deny` leaves another out, and with the nodeclient role bound to the
// bootstrappers the controller-manager approves a third by itself. Real apiserver,
// controller-manager and kubelets (on Docker), driven by kubectl over TLS.
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { createCA, issue } from '../../api/pki/certificates.js';
import { kubeconfigFor } from '../../launcher/pki.js';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { startComponent } from '../harness/components.js';
import { kubectlFor } from '../harness/kubectl.js';
import { freePort, waitFor } from '../harness/ports.js';
import type { Proc } from '../harness/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'kubette-bootstrap-'));
const SIGNING_SECONDS = 45;
const run = randomBytes(3).toString('hex');
const procs: Proc[] = [];
let api: ApiServerHandle;
let admin: ReturnType<typeof kubectlFor>;
let server: string;
let bootstrapKubeconfig: string;
let caPem: string;

const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
};

function startKubelet(node: string, extra: string[] = []): string {
  const kubeconfig = join(dir, `${node}.kubeconfig`);
  kubelets.set(
    node,
    startComponent('kubelet', [
      '--bootstrap-kubeconfig', bootstrapKubeconfig,
      '--kubeconfig', kubeconfig,
      '--node-name', node,
      '--address', '127.0.0.1',
      '--node-ip', '127.0.0.1',
      '--port', String(ports.get(node) ?? 0),
      '--healthz-port', '0',
      '--root-dir', join(dir, node),
      '--log-level', 'warn',
      ...extra,
    ]),
  );
  return kubeconfig;
}
const kubelets = new Map<string, Proc>();
/** Kubelet API ports chosen by a test (the rest take a free one). */
const ports = new Map<string, number>();

/** The certificate the kubelet on `port` serves, or the error its handshake ends in. */
function servedCertificate(port: number, caPem?: string): Promise<X509Certificate | Error> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ...(caPem ? { ca: caPem, rejectUnauthorized: true } : { rejectUnauthorized: false }) });
    socket.once('secureConnect', () => {
      resolve(socket.getPeerX509Certificate() ?? new Error('no certificate'));
      socket.destroy();
    });
    socket.once('error', (err) => resolve(err));
  });
}

async function servingRequests(node: string): Promise<Array<{ name: string; condition: string; issued: boolean }>> {
  const list = JSON.parse(await admin.ok(['get', 'csr', '-o', 'json'])) as { items: Array<{ metadata: { name: string; creationTimestamp: string }; spec: { signerName: string; username: string }; status?: { certificate?: string; conditions?: Array<{ type: string }> } }> };
  return list.items
    .filter((c) => c.spec.signerName === 'kubernetes.io/kubelet-serving' && c.spec.username === `system:node:${node}`)
    .sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp))
    .map((c) => ({ name: c.metadata.name, condition: (c.status?.conditions ?? []).map((x) => x.type).join(',') || 'Pending', issued: Boolean(c.status?.certificate) }));
}

async function csrOf(node: string): Promise<{ name: string; requestor: string; condition: string }> {
  return waitFor(`a CSR from ${node}`, async () => {
    const list = JSON.parse(await admin.ok(['get', 'csr', '-o', 'json'])) as { items: Array<{ metadata: { name: string }; spec: { request: string; username: string }; status?: { conditions?: Array<{ type: string }> } }> };
    for (const c of list.items) {
      const { readCSR } = await import('../../api/pki/certificates.js');
      if (readCSR(Buffer.from(c.spec.request, 'base64').toString()).commonName === `system:node:${node}`) {
        return { name: c.metadata.name, requestor: c.spec.username, condition: (c.status?.conditions ?? []).map((x) => x.type).join(',') || 'Pending' };
      }
    }
    return undefined;
  });
}

beforeAll(async () => {
  const ca = await createCA('bootstrap-test-ca');
  caPem = ca.certPem;
  const serving = await issue(ca, { commonName: 'kube-apiserver' }, { usages: ['server'], ipAddresses: ['127.0.0.1'] });
  const adminCert = await issue(ca, { commonName: 'admin', organizations: ['system:masters'] }, { usages: ['client'] });
  const cm = await issue(ca, { commonName: 'system:kube-controller-manager' }, { usages: ['client'] });
  const port = await freePort();
  server = `https://127.0.0.1:${port}`;
  const token = `${randomBytes(3).toString('hex')}.${randomBytes(8).toString('hex')}`;
  api = await startApiServer({
    etcd: inject('etcdEndpoint'),
    args: [
      '--secure-port', String(port), '--bind-address', '127.0.0.1',
      '--tls-cert-file', write('server.crt', serving.certPem), '--tls-private-key-file', write('server.key', serving.keyPem),
      '--client-ca-file', write('ca.crt', ca.certPem),
      '--token-auth-file', write('token.csv', `${token},kubelet-bootstrap,10001,"system:bootstrappers"\n`),
    ],
  });
  admin = kubectlFor(server, undefined, ['--kubeconfig', write('admin.kubeconfig', kubeconfigFor(server, ca.certPem, 'admin', adminCert))]);
  procs.push(
    startComponent('controller-manager', [
      '--kubeconfig', write('cm.kubeconfig', kubeconfigFor(server, ca.certPem, 'system:kube-controller-manager', cm)),
      '--controllers', 'csrapproving,csrsigning',
      '--cluster-signing-cert-file', join(dir, 'ca.crt'),
      '--cluster-signing-key-file', write('ca.key', ca.keyPem),
      '--port', '0', '--leader-elect=false', '--log-level', 'warn',
      // Short-lived certificates, so rotation is seen within a test.
      '--cluster-signing-duration', `${SIGNING_SECONDS}s`,
    ]),
  );
  bootstrapKubeconfig = write(
    'bootstrap.kubeconfig',
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server, 'certificate-authority-data': Buffer.from(ca.certPem).toString('base64') } }],
      users: [{ name: 'kubelet-bootstrap', user: { token } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'kubelet-bootstrap' } }],
      'current-context': 'c',
    }),
  );
  // The seeds' step: let the bootstrap user create CSRs.
  await admin.ok(['create', 'clusterrolebinding', 'kubelet-bootstrap', '--clusterrole=system:node-bootstrapper', '--user=kubelet-bootstrap']);
}, 120_000);

afterAll(async () => {
  await Promise.all([...procs, ...kubelets.values()].map((p) => p.stop()));
  await api?.stop();
});

describe('kubelet TLS bootstrap', () => {
  it('waits for kubectl certificate approve, then joins with its own certificate; a denied one stays out', async () => {
    const approved = `boot-a-${run}`;
    const denied = `boot-d-${run}`;
    startKubelet(approved);
    startKubelet(denied);
    const a = await csrOf(approved);
    const d = await csrOf(denied);
    expect(a).toMatchObject({ requestor: 'kubelet-bootstrap', condition: 'Pending' });
    const table = await admin.ok(['get', 'csr']);
    expect(table).toMatch(new RegExp(`${a.name}\\s+\\S+\\s+kubernetes.io/kube-apiserver-client-kubelet\\s+kubelet-bootstrap\\s+<none>\\s+Pending`));

    await admin.ok(['certificate', 'approve', a.name]);
    await admin.ok(['certificate', 'deny', d.name]);
    expect((await csrOf(approved)).condition).toBe('Approved');
    await waitFor(`node ${approved} to register`, async () => ((await admin.run(['get', 'node', approved])).code === 0 ? true : undefined), 60_000);
    expect((await admin.run(['get', 'node', denied])).code).toBe(1);
    const list = await admin.ok(['get', 'csr', d.name]);
    expect(list).toContain('Denied');
    // The node is itself now: its Lease is renewed by system:node:<name>, not the bootstrap user.
    const node = JSON.parse(await admin.ok(['get', 'node', approved, '-o', 'json'])) as { metadata: { labels: Record<string, string> } };
    expect(node.metadata.labels['kubernetes.io/hostname']).toBe(approved);
  });

  it('is approved by the controller-manager when the bootstrappers may create nodeclient requests', async () => {
    await admin.ok(['create', 'clusterrolebinding', 'auto-approve-bootstrap', '--clusterrole=system:certificates.k8s.io:certificatesigningrequests:nodeclient', '--group=system:bootstrappers']);
    const auto = `boot-auto-${run}`;
    startKubelet(auto);
    await waitFor(`node ${auto} to register`, async () => ((await admin.run(['get', 'node', auto])).code === 0 ? true : undefined), 60_000);
    const c = await csrOf(auto);
    expect(c.condition).toBe('Approved');
    const csr = JSON.parse(await admin.ok(['get', 'csr', c.name, '-o', 'json'])) as { status: { conditions: Array<{ reason: string }>; certificate: string } };
    expect(csr.status.conditions[0]!.reason).toBe('AutoApproved');
    expect(Buffer.from(csr.status.certificate, 'base64').toString()).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it('rotates a kubelet\'s client certificate before it expires, asking as the node itself, and the node stays Ready past the first one\'s expiry', async () => {
    await admin.run(['create', 'clusterrolebinding', 'auto-approve-bootstrap', '--clusterrole=system:certificates.k8s.io:certificatesigningrequests:nodeclient', '--group=system:bootstrappers']);
    await admin.ok(['create', 'clusterrolebinding', 'auto-approve-renewals', '--clusterrole=system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', '--group=system:nodes']);
    const node = `boot-rot-${run}`;
    const kubeconfig = startKubelet(node, ['--rotate-certificates']);
    await waitFor(`node ${node} to register`, async () => ((await admin.run(['get', 'node', node])).code === 0 ? true : undefined), 60_000);
    const certOf = () => {
      const file = (parse(readFileSync(kubeconfig, 'utf8')) as { users: Array<{ user: Record<string, string> }> }).users[0]!.user['client-certificate']!;
      return new X509Certificate(readFileSync(file));
    };
    const first = certOf();
    expect(first.subject).toContain(`CN=system:node:${node}`);
    // A second request, made by the node itself at 70-90% of the first's 45 s, approved and issued.
    const renewal = await waitFor(`a renewal from ${node}`, async () => {
      const list = JSON.parse(await admin.ok(['get', 'csr', '-o', 'json'])) as { items: Array<{ spec: { username: string }; status?: { certificate?: string; conditions?: Array<{ type: string; reason: string }> } }> };
      return list.items.find((c) => c.spec.username === `system:node:${node}` && c.status?.certificate);
    }, 60_000);
    expect(renewal.status!.conditions![0]).toMatchObject({ type: 'Approved', reason: 'AutoApproved' });
    await waitFor('the kubeconfig to point at the new certificate', async () => (certOf().serialNumber !== first.serialNumber ? true : undefined), 10_000);
    expect(Date.parse(certOf().validTo)).toBeGreaterThan(Date.parse(first.validTo));
    // Past the first certificate's end, the node still renews its Lease (with the new one).
    const expired = Date.parse(first.validTo);
    await new Promise((r) => setTimeout(r, Math.max(0, expired - Date.now()) + 1000));
    await waitFor('a Lease renewal after the first certificate expired', async () => {
      const lease = JSON.parse(await admin.ok(['get', 'lease', '-n', 'kube-node-lease', node, '-o', 'json'])) as { spec: { renewTime: string } };
      return Date.parse(lease.spec.renewTime) > expired ? true : undefined;
    }, 30_000);
  }, 150_000);

  it('serves a certificate from the cluster signer once an administrator approves the node\'s serving request, keeps it across a restart and renews it', async () => {
    await admin.run(['create', 'clusterrolebinding', 'auto-approve-bootstrap', '--clusterrole=system:certificates.k8s.io:certificatesigningrequests:nodeclient', '--group=system:bootstrappers']);
    await admin.run(['create', 'clusterrolebinding', 'auto-approve-renewals', '--clusterrole=system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', '--group=system:nodes']);
    const node = `boot-srv-${run}`;
    // A port of its own, the same after the restart below.
    ports.set(node, await freePort());
    startKubelet(node, ['--rotate-server-certificates']);
    await waitFor(`node ${node} to register`, async () => ((await admin.run(['get', 'node', node])).code === 0 ? true : undefined), 60_000);
    const port = ports.get(node)!;
    expect(Number(await admin.ok(['get', 'node', node, '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}']))).toBe(port);
    const first = await waitFor(`a serving request from ${node}`, async () => (await servingRequests(node))[0]);
    // Nothing approves serving requests by itself, not even with the node's client requests auto-approved.
    await new Promise((r) => setTimeout(r, 2000));
    expect((await servingRequests(node))[0]).toEqual({ name: first.name, condition: 'Pending', issued: false });
    expect(await admin.ok(['get', 'csr', first.name])).toMatch(new RegExp(`${first.name}\\s+\\S+\\s+kubernetes.io/kubelet-serving\\s+system:node:${node}\\s+<none>\\s+Pending`));
    // Until then the kubelet's API has no certificate: handshakes fail.
    expect(await servedCertificate(port)).toBeInstanceOf(Error);

    await admin.ok(['certificate', 'approve', first.name]);
    const served = await waitFor('the issued certificate to be served', async () => {
      const c = await servedCertificate(port, caPem);
      return c instanceof X509Certificate ? c : undefined;
    }, 30_000);
    expect(served.subject).toBe(`CN=system:node:${node}\nO=system:nodes`);
    expect(served.subjectAltName).toBe(`DNS:${node}, IP Address:127.0.0.1`);
    expect(served.checkIssued(new X509Certificate(caPem))).toBe(true);

    // A restart serves the stored certificate at once, without asking again.
    await kubelets.get(node)!.stop();
    startKubelet(node, ['--rotate-server-certificates']);
    const afterRestart = await waitFor('the restarted kubelet to serve', async () => {
      const c = await servedCertificate(port, caPem);
      return c instanceof X509Certificate ? c : undefined;
    }, 30_000);
    expect(afterRestart.serialNumber).toBe(served.serialNumber);
    expect((await servingRequests(node)).length).toBe(1);

    // At 70-90% of the 45 s validity it asks again; approved, the new one is served.
    const renewal = await waitFor(`a second serving request from ${node}`, async () => (await servingRequests(node)).find((c) => c.name !== first.name), 60_000);
    expect(renewal.condition).toBe('Pending');
    await admin.ok(['certificate', 'approve', renewal.name]);
    const renewed = await waitFor('the renewed certificate to be served', async () => {
      const c = await servedCertificate(port, caPem);
      return c instanceof X509Certificate && c.serialNumber !== served.serialNumber ? c : undefined;
    }, 30_000);
    expect(Date.parse(renewed.validTo)).toBeGreaterThan(Date.parse(served.validTo));
  }, 150_000);
});

// The secure port as users meet it: TLS with certificates from api/pki, client-certificate and
// token authentication, anonymous requests, RBAC with the bootstrap roles, impersonation and
// the review APIs, driven by unmodified kubectl (1.27, 1.32, 1.33), the Python client and
// client-node. Every refusal must be the Status Kubernetes gives.
import { execFile } from 'node:child_process';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCA, issue, type Issued } from '../../api/pki/certificates.js';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { KUBECTL_VERSIONS, kubectlFor } from '../harness/kubectl.js';
import { freePort, waitFor } from '../harness/ports.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'kubette-secure-'));
let api: ApiServerHandle;
let server: string;
let ca: Issued;
const files: Record<string, string> = {};

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
}

async function clientCert(name: string, cn: string, groups: string[] = [], signer?: Issued, opts: { days?: number; notBefore?: Date } = {}): Promise<void> {
  const c = await issue(signer ?? ca, { commonName: cn, organizations: groups }, { usages: ['client'], ...opts });
  files[`${name}.crt`] = write(`${name}.crt`, c.certPem);
  files[`${name}.key`] = write(`${name}.key`, c.keyPem);
}

const asCert = (name: string, binary = KUBECTL_VERSIONS['1.32']!) =>
  kubectlFor(server, binary, ['--certificate-authority', files['ca.crt']!, '--client-certificate', files[`${name}.crt`]!, '--client-key', files[`${name}.key`]!]);
const asToken = (token: string, binary = KUBECTL_VERSIONS['1.32']!) => kubectlFor(server, binary, ['--certificate-authority', files['ca.crt']!, '--token', token]);

beforeAll(async () => {
  ca = await createCA('kubette-test-ca');
  files['ca.crt'] = write('ca.crt', ca.certPem);
  const serving = await issue(ca, { commonName: 'kube-apiserver' }, { usages: ['server'], ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
  files['server.crt'] = write('server.crt', serving.certPem);
  files['server.key'] = write('server.key', serving.keyPem);
  await clientCert('admin', 'admin', ['system:masters']);
  await clientCert('jane', 'jane');
  await clientCert('node1', 'system:node:node-1', ['system:nodes']);
  await clientCert('expired', 'admin', ['system:masters'], undefined, { notBefore: new Date(Date.now() - 3 * 24 * 3600 * 1000), days: 1 });
  await clientCert('stranger', 'admin', ['system:masters'], await createCA('someone-else'));
  files['tokens.csv'] = write('tokens.csv', ['bob-token-0123456789,bob,1001,"dev"', 'bootstrap-token-abcdef,kubelet-bootstrap,10001,"system:kubelet-bootstrap"'].join('\n'));
  const port = await freePort();
  server = `https://127.0.0.1:${port}`;
  api = await startApiServer({
    etcd: inject('etcdEndpoint'),
    args: [
      '--secure-port', String(port),
      '--bind-address', '127.0.0.1',
      '--tls-cert-file', files['server.crt']!,
      '--tls-private-key-file', files['server.key']!,
      '--client-ca-file', files['ca.crt']!,
      '--token-auth-file', files['tokens.csv']!,
      '--enable-bootstrap-token-auth',
      '--audit-log-path', join(dir, 'audit.log'),
    ],
  });
});
afterAll(async () => {
  await api?.stop();
});

describe('authentication on the secure port', () => {
  it('takes a client certificate: kubectl 1.27, 1.32 and 1.33 act as the certificate names', async () => {
    for (const v of ['1.27', '1.32', '1.33']) {
      expect(await asCert('admin', KUBECTL_VERSIONS[v]!).ok(['get', 'namespace', 'kube-system', '-o', 'name'])).toBe('namespace/kube-system\n');
    }
    const who = JSON.parse(await asCert('admin').ok(['auth', 'whoami', '-o', 'json'])) as { status: { userInfo: { username: string; groups: string[] } } };
    expect(who.status.userInfo).toEqual({ username: 'admin', groups: ['system:masters', 'system:authenticated'] });
  });

  it('takes a bearer token from --token-auth-file', async () => {
    const who = JSON.parse(await asToken('bob-token-0123456789').ok(['auth', 'whoami', '-o', 'json'])) as { status: { userInfo: unknown } };
    expect(who.status.userInfo).toEqual({ username: 'bob', uid: '1001', groups: ['dev', 'system:authenticated'] });
    // kubectl 1.27 and 1.33 too: authenticated as bob (and refused as bob, who has no role).
    for (const v of ['1.27', '1.33']) {
      const res = await asToken('bob-token-0123456789', KUBECTL_VERSIONS[v]!).run(['get', 'pods', '-n', 'default']);
      expect([v, res.stderr]).toEqual([v, expect.stringContaining('User "bob" cannot list resource "pods"')]);
    }
  });

  it('takes bootstrap tokens from bootstrap-token-<id> Secrets, until they expire or are deleted', async () => {
    const admin = asCert('admin');
    const secret = (id: string, secret: string, extra: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'bootstrap.kubernetes.io/token',
      metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
      stringData: { 'token-id': id, 'token-secret': secret, 'usage-bootstrap-authentication': 'true', ...extra },
    });
    await admin.ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [
      secret('abc123', '0123456789abcdef', { 'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token' }),
      secret('old999', '0123456789abcdef', { expiration: '2020-01-01T00:00:00Z' }),
      secret('bad111', '0123456789abcdef', { 'auth-extra-groups': 'system:masters' }),
      secret('off000', '0123456789abcdef', { 'usage-bootstrap-authentication': 'false' }),
    ] }));
    const who = JSON.parse(await asToken('abc123.0123456789abcdef').ok(['auth', 'whoami', '-o', 'json'])) as { status: { userInfo: unknown } };
    expect(who.status.userInfo).toEqual({ username: 'system:bootstrap:abc123', groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token', 'system:authenticated'] });
    // A wrong secret, an expired token, one claiming a group outside system:bootstrappers:*, one not for authentication.
    for (const token of ['abc123.0123456789abcdeX', 'abc123.ffffffffffffffff', 'old999.0123456789abcdef', 'bad111.0123456789abcdef', 'off000.0123456789abcdef']) {
      expect((await asToken(token).run(['auth', 'whoami'])).stderr, token).toContain('You must be logged in to the server');
    }
    await admin.ok(['-n', 'kube-system', 'delete', 'secret', 'bootstrap-token-abc123']);
    expect((await asToken('abc123.0123456789abcdef').run(['auth', 'whoami'])).stderr).toContain('You must be logged in to the server');
  });

  it('answers 401 to an unknown token, an expired certificate and one from another CA', async () => {
    for (const k of [asToken('garbage'), asCert('expired'), asCert('stranger')]) {
      const res = await k.run(['get', 'pods']);
      expect(res.code).toBe(1);
      // kubectl 1.32's own wording for a 401 (its discovery client words it so for any 401).
      expect(res.stderr).toContain('error: You must be logged in to the server (the server has asked for the client to provide credentials)');
    }
    const agent = new Agent({ connect: { ca: ca.certPem } });
    const res = await request(`${server}/api/v1/namespaces`, { dispatcher: agent, headers: { authorization: 'Bearer garbage' } });
    expect(res.statusCode).toBe(401);
    expect(await res.body.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    await agent.close();
  });

  it('follows --client-ca-file and --tls-cert-file while serving: a CA added by rotation authenticates, a new serving certificate is served', async () => {
    const rotated = await createCA('rotated-ca');
    await clientCert('rotated', 'admin', ['system:masters'], rotated);
    expect((await asCert('rotated').run(['get', 'ns', 'default'])).code).toBe(1);
    // Both CAs during the rotation, as operators bundle them; the file replaced by a rename.
    const replace = (file: string, text: string) => {
      writeFileSync(`${file}.new`, text);
      renameSync(`${file}.new`, file);
    };
    replace(files['ca.crt']!, `${ca.certPem}${rotated.certPem}`);
    await waitFor('the rotated CA taken', async () => ((await asCert('rotated').run(['get', 'ns', 'default'])).code === 0 ? true : undefined), 30_000);
    expect((await asCert('admin').run(['get', 'ns', 'default'])).code).toBe(0);
    // Published for aggregated servers and the components' secure ports.
    await waitFor('the rotated CA published', async () => ((await asCert('admin').ok(['get', 'cm', '-n', 'kube-system', 'extension-apiserver-authentication', '-o', 'jsonpath={.data.client-ca-file}'])) === `${ca.certPem}${rotated.certPem}` ? true : undefined), 30_000);
    const serial = () =>
      new Promise<string>((resolve, reject) => {
        const s = tlsConnect({ host: '127.0.0.1', port: Number(new URL(server).port), ca: ca.certPem, servername: 'localhost' }, () => {
          resolve(s.getPeerCertificate().serialNumber);
          s.destroy();
        });
        s.on('error', reject);
      });
    const before = await serial();
    const renewed = await issue(ca, { commonName: 'kube-apiserver' }, { usages: ['server'], ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
    replace(files['server.key']!, renewed.keyPem);
    replace(files['server.crt']!, renewed.certPem);
    await waitFor('the renewed serving certificate', async () => ((await serial()) !== before ? true : undefined), 30_000);
    expect((await asCert('admin').run(['get', 'ns', 'default'])).code).toBe(0);
    // The rotation ends: the old CA alone again, and the rotated client is a stranger once more.
    replace(files['ca.crt']!, ca.certPem);
    await waitFor('the rotated CA dropped', async () => ((await asCert('rotated').run(['get', 'ns', 'default'])).code === 1 ? true : undefined), 30_000);
    await waitFor('the CA alone published again', async () => ((await asCert('admin').ok(['get', 'cm', '-n', 'kube-system', 'extension-apiserver-authentication', '-o', 'jsonpath={.data.client-ca-file}'])) === ca.certPem ? true : undefined), 30_000);
  });

  it('turns anonymous requests off under AlwaysAllow, as Kubernetes does: no credentials or Basic ones get 401; an exec plugin\'s token gets in', async () => {
    const port = await freePort();
    const open = await startApiServer({
      etcd: inject('etcdEndpoint'),
      args: ['--secure-port', String(port), '--bind-address', '127.0.0.1', '--tls-cert-file', files['server.crt']!, '--tls-private-key-file', files['server.key']!, '--token-auth-file', files['tokens.csv']!, '--authorization-mode', 'AlwaysAllow'],
    });
    try {
      const url = `https://127.0.0.1:${port}`;
      const agent = new Agent({ connect: { ca: ca.certPem } });
      for (const headers of [{}, { authorization: `Basic ${Buffer.from('bad:wrong').toString('base64')}` }]) {
        const res = await request(`${url}/api/v1/namespaces`, { dispatcher: agent, headers });
        expect(res.statusCode).toBe(401);
        expect(await res.body.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
      }
      await agent.close();
      const basic = await kubectlFor(url, KUBECTL_VERSIONS['1.32']!, ['--certificate-authority', files['ca.crt']!, '--username', 'bad', '--password', 'wrong']).run(['get', 'namespace', 'kube-system', '-o', 'name']);
      expect(basic.code).not.toBe(0);
      // kubectl's wording for a 401 (here on discovery, its first request).
      expect(basic.stderr).toContain('the server has asked for the client to provide credentials');
      // kubectl's exec credential plugin (client.authentication.k8s.io/v1): the token it prints is used.
      const kubeconfig = write('exec-plugin.yaml', [
        'apiVersion: v1', 'kind: Config', 'current-context: test',
        'clusters:', '- name: test', '  cluster:', `    server: ${url}`, `    certificate-authority: ${files['ca.crt']}`,
        'contexts:', '- name: test', '  context: {cluster: test, user: plugin}',
        'users:', '- name: plugin', '  user:', '    exec:', '      apiVersion: client.authentication.k8s.io/v1', '      command: echo',
        '      args: [\'{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"bob-token-0123456789"}}\']', '      interactiveMode: Never',
      ].join('\n'));
      const { stdout } = await run(KUBECTL_VERSIONS['1.32']!, ['--kubeconfig', kubeconfig, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
      expect(stdout).toBe('bob');
    } finally {
      await open.stop();
    }
  });

  it('lets anonymous requests see health and version only', async () => {
    const agent = new Agent({ connect: { ca: ca.certPem } });
    const get = async (path: string) => {
      const res = await request(`${server}${path}`, { dispatcher: agent });
      return { code: res.statusCode, body: await res.body.text() };
    };
    expect((await get('/healthz')).code).toBe(200);
    expect((await get('/version')).code).toBe(200);
    const pods = await get('/api/v1/pods');
    expect(pods.code).toBe(403);
    expect(JSON.parse(pods.body)).toMatchObject({
      reason: 'Forbidden',
      message: 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" at the cluster scope',
      details: { group: '', kind: 'pods' },
    });
    expect(JSON.parse((await get('/metrics')).body).message).toBe('forbidden: User "system:anonymous" cannot get path "/metrics"');
    await agent.close();
  });
});

describe('webhook token authentication', () => {
  it('asks the TokenReview webhook about tokens it does not know, presenting its client certificate; keeps answers for the TTL; refuses when the webhook says no or is gone', async () => {
    const serving = await issue(ca, { commonName: 'authn-webhook' }, { usages: ['server'], ipAddresses: ['127.0.0.1'] });
    const reviews: Array<{ review: any; caller: string }> = [];
    const webhook = createHttpsServer({ cert: serving.certPem, key: serving.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        reviews.push({ review, caller: String((req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '') });
        const status = review.spec.token === 'alice-token'
          ? { authenticated: true, user: { username: 'alice', uid: 'a-1', groups: ['devs'], extra: { scopes: ['read'] } } }
          : { authenticated: false, error: 'unknown token' };
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ apiVersion: review.apiVersion, kind: 'TokenReview', status }));
      });
    });
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
    const kubeconfig = write('authn-webhook.yaml', [
      'apiVersion: v1', 'kind: Config', 'current-context: webhook',
      'clusters:', '- name: authn', '  cluster:', `    server: https://127.0.0.1:${(webhook.address() as AddressInfo).port}/authenticate`, `    certificate-authority: ${files['ca.crt']}`,
      'users:', '- name: apiserver', '  user:', `    client-certificate: ${files['jane.crt']}`, `    client-key: ${files['jane.key']}`,
      'contexts:', '- name: webhook', '  context: {cluster: authn, user: apiserver}',
    ].join('\n'));
    const port = await freePort();
    const withWebhook = await startApiServer({
      etcd: inject('etcdEndpoint'),
      args: ['--secure-port', String(port), '--bind-address', '127.0.0.1', '--tls-cert-file', files['server.crt']!, '--tls-private-key-file', files['server.key']!, '--token-auth-file', files['tokens.csv']!, '--authentication-token-webhook-config-file', kubeconfig],
    });
    try {
      const url = `https://127.0.0.1:${port}`;
      const as = (token: string) => kubectlFor(url, KUBECTL_VERSIONS['1.32']!, ['--certificate-authority', files['ca.crt']!, '--token', token]);
      const who = JSON.parse(await as('alice-token').ok(['auth', 'whoami', '-o', 'json']));
      expect(who.status.userInfo).toEqual({ username: 'alice', uid: 'a-1', groups: ['devs', 'system:authenticated'], extra: { scopes: ['read'] } });
      expect(reviews[0]).toEqual({ review: { apiVersion: 'authentication.k8s.io/v1beta1', kind: 'TokenReview', spec: { token: 'alice-token' } }, caller: 'jane' });
      // Cached: kubectl's discovery and its request made one review between them.
      await as('alice-token').ok(['auth', 'whoami']);
      expect(reviews.filter((r) => r.review.spec.token === 'alice-token')).toHaveLength(1);
      // The token file answers first: bob never reaches the webhook.
      expect(JSON.parse(await as('bob-token-0123456789').ok(['auth', 'whoami', '-o', 'json'])).status.userInfo.username).toBe('bob');
      expect(reviews.some((r) => r.review.spec.token === 'bob-token-0123456789')).toBe(false);
      const refused = await as('mallory-token').run(['auth', 'whoami']);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('error: You must be logged in to the server');
      // The webhook gone: a new token is refused; one it vouched for stays in for the TTL.
      webhook.closeAllConnections();
      await new Promise((r) => webhook.close(r));
      expect((await as('eve-token').run(['auth', 'whoami'])).code).not.toBe(0);
      expect(JSON.parse(await as('alice-token').ok(['auth', 'whoami', '-o', 'json'])).status.userInfo.username).toBe('alice');
    } finally {
      await withWebhook.stop();
      webhook.closeAllConnections();
    }
  });
});

describe('webhook authorization', () => {
  /** An HTTPS SubjectAccessReview webhook that requires the apiserver's client certificate. */
  async function authzWebhook(answer: (spec: any) => Record<string, unknown>) {
    const serving = await issue(ca, { commonName: 'authz-webhook' }, { usages: ['server'], ipAddresses: ['127.0.0.1'] });
    const reviews: any[] = [];
    const webhook = createHttpsServer({ cert: serving.certPem, key: serving.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        reviews.push(review);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ apiVersion: review.apiVersion, kind: 'SubjectAccessReview', status: answer(review.spec) }));
      });
    });
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
    const kubeconfig = write(`authz-webhook-${(webhook.address() as AddressInfo).port}.yaml`, [
      'apiVersion: v1', 'kind: Config', 'current-context: webhook',
      'clusters:', '- name: authz', '  cluster:', `    server: https://127.0.0.1:${(webhook.address() as AddressInfo).port}/authorize`, `    certificate-authority: ${files['ca.crt']}`,
      'users:', '- name: apiserver', '  user:', `    client-certificate: ${files['jane.crt']}`, `    client-key: ${files['jane.key']}`,
      'contexts:', '- name: webhook', '  context: {cluster: authz, user: apiserver}',
    ].join('\n'));
    const close = async () => {
      webhook.closeAllConnections();
      await new Promise((r) => webhook.close(r));
    };
    return { reviews, kubeconfig, close };
  }
  // Bob may read pods in "default"; deleting them is refused with a reason; the rest is not the webhook's call.
  const bobsPolicy = (spec: any) => {
    const r = spec.resourceAttributes;
    if (spec.user !== 'bob' || !r) return { allowed: false };
    if (r.resource === 'pods' && r.namespace === 'default' && ['get', 'list', 'watch'].includes(r.verb)) return { allowed: true };
    if (r.resource === 'pods' && r.verb === 'delete') return { allowed: false, denied: true, reason: 'pods are read-only for bob' };
    return { allowed: false, reason: 'not a pod read' };
  };
  const bob = (url: string) => kubectlFor(url, KUBECTL_VERSIONS['1.32']!, ['--certificate-authority', files['ca.crt']!, '--token', 'bob-token-0123456789']);

  it('asks the webhook of --authorization-mode Webhook after Node and RBAC, in v1beta1 by default, and keeps its answers', async () => {
    const hook = await authzWebhook(bobsPolicy);
    const port = await freePort();
    const withWebhook = await startApiServer({
      etcd: inject('etcdEndpoint'),
      args: ['--secure-port', String(port), '--bind-address', '127.0.0.1', '--tls-cert-file', files['server.crt']!, '--tls-private-key-file', files['server.key']!, '--token-auth-file', files['tokens.csv']!,
        '--authorization-mode', 'Node,RBAC,Webhook', '--authorization-webhook-config-file', hook.kubeconfig],
    });
    try {
      const url = `https://127.0.0.1:${port}`;
      expect((await bob(url).ok(['get', 'pods', '-n', 'default', '-o', 'name'])).trim()).toBe('');
      const review = hook.reviews.find((r) => r.spec.resourceAttributes?.verb === 'list');
      expect(review).toEqual({
        apiVersion: 'authorization.k8s.io/v1beta1',
        kind: 'SubjectAccessReview',
        spec: { user: 'bob', uid: '1001', group: ['dev', 'system:authenticated'], resourceAttributes: { namespace: 'default', verb: 'list', version: 'v1', resource: 'pods' } },
      });
      const deleting = await bob(url).run(['delete', 'pod', 'web', '-n', 'default']);
      expect(deleting.stderr).toContain('Error from server (Forbidden): pods "web" is forbidden: User "bob" cannot delete resource "pods" in API group "" in the namespace "default": pods are read-only for bob');
      const secrets = await bob(url).run(['get', 'secrets', '-n', 'default']);
      expect(secrets.stderr).toContain('secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" in the namespace "default": not a pod read');
      expect((await bob(url).run(['auth', 'can-i', 'watch', 'pods', '-n', 'default'])).stdout.trim()).toBe('yes');
      expect((await bob(url).run(['auth', 'can-i', 'list', 'pods', '-n', 'kube-system'])).stdout.trim()).toBe('no - not a pod read');
      // The rules RBAC knows, marked incomplete: the webhook cannot list what it allows.
      const rules = await bob(url).run(['auth', 'can-i', '--list', '-n', 'default']);
      expect(rules.stdout).toContain('selfsubjectaccessreviews.authorization.k8s.io');
      expect(rules.stderr).toContain('webhook authorizer does not support user rule resolution');
      // Answers are kept (allowed for 5 minutes): asking again reaches the webhook no more.
      const asked = hook.reviews.length;
      await bob(url).ok(['get', 'pods', '-n', 'default']);
      expect(hook.reviews.length).toBe(asked);
    } finally {
      await withWebhook.stop();
      await hook.close();
    }
  });

  it('runs the authorizers of --authorization-config: match conditions, a failure policy, and a changed file taken while serving', async () => {
    const hook = await authzWebhook(bobsPolicy);
    const authorizers = (webhookFailurePolicy: string) => [
      'apiVersion: apiserver.config.k8s.io/v1', 'kind: AuthorizationConfiguration', 'authorizers:',
      '- type: Webhook', '  name: bobs-guard', '  webhook:', '    timeout: 2s', '    authorizedTTL: 1ms', '    unauthorizedTTL: 1ms',
      '    subjectAccessReviewVersion: v1', '    matchConditionSubjectAccessReviewVersion: v1', `    failurePolicy: ${webhookFailurePolicy}`,
      `    connectionInfo: {type: KubeConfigFile, kubeConfigFile: ${hook.kubeconfig}}`,
      '    matchConditions:', "    - expression: request.user == 'bob'", '    - expression: has(request.resourceAttributes)',
      '- type: Node', '  name: node', '- type: RBAC', '  name: rbac',
    ].join('\n');
    const configFile = write('authorization-config.yaml', authorizers('Deny'));
    const port = await freePort();
    const withConfig = await startApiServer({
      etcd: inject('etcdEndpoint'),
      args: ['--secure-port', String(port), '--bind-address', '127.0.0.1', '--tls-cert-file', files['server.crt']!, '--tls-private-key-file', files['server.key']!, '--token-auth-file', files['tokens.csv']!,
        '--client-ca-file', files['ca.crt']!, '--authorization-config', configFile],
    });
    try {
      const url = `https://127.0.0.1:${port}`;
      expect((await bob(url).ok(['auth', 'can-i', 'get', 'pods', '-n', 'default'])).trim()).toBe('yes');
      // Only bob's resource requests are the webhook's: jane's and bob's /version are not sent.
      const jane = kubectlFor(url, KUBECTL_VERSIONS['1.32']!, ['--certificate-authority', files['ca.crt']!, '--client-certificate', files['jane.crt']!, '--client-key', files['jane.key']!]);
      expect((await jane.run(['auth', 'can-i', 'get', 'pods', '-n', 'default'])).stdout.trim()).toBe('no');
      await bob(url).ok(['version']);
      expect(hook.reviews.every((r) => r.spec.user === 'bob' && r.spec.resourceAttributes)).toBe(true);
      expect(hook.reviews[0].apiVersion).toBe('authorization.k8s.io/v1');
      // The webhook gone: failurePolicy Deny refuses what RBAC would have allowed bob (his own access reviews).
      await hook.close();
      const refused = await bob(url).run(['auth', 'can-i', 'get', 'pods', '-n', 'default']);
      expect(refused.stderr).toContain('selfsubjectaccessreviews.authorization.k8s.io is forbidden: User "bob" cannot create resource "selfsubjectaccessreviews"');
      // Changed to NoOpinion: the file is read again and RBAC decides for bob once more.
      writeFileSync(configFile, authorizers('NoOpinion'));
      await waitFor('the reloaded --authorization-config', async () => ((await bob(url).run(['auth', 'can-i', 'get', 'pods', '-n', 'default'])).stdout.trim() === 'no' ? true : undefined), 30_000);
      const metrics = await (await request(`${withConfig.url}/metrics`)).body.text();
      expect(metrics).toMatch(/apiserver_authorization_config_controller_automatic_reloads_total\{status="success"\} 1/);
      // An invalid file is not taken: the authorizers before it stay.
      writeFileSync(configFile, authorizers('Sometimes'));
      await waitFor('a failed reload in the metrics', async () => (/apiserver_authorization_config_controller_automatic_reloads_total\{status="failure"\} [1-9]/.test(await (await request(`${withConfig.url}/metrics`)).body.text()) ? true : undefined), 30_000);
      expect((await bob(url).run(['auth', 'can-i', 'get', 'pods', '-n', 'default'])).stdout.trim()).toBe('no');
    } finally {
      await withConfig.stop();
      await hook.close().catch(() => undefined);
    }
  });

  it('refuses --authorization-config beside --authorization-mode, and a Webhook mode without its kubeconfig', async () => {
    const configFile = write('authorization-rbac.yaml', 'apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers:\n- {type: RBAC, name: rbac}\n');
    const port = await freePort();
    await expect(startApiServer({ etcd: inject('etcdEndpoint'), args: ['--secure-port', String(port), '--authorization-config', configFile, '--authorization-mode', 'RBAC'] })).rejects.toThrow(
      '--authorization-config can not be specified when --authorization-mode or --authorization-webhook-* flags are specified',
    );
    await expect(startApiServer({ etcd: inject('etcdEndpoint'), args: ['--secure-port', String(port), '--authorization-mode', 'RBAC,Webhook'] })).rejects.toThrow("authorization-mode Webhook's authorization config file not passed");
  });
});

describe('OIDC token authentication', () => {
  it('takes ID tokens of the issuer: signature by its published keys (fetched again for a new key), audience, expiry, email_verified, required claims; user and groups from the claims', async () => {
    const serving = await issue(ca, { commonName: 'oidc-issuer' }, { usages: ['server'], ipAddresses: ['127.0.0.1'] });
    const keys: Array<{ kid: string; privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']; jwk: Record<string, unknown> }> = [];
    const addKey = async (kid: string) => {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
      keys.push({ kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } });
    };
    await addKey('k1');
    let issuer = '';
    const provider = createHttpsServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') return res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys` }));
      if (req.url === '/keys') return res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
      res.statusCode = 404;
      res.end('{}');
    });
    await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
    issuer = `https://127.0.0.1:${(provider.address() as AddressInfo).port}`;
    const idToken = (claims: Record<string, unknown>, opts: { kid?: string; aud?: string; expiresIn?: string } = {}) => {
      const key = keys.find((k) => k.kid === (opts.kid ?? 'k1'))!;
      return new SignJWT({ email: 'alice@example.com', email_verified: true, hd: 'example.com', groups: ['devs', 'ops'], ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid })
        .setIssuer(issuer)
        .setSubject('alice-sub')
        .setAudience(opts.aud ?? 'kubette')
        .setIssuedAt()
        .setExpirationTime(opts.expiresIn ?? '10m')
        .sign(key.privateKey);
    };
    const port = await freePort();
    const withOIDC = await startApiServer({
      etcd: inject('etcdEndpoint'),
      args: ['--secure-port', String(port), '--bind-address', '127.0.0.1', '--tls-cert-file', files['server.crt']!, '--tls-private-key-file', files['server.key']!,
        '--oidc-issuer-url', issuer, '--oidc-client-id', 'kubette', '--oidc-ca-file', files['ca.crt']!, '--oidc-username-claim', 'email',
        '--oidc-groups-claim', 'groups', '--oidc-groups-prefix', 'oidc:', '--oidc-required-claim', 'hd=example.com'],
    });
    try {
      const url = `https://127.0.0.1:${port}`;
      const whoami = async (token: string) => {
        const res = await kubectlFor(url, KUBECTL_VERSIONS['1.32']!, ['--certificate-authority', files['ca.crt']!, '--token', token]).run(['auth', 'whoami', '-o', 'json']);
        return res.code === 0 ? JSON.parse(res.stdout).status.userInfo : res.stderr;
      };
      expect(await whoami(await idToken({}))).toEqual({ username: 'alice@example.com', groups: ['oidc:devs', 'oidc:ops', 'system:authenticated'] });
      const refused = 'You must be logged in to the server';
      expect(await whoami(await idToken({}, { aud: 'someone-else' }))).toContain(refused);
      expect(await whoami(await idToken({}, { expiresIn: '-1m' }))).toContain(refused);
      expect(await whoami(await idToken({ email_verified: false }))).toContain(refused);
      expect(await whoami(await idToken({ hd: 'elsewhere.com' }))).toContain(refused);
      // A key the issuer publishes only now: fetched again once a token names it.
      await addKey('k2');
      await new Promise((r) => setTimeout(r, 10_500));
      expect((await whoami(await idToken({}, { kid: 'k2' }))).username).toBe('alice@example.com');
      // Signed by a key the issuer never published.
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await new SignJWT({ email: 'mallory@example.com', hd: 'example.com' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setAudience('kubette').setExpirationTime('10m').sign(privateKey);
      expect(await whoami(forged)).toContain(refused);
    } finally {
      await withOIDC.stop();
      provider.closeAllConnections();
      await new Promise((r) => provider.close(r));
    }
  }, 60_000);
});

describe('structured authentication configuration (--authentication-config)', () => {
  it('authenticates tokens of several issuers with their audiences, claim rules, CEL claim mappings and user rules, and lets anonymous requests reach only the listed paths', async () => {
    const serving = await issue(ca, { commonName: 'oidc-issuer' }, { usages: ['server'], ipAddresses: ['127.0.0.1'] });
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const urls = { one: '', two: '' };
    // Two issuers on one server: the first under its URL, the second's discovery document at a path of its own.
    const provider = createHttpsServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/one/.well-known/openid-configuration') return res.end(JSON.stringify({ issuer: urls.one, jwks_uri: `${urls.one}/keys` }));
      if (req.url === '/discovery/two') return res.end(JSON.stringify({ issuer: urls.two, jwks_uri: `${urls.two}/keys` }));
      if (req.url === '/one/keys' || req.url === '/two/keys') return res.end(JSON.stringify({ keys: [jwk] }));
      res.statusCode = 404;
      res.end('{}');
    });
    await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
    const base = `https://127.0.0.1:${(provider.address() as AddressInfo).port}`;
    urls.one = `${base}/one`;
    urls.two = `${base}/two`;
    const token = (iss: string, claims: Record<string, unknown>, opts: { aud?: string; lifetime?: number } = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ sub: 'alice', hd: 'example.com', roles: ['admin', 'dev'], tenant: 't1', email: 'alice@example.com', email_verified: true, ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(iss)
        .setAudience(opts.aud ?? 'kubette')
        .setIssuedAt(now)
        .setExpirationTime(now + (opts.lifetime ?? 600))
        .sign(privateKey);
    };
    const config = {
      apiVersion: 'apiserver.config.k8s.io/v1beta1',
      kind: 'AuthenticationConfiguration',
      jwt: [
        {
          issuer: { url: urls.one, audiences: ['kubette', 'other'], audienceMatchPolicy: 'MatchAny', certificateAuthority: ca.certPem },
          claimValidationRules: [{ claim: 'hd', requiredValue: 'example.com' }, { expression: 'claims.exp - claims.iat <= 3600', message: 'tokens live an hour at most' }],
          claimMappings: {
            username: { expression: "'oidc:' + claims.sub" },
            groups: { expression: "claims.roles.map(r, 'role:' + r)" },
            uid: { claim: 'sub' },
            extra: [{ key: 'example.com/tenant', valueExpression: 'claims.tenant' }],
          },
          userValidationRules: [{ expression: "!user.username.startsWith('oidc:system')", message: 'no system users' }],
        },
        {
          issuer: { url: urls.two, discoveryURL: `${base}/discovery/two`, audiences: ['kubette'], certificateAuthority: ca.certPem },
          claimMappings: { username: { claim: 'email', prefix: '' } },
        },
      ],
      anonymous: { enabled: true, conditions: [{ path: '/livez' }, { path: '/readyz' }] },
    };
    const configFile = write('authn.yaml', JSON.stringify(config));
    const port = await freePort();
    const withConfig = await startApiServer({
      etcd: inject('etcdEndpoint'),
      args: ['--secure-port', String(port), '--bind-address', '127.0.0.1', '--tls-cert-file', files['server.crt']!, '--tls-private-key-file', files['server.key']!,
        '--authentication-config', configFile],
    });
    try {
      const url = `https://127.0.0.1:${port}`;
      const whoami = async (t: string) => {
        const res = await kubectlFor(url, KUBECTL_VERSIONS['1.32']!, ['--certificate-authority', files['ca.crt']!, '--token', t]).run(['auth', 'whoami', '-o', 'json']);
        return res.code === 0 ? JSON.parse(res.stdout).status.userInfo : res.stderr;
      };
      expect(await whoami(await token(urls.one, {}))).toEqual({ username: 'oidc:alice', uid: 'alice', groups: ['role:admin', 'role:dev', 'system:authenticated'], extra: { 'example.com/tenant': ['t1'] } });
      expect((await whoami(await token(urls.one, {}, { aud: 'other' }))).username).toBe('oidc:alice');
      const refused = 'You must be logged in to the server';
      expect(await whoami(await token(urls.one, {}, { aud: 'someone-else' }))).toContain(refused);
      expect(await whoami(await token(urls.one, { hd: 'elsewhere.com' }))).toContain(refused);
      expect(await whoami(await token(urls.one, {}, { lifetime: 7200 }))).toContain(refused);
      expect(await whoami(await token(urls.one, { sub: 'system-x' }))).toContain(refused);
      // The second issuer: its keys found through its discovery URL, the user its verified email.
      expect(await whoami(await token(urls.two, {}))).toEqual({ username: 'alice@example.com', groups: ['system:authenticated'] });
      expect(await whoami(await token(urls.two, { email_verified: false }))).toContain(refused);
      // Anonymous: the listed paths only.
      const anonymous = new Agent({ connect: { ca: ca.certPem } });
      try {
        const status = async (path: string) => (await request(`${url}${path}`, { dispatcher: anonymous })).statusCode;
        expect(await status('/livez')).toBe(200);
        expect(await status('/readyz')).toBe(200);
        expect(await status('/version')).toBe(401);
        expect(await status('/api/v1/namespaces')).toBe(401);
      } finally {
        await anonymous.close();
      }
      // A change to the file is taken while serving; an invalid one is refused and the issuers before it stay.
      const alice = await token(urls.one, {});
      config.jwt[0]!.claimMappings.username = { expression: "'v2:' + claims.sub" };
      writeFileSync(configFile, JSON.stringify(config));
      await waitFor('the changed username mapping', async () => ((await whoami(alice)).username === 'v2:alice' ? true : undefined), 20_000);
      writeFileSync(configFile, JSON.stringify({ ...config, jwt: [{ issuer: { url: 'http://x' } }] }));
      const failures = async () => /apiserver_authentication_config_controller_automatic_reloads_total\{status="failure"\} [1-9]/.test(await (await request(`${withConfig.url}/metrics`)).body.text());
      await waitFor('a failed reload in the metrics', async () => ((await failures()) ? true : undefined), 20_000);
      expect((await whoami(alice)).username).toBe('v2:alice');
    } finally {
      await withConfig.stop();
      provider.closeAllConnections();
      await new Promise((r) => provider.close(r));
    }
  }, 60_000);
});

describe('RBAC', () => {
  it('refuses a user with no role, with the message Kubernetes gives', async () => {
    const res = await asCert('jane').run(['get', 'pods', '-n', 'default']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"');
  });

  it('grants what a RoleBinding to an aggregated role grants, in its namespace only; can-i agrees', async () => {
    const admin = asCert('admin');
    await admin.ok(['create', 'namespace', 'team-b']);
    await admin.ok(['create', 'rolebinding', 'bob-edit', '--clusterrole=edit', '--user=bob', '-n', 'team-b']);
    const bob = asToken('bob-token-0123456789');
    await bob.ok(['create', 'configmap', 'settings', '--from-literal=a=1', '-n', 'team-b']);
    expect(await bob.ok(['get', 'configmap', 'settings', '-n', 'team-b', '-o', 'jsonpath={.data.a}'])).toBe('1');
    // edit may not touch roles; view (in edit) reads pods; nothing elsewhere.
    const matrix: Array<[string[], string]> = [
      [['create', 'configmaps', '-n', 'team-b'], 'yes'],
      [['delete', 'pods', '-n', 'team-b'], 'yes'],
      [['list', 'deployments.apps', '-n', 'team-b'], 'yes'],
      [['create', 'roles.rbac.authorization.k8s.io', '-n', 'team-b'], 'no'],
      [['list', 'pods', '-n', 'default'], 'no'],
      [['list', 'nodes'], 'no'],
    ];
    for (const [args, want] of matrix) {
      const res = await bob.run(['auth', 'can-i', ...args]);
      expect([args.join(' '), res.stdout.trim()]).toEqual([args.join(' '), want]);
      expect(res.code).toBe(want === 'yes' ? 0 : 1);
    }
    const list = await bob.ok(['auth', 'can-i', '--list', '-n', 'team-b']);
    expect(list).toMatch(/^configmaps\s+\[\]\s+\[\]\s+\[.*create.*\]/m);
    expect(list).toContain('selfsubjectaccessreviews.authorization.k8s.io');
  });

  it('refuses escalation: no one grants what they do not hold, unless they may escalate or bind', async () => {
    const admin = asCert('admin');
    await admin.ok(['create', 'namespace', 'esc']);
    await admin.ok(['create', 'rolebinding', 'bob-admin', '--clusterrole=admin', '--user=bob', '-n', 'esc']);
    const bob = asToken('bob-token-0123456789');
    // Within what admin holds in esc: allowed.
    await bob.ok(['create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods', '-n', 'esc']);
    await bob.ok(['create', 'rolebinding', 'carol-view', '--clusterrole=view', '--user=carol', '-n', 'esc']);
    // Beyond it: refused with what is missing.
    const role = await bob.run(['create', 'role', 'node-reader', '--verb=get', '--resource=nodes', '-n', 'esc']);
    expect(role.code).toBe(1);
    expect(role.stderr).toContain('roles.rbac.authorization.k8s.io "node-reader" is forbidden: user "bob" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}');
    const binding = await bob.run(['create', 'rolebinding', 'carol-root', '--clusterrole=cluster-admin', '--user=carol', '-n', 'esc']);
    expect(binding.code).toBe(1);
    expect(binding.stderr).toContain('rolebindings.rbac.authorization.k8s.io "carol-root" is forbidden: user "bob" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}');
    // Widening his own role by a patch is refused too.
    const widen = await bob.run(['patch', 'role', 'pod-reader', '-n', 'esc', '--type=json', '-p', '[{"op":"add","path":"/rules/-","value":{"apiGroups":[""],"resources":["secrets"],"verbs":["*"]}}]']);
    expect(widen.code, widen.stderr).toBe(1);
    expect(widen.stderr).toContain('{APIGroups:[""], Resources:["secrets"], Verbs:["*"]}');
    // With bind on cluster-admin (and escalate on roles), the same requests pass.
    await admin.ok(['create', 'clusterrole', 'grant-root', '--verb=bind', '--resource=clusterroles', '--resource-name=cluster-admin']);
    await admin.ok(['create', 'clusterrole', 'escalate-roles', '--verb=escalate', '--resource=roles']);
    await admin.ok(['create', 'rolebinding', 'bob-grant-root', '--clusterrole=grant-root', '--user=bob', '-n', 'esc']);
    await admin.ok(['create', 'rolebinding', 'bob-escalate', '--clusterrole=escalate-roles', '--user=bob', '-n', 'esc']);
    await bob.ok(['create', 'rolebinding', 'carol-root', '--clusterrole=cluster-admin', '--user=carol', '-n', 'esc']);
    await bob.ok(['create', 'role', 'node-reader', '--verb=get', '--resource=nodes', '-n', 'esc']);
  });

  it('impersonates only with the impersonate verb, and answers can-i for another user', async () => {
    const admin = asCert('admin');
    expect((await admin.run(['auth', 'can-i', 'create', 'configmaps', '-n', 'team-b', '--as=bob'])).stdout.trim()).toBe('yes');
    expect((await admin.run(['auth', 'can-i', 'list', 'pods', '-n', 'default', '--as=bob'])).stdout.trim()).toBe('no');
    // kubectl's discovery client prints a refused impersonation as "Forbidden: unknown" (as
    // against Kubernetes); the Status itself carries Kubernetes' message.
    // Each --as-group is one header and one group, commas and all.
    const whoami = await admin.ok(['auth', 'whoami', '--as=user1', '--as-group=group2', '--as-group=group1', '--as-group=,,,chameleon', '-o', 'jsonpath={.status.userInfo.groups}']);
    expect(JSON.parse(whoami)).toEqual(['group2', 'group1', ',,,chameleon', 'system:authenticated']);
    const denied = await asCert('jane').run(['get', 'pods', '--as=admin']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('Error from server (Forbidden)');
    const agent = new Agent({ connect: { ca: ca.certPem, cert: readFileSync(files['jane.crt']!), key: readFileSync(files['jane.key']!) } });
    const res = await request(`${server}/api/v1/namespaces/default/pods`, { dispatcher: agent, headers: { 'impersonate-user': 'admin', 'impersonate-group': 'system:masters' } });
    expect(res.statusCode).toBe(403);
    expect(await res.body.json()).toMatchObject({
      reason: 'Forbidden',
      message: 'users "admin" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope',
      details: { name: 'admin', group: '', kind: 'users' },
    });
    await agent.close();
  });

  it('serves the bootstrap policy: cluster-admin to system:masters, and the aggregated user roles filled in', async () => {
    const admin = asCert('admin');
    const crb = JSON.parse(await admin.ok(['get', 'clusterrolebinding', 'cluster-admin', '-o', 'json'])) as { subjects: unknown[]; roleRef: { name: string } };
    expect(crb.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]);
    const view = JSON.parse(await admin.ok(['get', 'clusterrole', 'view', '-o', 'json'])) as { rules: Array<{ resources?: string[] }>; aggregationRule: unknown };
    expect(view.aggregationRule).toEqual({ clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }] });
    expect(view.rules.flatMap((r) => r.resources ?? [])).toEqual(expect.arrayContaining(['pods', 'deployments', 'configmaps']));
  });
});

describe('service-account tokens', () => {
  it('kubectl create token issues a bound token that authenticates as the service account, in its groups', async () => {
    const admin = asCert('admin');
    await admin.ok(['create', 'namespace', 'team-sa']);
    await admin.ok(['create', 'serviceaccount', 'bot', '-n', 'team-sa']);
    const token = (await admin.ok(['create', 'token', 'bot', '-n', 'team-sa'])).trim();
    expect(token.split('.')).toHaveLength(3);
    const bot = asToken(token);
    const who = JSON.parse(await bot.ok(['auth', 'whoami', '-o', 'json'])) as { status: { userInfo: { username: string; groups: string[]; extra: Record<string, string[]> } } };
    expect(who.status.userInfo).toMatchObject({ username: 'system:serviceaccount:team-sa:bot', groups: ['system:serviceaccounts', 'system:serviceaccounts:team-sa', 'system:authenticated'] });
    expect(who.status.userInfo.extra['authentication.kubernetes.io/credential-id']![0]).toMatch(/^JTI=/);

    expect((await bot.run(['get', 'pods', '-n', 'team-sa'])).stderr).toContain('pods is forbidden: User "system:serviceaccount:team-sa:bot" cannot list resource "pods" in API group "" in the namespace "team-sa"');
    await admin.ok(['create', 'rolebinding', 'bot-view', '--clusterrole=view', '--serviceaccount=team-sa:bot', '-n', 'team-sa']);
    await bot.ok(['get', 'pods', '-n', 'team-sa']);

    // A TokenReview says the same.
    const review = JSON.parse(await admin.ok(['create', '-f', '-', '-o', 'json'], JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }))) as { status: { authenticated: boolean; user: { username: string } } };
    expect(review.status).toMatchObject({ authenticated: true, user: { username: 'system:serviceaccount:team-sa:bot' } });

    // Deleting the service account revokes every token it had.
    await admin.ok(['delete', 'serviceaccount', 'bot', '-n', 'team-sa']);
    expect((await bot.run(['get', 'pods', '-n', 'team-sa'])).stderr).toContain('You must be logged in to the server');
  });

  it('a TokenReview judges a token for the audiences it asks about, as a third party (Vault) checks tokens made for it', async () => {
    const admin = asCert('admin');
    await admin.ok(['create', 'serviceaccount', 'auditor', '-n', 'team-sa']);
    const forVault = (await admin.ok(['create', 'token', 'auditor', '-n', 'team-sa', '--audience', 'vault'])).trim();
    const forApi = (await admin.ok(['create', 'token', 'auditor', '-n', 'team-sa'])).trim();
    const tokenReview = async (token: string, audiences?: string[]) =>
      (JSON.parse(await admin.ok(['create', '-f', '-', '-o', 'json'], JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences ? { audiences } : {}) } }))) as { status: Record<string, unknown> }).status;

    expect(await tokenReview(forVault, ['vault'])).toMatchObject({ authenticated: true, user: { username: 'system:serviceaccount:team-sa:auditor' }, audiences: ['vault'] });
    // Not for the apiserver, whether asked for its audiences or not, and no use as a bearer token.
    expect(await tokenReview(forVault)).toEqual({ user: {}, error: 'token audiences ["vault"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]' });
    expect((await asToken(forVault).run(['auth', 'whoami'])).stderr).toContain('You must be logged in to the server');
    // An apiserver token is no use to Vault.
    expect(await tokenReview(forApi, ['vault'])).toEqual({ user: {}, error: 'token audiences ["https://kubernetes.default.svc.cluster.local"] is invalid for the target audiences ["vault"]' });
    expect(await tokenReview(forApi)).toMatchObject({ authenticated: true, audiences: ['https://kubernetes.default.svc.cluster.local'] });
    // A token nobody signed: not authenticated (Go omits the false), with the bearer-token error.
    expect(await tokenReview('not-a-token')).toEqual({ user: {}, error: 'invalid bearer token' });
    const empty = await admin.run(['create', '-f', '-'], JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: '' } }));
    expect(empty.stderr).toContain('token is required for TokenReview in authentication');
  });

  it('a token bound to a pod dies with the pod; durations under ten minutes are refused', async () => {
    const admin = asCert('admin');
    await admin.ok(['create', 'serviceaccount', 'worker', '-n', 'team-sa']);
    await admin.ok(['run', 'holder', '--image=busybox:1.36', '-n', 'team-sa', '--overrides', JSON.stringify({ spec: { serviceAccountName: 'worker' } })]);
    const token = (await admin.ok(['create', 'token', 'worker', '-n', 'team-sa', '--bound-object-kind=Pod', '--bound-object-name=holder'])).trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { 'kubernetes.io': { pod: { name: string } } };
    expect(claims['kubernetes.io'].pod.name).toBe('holder');
    const worker = asToken(token);
    expect((await worker.ok(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).trim()).toBe('system:serviceaccount:team-sa:worker');
    await admin.ok(['delete', 'pod', 'holder', '-n', 'team-sa', '--grace-period=0', '--force']);
    expect((await worker.run(['auth', 'whoami'])).stderr).toContain('You must be logged in to the server');

    const short = await admin.run(['create', 'token', 'worker', '-n', 'team-sa', '--duration=5m']);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes');
  });
});

describe('nodes', () => {
  it('a kubelet may register and heartbeat as itself only, and read only the secrets of its pods', async () => {
    const admin = asCert('admin');
    const node = asCert('node1');
    await node.ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } }));
    await admin.ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-2' } }));
    await node.ok(['label', 'node', 'node-1', 'ready=yes']);
    const other = await node.run(['label', 'node', 'node-2', 'ready=yes']);
    expect(other.stderr).toContain('nodes "node-2" is forbidden: node "node-1" is not allowed to modify node "node-2"');
    // Nor register another node, nor give itself labels or shed taints that steer workloads.
    expect((await node.run(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-3' } }))).stderr).toContain(
      'nodes "node-3" is forbidden: node "node-1" is not allowed to modify node "node-3"',
    );
    expect((await node.run(['label', 'node', 'node-1', 'node-restriction.kubernetes.io/secure=true'])).stderr).toContain(
      'nodes "node-1" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/secure',
    );
    await admin.ok(['taint', 'node', 'node-1', 'dedicated=db:NoSchedule']);
    expect((await node.run(['taint', 'node', 'node-1', 'dedicated-'])).stderr).toContain('nodes "node-1" is forbidden: node "node-1" is not allowed to modify taints');
    await node.ok(['label', 'node', 'node-1', 'topology.kubernetes.io/zone=a']);
    // Its CSINode, as the kubelet creates it; not another node's.
    const csiNode = (name: string) => JSON.stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name }, spec: { drivers: [] } });
    await node.ok(['create', '-f', '-'], csiNode('node-1'));
    await admin.ok(['create', '-f', '-'], csiNode('node-2'));
    await node.ok(['label', 'csinode', 'node-1', 'ready=yes']);
    expect((await node.run(['label', 'csinode', 'node-2', 'ready=yes'])).stderr).toContain('csinodes.storage.k8s.io "node-2" is forbidden: the node "node-1" is not allowed to modify CSINode "node-2"');

    await admin.ok(['create', 'namespace', 'apps']);
    await admin.ok(['create', 'secret', 'generic', 'mine', '--from-literal=a=1', '-n', 'apps']);
    await admin.ok(['create', 'secret', 'generic', 'theirs', '--from-literal=a=1', '-n', 'apps']);
    const pod = (name: string, nodeName: string, secret: string) => JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'apps' },
      spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 's', secret: { secretName: secret } }] },
    });
    await admin.ok(['create', '-f', '-'], pod('on-1', 'node-1', 'mine'));
    await admin.ok(['create', '-f', '-'], pod('on-2', 'node-2', 'theirs'));
    await waitForCached(() => node.run(['get', 'secret', 'mine', '-n', 'apps']));
    const denied = await node.run(['get', 'secret', 'theirs', '-n', 'apps']);
    expect(denied.stderr).toContain(`secrets "theirs" is forbidden: User "system:node:node-1" cannot get resource "secrets" in API group "" in the namespace "apps": no relationship found between node 'node-1' and this object`);
    expect((await node.run(['get', 'secrets', '-n', 'apps'])).code).toBe(1);
    // As the kubelet writes status: a PATCH straight to pods/status (kubectl would GET it first,
    // which Kubernetes' node rules do not allow either).
    const agent = new Agent({ connect: { ca: ca.certPem, cert: readFileSync(files['node1.crt']!), key: readFileSync(files['node1.key']!) } });
    const status = async (name: string) => {
      const res = await request(`${server}/api/v1/namespaces/apps/pods/${name}/status`, {
        dispatcher: agent,
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json' },
        body: '{"status":{"phase":"Running"}}',
      });
      return { code: res.statusCode, body: (await res.body.json()) as { message?: string } };
    };
    expect((await status('on-1')).code).toBe(200);
    const theirs = await status('on-2');
    expect([theirs.code, theirs.body.message]).toEqual([403, 'pods "on-2" is forbidden: node "node-1" can only update pod status with spec.nodeName set to itself']);
    await agent.close();
  });
});

/** The authorizer reads caches: retry a moment until a just-created object shows. */
async function waitForCached(attempt: () => Promise<{ code: number; stderr: string }>): Promise<void> {
  for (let i = 0; ; i++) {
    const r = await attempt();
    if (r.code === 0) return;
    if (i > 50) throw new Error(r.stderr);
    await new Promise((res) => setTimeout(res, 50));
  }
}

describe('audit', () => {
  it('writes an audit.k8s.io/v1 event for a create and for a refusal, naming the user', async () => {
    await asCert('admin').ok(['create', 'configmap', 'audited', '-n', 'default', '--from-literal=k=v']);
    await asCert('jane').run(['delete', 'configmap', 'audited', '-n', 'default']);
    await new Promise((r) => setTimeout(r, 200));
    const events = readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    // A create's URL names no object; its objectRef names the one made, as Kubernetes' does.
    const create = events.find((e) => e.verb === 'create' && e.stage === 'ResponseComplete' && e.objectRef?.resource === 'configmaps' && e.user.username === 'admin');
    expect(create).toMatchObject({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', stage: 'ResponseComplete', objectRef: { namespace: 'default', name: 'audited' }, responseStatus: { code: 201 } });
    const refused = events.find((e) => e.verb === 'delete' && e.user.username === 'jane');
    expect(refused).toMatchObject({ responseStatus: { code: 403, reason: 'Forbidden' }, annotations: { 'authorization.k8s.io/decision': 'forbid' } });
  });
});

describe('official clients over TLS', () => {
  it('client-node and the Python client authenticate with a client certificate', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server, caData: Buffer.from(ca.certPem).toString('base64') }],
      users: [{ name: 'admin', certData: Buffer.from(readFileSync(files['admin.crt']!)).toString('base64'), keyData: Buffer.from(readFileSync(files['admin.key']!)).toString('base64') }],
      contexts: [{ name: 'c', cluster: 'c', user: 'admin' }],
      currentContext: 'c',
    });
    const names = (await kc.makeApiClient(k8s.CoreV1Api).listNamespace()).items.map((n) => n.metadata?.name);
    expect(names).toContain('kube-system');

    const kubeconfig = write(
      'py-kubeconfig',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server, 'certificate-authority': files['ca.crt'] } }],
        users: [{ name: 'jane', user: { 'client-certificate': files['jane.crt'], 'client-key': files['jane.key'] } }],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'jane' } }],
        'current-context': 'c',
      }),
    );
    const script = [
      'import sys',
      'from kubernetes import client, config',
      'from kubernetes.client.rest import ApiException',
      `config.load_kube_config(${JSON.stringify(kubeconfig)})`,
      'try:',
      "    client.CoreV1Api().list_namespaced_pod('default')",
      '    print("allowed")',
      'except ApiException as e:',
      '    print(e.status, e.reason)',
    ].join('\n');
    const { stdout } = await run('/usr/bin/python3', ['-c', script], { timeout: 60_000 });
    expect(stdout.trim()).toBe('403 Forbidden');
  });

  it('client-node and the Python client authenticate with bearer tokens, and get 401 for a bad one', async () => {
    const admin = asCert('admin');
    await admin.ok(['create', 'namespace', 'clients']);
    await admin.ok(['create', 'serviceaccount', 'reader', '-n', 'clients']);
    await admin.ok(['create', 'rolebinding', 'reader-view', '--clusterrole=view', '--serviceaccount=clients:reader', '-n', 'clients']);
    const saToken = (await admin.ok(['create', 'token', 'reader', '-n', 'clients'])).trim();
    const listWith = async (token: string) => {
      const kc = new k8s.KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'c', server, caData: Buffer.from(ca.certPem).toString('base64') }],
        users: [{ name: 'u', token }],
        contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
        currentContext: 'c',
      });
      try {
        return (await kc.makeApiClient(k8s.CoreV1Api).listNamespacedConfigMap({ namespace: 'clients' })).kind;
      } catch (err) {
        return String((err as { code?: number }).code);
      }
    };
    expect(await listWith(saToken)).toBe('ConfigMapList');
    expect(await listWith('bob-token-0123456789')).toBe('403');
    expect(await listWith('garbage')).toBe('401');

    const pyList = (token: string) =>
      [
        'from kubernetes import client',
        'from kubernetes.client.rest import ApiException',
        'c = client.Configuration()',
        `c.host = ${JSON.stringify(server)}`,
        `c.ssl_ca_cert = ${JSON.stringify(files['ca.crt'])}`,
        `c.api_key = {"authorization": "Bearer " + ${JSON.stringify(token)}}`,
        'try:',
        "    print(client.CoreV1Api(client.ApiClient(c)).list_namespaced_config_map('clients').kind)",
        'except ApiException as e:',
        '    print(e.status)',
      ].join('\n');
    for (const [token, want] of [[saToken, 'ConfigMapList'], ['bob-token-0123456789', '403'], ['garbage', '401']] as const) {
      const { stdout } = await run('/usr/bin/python3', ['-c', pyList(token)], { timeout: 60_000 });
      expect([token.slice(0, 12), stdout.trim()]).toEqual([token.slice(0, 12), want]);
    }
  });
});

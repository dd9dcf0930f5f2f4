// The scheduler's and the controller-manager's secure ports as Kubernetes serves them (10259,
// 10257): HTTPS with a self-signed certificate, health for anyone, and everything else only for
// those the apiserver vouches for and RBAC allows (delegated authentication and authorization):
// a client certificate of the apiserver's client CA, read from
// kube-system/extension-apiserver-authentication, or a bearer token checked with a TokenReview.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCA, issue, type Issued } from '../../api/pki/certificates.js';
import { kubeconfigFor } from '../../launcher/pki.js';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { startComponent } from '../harness/components.js';
import { kubectlFor } from '../harness/kubectl.js';
import { freePort, waitFor } from '../harness/ports.js';
import type { Proc } from '../harness/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'kubette-component-ports-'));
let api: ApiServerHandle;
let ca: Issued;
const certs: Record<string, Issued> = {};
const procs: Proc[] = [];
let schedulerPort: number;
let managerPort: number;
let kubectl: ReturnType<typeof kubectlFor>;
let secureURL: string;

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
}

interface Answer {
  status: number;
  type: string | undefined;
  body: string;
}

/** A GET (or other method) as curl -k would send it, with a client certificate or a token if given. */
function get(port: number, path: string, who: { cert?: string; token?: string; method?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const c = who.cert ? certs[who.cert]! : undefined;
    const req = httpsRequest(
      { host: '127.0.0.1', port, path, method: who.method ?? 'GET', rejectUnauthorized: false, ...(c ? { cert: c.certPem, key: c.keyPem } : {}), headers: who.token ? { authorization: `Bearer ${who.token}` } : {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  ca = await createCA('kubette-component-ports-ca');
  const serving = await issue(ca, { commonName: 'kube-apiserver' }, { usages: ['server'], ipAddresses: ['127.0.0.1'] });
  certs.admin = await issue(ca, { commonName: 'admin', organizations: ['system:masters'] }, { usages: ['client'] });
  certs.jane = await issue(ca, { commonName: 'jane' }, { usages: ['client'] });
  certs.stranger = await issue(await createCA('someone-else'), { commonName: 'admin', organizations: ['system:masters'] }, { usages: ['client'] });
  const securePort = await freePort();
  secureURL = `https://127.0.0.1:${securePort}`;
  api = await startApiServer({
    etcd: inject('etcdEndpoint'),
    args: ['--secure-port', String(securePort), '--bind-address', '127.0.0.1', '--tls-cert-file', write('server.crt', serving.certPem), '--tls-private-key-file', write('server.key', serving.keyPem), '--client-ca-file', write('ca.crt', ca.certPem)],
  });
  kubectl = kubectlFor(api.url);
  schedulerPort = await freePort();
  managerPort = await freePort();
  procs.push(
    startComponent('scheduler', ['--master', api.url, '--secure-port', String(schedulerPort), '--leader-elect-retry-period', '500ms']),
    startComponent('controller-manager', ['--master', api.url, '--secure-port', String(managerPort), '--controllers', 'namespace', '--leader-elect-retry-period', '500ms']),
  );
  // Up, leading, and holding the apiserver's client CA (its first request may come before the CA is read).
  for (const port of [schedulerPort, managerPort]) {
    await waitFor(`component on ${port} ready`, async () => ((await get(port, '/readyz').catch(() => undefined))?.status === 200 ? true : undefined), 30_000);
    await waitFor(`component on ${port} taking the admin's certificate`, async () => {
      const answer = await get(port, '/metrics', { cert: 'admin' });
      if (answer.status !== 200) throw new Error(`${answer.status}: ${answer.body.slice(0, 200)}`);
      return true;
    }, 30_000);
  }
});
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await api?.stop();
});

const forbidden = (user: string, path: string, verb = 'get') => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: `forbidden: User "${user}" cannot ${verb} path "${path}"`,
  reason: 'Forbidden',
  details: {},
  code: 403,
});

describe('the components\' secure ports', () => {
  it('answer /healthz, /livez and /readyz to anyone, with the checks Kubernetes names', async () => {
    for (const port of [schedulerPort, managerPort]) {
      for (const path of ['/healthz', '/livez', '/readyz']) expect(await get(port, path)).toEqual({ status: 200, type: 'text/plain; charset=utf-8', body: 'ok' });
      expect((await get(port, '/livez?verbose')).body).toBe('[+]ping ok\nlivez check passed\n');
      // Always allowed whatever the method, as the paths are.
      expect((await get(port, '/healthz', { method: 'POST' })).status).toBe(200);
    }
    expect((await get(schedulerPort, '/readyz?verbose')).body).toBe('[+]leaderElection ok\n[+]shutdown ok\n[+]sched-handler-sync ok\nreadyz check passed\n');
    expect((await get(schedulerPort, '/healthz?verbose')).body).toBe('[+]leaderElection ok\nhealthz check passed\n');
    expect((await get(schedulerPort, '/readyz?verbose&exclude=shutdown')).body).toBe('[+]leaderElection ok\n[+]sched-handler-sync ok\n[+]shutdown excluded: ok\nreadyz check passed\n');
    // A single check's path is not one of the always-allowed paths (exact, as Kubernetes' defaults).
    expect(await get(schedulerPort, '/readyz/sched-handler-sync', { cert: 'admin' })).toMatchObject({ status: 200, body: 'ok' });
    expect((await get(schedulerPort, '/readyz/sched-handler-sync')).status).toBe(403);
    expect(await get(schedulerPort, '/readyz/nosuch', { cert: 'admin' })).toMatchObject({ status: 404, body: '404 page not found\n' });
    // One line per running controller on the controller-manager's /healthz.
    expect((await get(managerPort, '/healthz?verbose')).body).toBe('[+]leaderElection ok\n[+]namespace ok\nhealthz check passed\n');
  });

  it('serve /metrics to system:masters and to those RBAC lets get it, and a Status to anyone else', async () => {
    for (const [port, lease] of [[schedulerPort, 'kube-scheduler'], [managerPort, 'kube-controller-manager']] as const) {
      const admin = await get(port, '/metrics', { cert: 'admin' });
      expect(admin.status).toBe(200);
      expect(admin.body).toMatch(new RegExp(`^leader_election_master_status\\{name="${lease}"\\} 1$`, 'm'));
      const anonymous = await get(port, '/metrics');
      expect([anonymous.status, anonymous.type]).toEqual([403, 'application/json']);
      expect(JSON.parse(anonymous.body)).toEqual(forbidden('system:anonymous', '/metrics'));
      expect(JSON.parse((await get(port, '/metrics', { cert: 'jane' })).body)).toEqual(forbidden('jane', '/metrics'));
      // Refusals come before the path is looked up: an unknown path is 403 to the anonymous, 404 to an admin.
      expect((await get(port, '/debug/pprof/')).status).toBe(403);
      expect(await get(port, '/nosuch', { cert: 'admin' })).toMatchObject({ status: 404, body: '404 page not found\n' });
      // A credential that is offered and fails is 401, never anonymous.
      for (const who of [{ token: 'not-a-token' }, { cert: 'stranger' }]) {
        const res = await get(port, '/healthz', who);
        expect([res.status, JSON.parse(res.body)]).toEqual([401, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }]);
      }
    }
  });

  it('serve their configuration at /configz (flags applied) to those allowed, a Status to anyone else', async () => {
    const answer = await get(schedulerPort, '/configz', { cert: 'admin' });
    expect([answer.status, answer.type]).toEqual([200, 'application/json']);
    const config = JSON.parse(answer.body).componentconfig;
    expect(config).toMatchObject({
      apiVersion: 'kubescheduler.config.k8s.io/v1',
      kind: 'KubeSchedulerConfiguration',
      leaderElection: { leaderElect: true, retryPeriod: '500ms', resourceName: 'kube-scheduler' },
      percentageOfNodesToScore: 0,
      profiles: [{ schedulerName: 'default-scheduler' }],
    });
    expect(JSON.parse((await get(schedulerPort, '/configz')).body)).toEqual(forbidden('system:anonymous', '/configz'));
    // The controller-manager's, in kube-controller-manager's shape (Go field names).
    const manager = JSON.parse((await get(managerPort, '/configz', { cert: 'admin' })).body).componentconfig;
    expect(manager.Generic).toMatchObject({ Port: managerPort, LeaderElection: { LeaderElect: true, RetryPeriod: '500ms', ResourceName: 'kube-controller-manager' }, Controllers: ['namespace'] });
    expect(manager.NamespaceController).toEqual({ NamespaceSyncPeriod: '5m0s', ConcurrentNamespaceSyncs: 10 });
    expect((await get(managerPort, '/configz', { cert: 'jane' })).status).toBe(403);
  });

  it('take service-account tokens (TokenReview) and ask RBAC (SubjectAccessReview): system:monitoring may scrape', async () => {
    await kubectl.ok(['create', 'serviceaccount', 'scraper']);
    await kubectl.ok(['create', 'serviceaccount', 'nobody']);
    await kubectl.ok(['create', 'clusterrolebinding', 'scraper-monitoring', '--clusterrole', 'system:monitoring', '--serviceaccount', 'default:scraper']);
    const scraper = (await kubectl.ok(['create', 'token', 'scraper'])).trim();
    const nobody = (await kubectl.ok(['create', 'token', 'nobody'])).trim();
    for (const port of [schedulerPort, managerPort]) {
      expect((await get(port, '/metrics', { token: scraper })).status).toBe(200);
      expect((await get(port, '/readyz/leaderElection', { token: scraper })).body).toBe('ok');
      const refused = await get(port, '/metrics', { token: nobody });
      expect([refused.status, JSON.parse(refused.body)]).toEqual([403, forbidden('system:serviceaccount:default:nobody', '/metrics')]);
      expect(JSON.parse((await get(port, '/metrics', { token: scraper, method: 'POST' })).body)).toEqual(forbidden('system:serviceaccount:default:scraper', '/metrics', 'post'));
    }
  });

  it('ask their reviews where --authentication-kubeconfig and --authorization-kubeconfig say', async () => {
    // jane may create neither reviews: through her, no token is taken and nothing is allowed.
    const janeConfig = write('jane.kubeconfig', kubeconfigFor(secureURL, ca.certPem, 'jane', certs.jane!));
    const port = await freePort();
    const p = startComponent('controller-manager', ['--master', api.url, '--secure-port', String(port), '--controllers', 'namespace', '--leader-elect=false', '--authentication-kubeconfig', janeConfig, '--authorization-kubeconfig', janeConfig]);
    procs.push(p);
    await waitFor('the third controller-manager', async () => ((await get(port, '/healthz').catch(() => undefined))?.status === 200 ? true : undefined), 30_000);
    const scraper = (await kubectl.ok(['create', 'token', 'scraper'])).trim();
    expect((await get(port, '/metrics', { token: scraper })).status).toBe(401);
    expect((await get(port, '/metrics', { cert: 'jane' })).status).toBe(500);
    // Members of system:masters are never asked about.
    await waitFor('the CA read', async () => ((await get(port, '/metrics', { cert: 'admin' })).status === 200 ? true : undefined), 30_000);
    await p.stop();
  });

  it('keep serving after hostile requests: plain HTTP, bad paths, a TLS hello cut short', async () => {
    const raw = (bytes: string) =>
      new Promise<string>((resolve) => {
        const s = connect(schedulerPort, '127.0.0.1', () => s.end(bytes));
        let got = '';
        s.on('data', (d) => (got += d.toString('latin1')));
        s.on('close', () => resolve(got));
        s.on('error', () => resolve(got));
      });
    await raw('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n');
    await raw('\x16\x03\x01\x00\xff\x01');
    for (const path of ['/%00', '//metrics', '/healthz/../metrics', '/' + 'a'.repeat(10_000), '/healthz?exclude=' + 'x'.repeat(5_000), '/readyz?exclude=__proto__&verbose']) {
      const res = await get(schedulerPort, path);
      expect([400, 200, 403, 404], path.slice(0, 30)).toContain(res.status);
    }
    expect((await get(schedulerPort, '/readyz?exclude=__proto__&verbose')).body).toContain('readyz check passed');
    expect((await get(schedulerPort, '/metrics', { cert: 'admin' })).status).toBe(200);
  });

  it('refuse to start on a port that is taken, or with a certificate but no key, as Kubernetes\' components do', async () => {
    const second = startComponent('scheduler', ['--master', api.url, '--secure-port', String(schedulerPort), '--leader-elect=false']);
    procs.push(second);
    expect(await second.exited).toBe(1);
    expect((await second.lastWords()).join('\n')).toContain('EADDRINUSE');
    // A certificate without its key is a flag error: exit 2 and why.
    const halfTLS = startComponent('controller-manager', ['--master', api.url, '--secure-port', '0', '--tls-cert-file', join(dir, 'server.crt')]);
    procs.push(halfTLS);
    expect(await halfTLS.exited).toBe(2);
    expect((await halfTLS.lastWords()).join('\n')).toContain('--tls-cert-file and --tls-private-key-file must be given together');
  });
});

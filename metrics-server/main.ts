#!/usr/bin/env node
// kubette metrics-server: the resource metrics API (metrics.k8s.io/v1beta1) that `kubectl top`
// and autoscalers read, as Kubernetes' metrics-server provides it: it scrapes every kubelet's
// /metrics/resource each --metric-resolution, keeps two scrapes per node to turn counters into
// rates, and serves NodeMetrics and PodMetrics over HTTPS to the apiserver's aggregator, having
// registered itself (Service, Endpoints, APIService v1beta1.metrics.k8s.io).
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import type { Node } from '../api/types/core.js';
import type { Pod } from '../api/types/pod.js';
import { Informer, objectKey } from '../client/informer.js';
import { loadClientConfig } from '../client/kubeconfig.js';
import { resource, RestClient } from '../client/rest.js';
import { keepAsserting } from '../client/keep-asserting.js';
import { sleep } from '../client/sleep.js';
import { apiServerFlags, defineFlags, FlagError } from '../component-base/flags.js';
import { serveHealth } from '../component-base/health-server.js';
import { runComponent } from '../component-base/run.js';
import { selfSignedServingCert } from '../component-base/serving-cert.js';
import { accessOf, answer, statusAnswer } from './api.js';
import { authenticate, DelegatedAuthorizer, readRequestHeaderConfig, type RequestHeaderConfig } from './auth.js';
import { registerMetricsAPI } from './registration.js';
import { scrapeNode } from './scraper.js';
import { MetricsStorage } from './storage.js';
import { StatusError } from '../api/status.js';

const flags = defineFlags({
  ...apiServerFlags,
  'bind-address': { type: 'ip', default: '0.0.0.0', arg: 'IP', help: 'Where the HTTPS server listens.' },
  'secure-port': { type: 'port', default: 4443, arg: 'PORT', help: 'Its port (0 picks a free one).' },
  'advertise-address': { type: 'ip', arg: 'IP', help: "The address the apiserver reaches this server at, written into the metrics-server Endpoints (default: --bind-address, which must then not be 0.0.0.0)." },
  'metric-resolution': { type: 'duration', default: '15s', help: 'How often every kubelet is scraped.' },
  'kubelet-insecure-tls': { type: 'bool', default: false, help: "Do not verify the kubelets' serving certificates (kubelets that make self-signed ones)." },
  'kubelet-request-timeout': { type: 'duration', default: '10s', help: 'How long one kubelet may take to answer a scrape.' },
  'tls-cert-file': { type: 'string', arg: 'FILE', help: 'Serving certificate (PEM); without it a self-signed one is made at start, and its CA goes into the APIService.' },
  'tls-private-key-file': { type: 'string', arg: 'FILE', help: 'Key of --tls-cert-file (PEM).' },
  'tls-ca-file': { type: 'string', arg: 'FILE', help: "CA of --tls-cert-file, for the APIService's caBundle (default: the certificate itself)." },
  'health-port': { type: 'port', default: 0, arg: 'PORT', help: '/healthz and /metrics on 127.0.0.1 (0: off).' },
});

runComponent({
  command: 'kubette-metrics-server',
  component: 'metrics-server',
  flags,
  validate: (f) => {
    if ((f['advertise-address'] ?? f['bind-address']) === '0.0.0.0') throw new FlagError('--advertise-address must be an address the apiserver can reach (or --bind-address a specific one)');
    if (!!f['tls-cert-file'] !== !!f['tls-private-key-file']) throw new FlagError('--tls-cert-file and --tls-private-key-file go together');
    if (!(f['metric-resolution'] >= 1000)) throw new FlagError('--metric-resolution must be at least 1s');
  },
  async run({ flags: f, log, signal }) {
    const advertise = f['advertise-address'] ?? f['bind-address'];
    const config = loadClientConfig({ master: f.master, kubeconfig: f.kubeconfig, userAgent: 'kubette-metrics-server' });
    const client = new RestClient(config);
    // Only what the API serves from them: names and labels (and a node's kubelet address).
    const nodes = new Informer<Node>(client, resource('v1/nodes'), { transform: (n) => ({ apiVersion: n.apiVersion, kind: n.kind, metadata: { name: n.metadata.name, labels: n.metadata.labels, resourceVersion: n.metadata.resourceVersion }, status: { addresses: n.status?.addresses, daemonEndpoints: (n.status as { daemonEndpoints?: unknown })?.daemonEndpoints } }) as Node }, log);
    const pods = new Informer<Pod>(client, resource('v1/pods'), { transform: (p) => ({ apiVersion: p.apiVersion, kind: p.kind, metadata: { name: p.metadata.name, namespace: p.metadata.namespace, labels: p.metadata.labels, resourceVersion: p.metadata.resourceVersion }, spec: { containers: [], nodeName: p.spec?.nodeName } }) as unknown as Pod }, log);
    const storage = new MetricsStorage();
    const view = {
      node: (name: string) => storage.node(name),
      pods: () => storage.pods(),
      nodeLabels: () => new Map(nodes.list().map((n) => [n.metadata.name!, n.metadata.labels ?? {}])),
      pod: (namespace: string, name: string) => {
        const p = pods.get(objectKey({ metadata: { namespace, name } }));
        return p ? { labels: p.metadata.labels ?? {}, ...(p.spec.nodeName ? { nodeName: p.spec.nodeName } : {}) } : undefined;
      },
    };

    // The front proxy's CA comes from the apiserver: wait for it before serving anyone.
    let requestHeader: RequestHeaderConfig | undefined;
    for (let delay = 500; !requestHeader && !signal.aborted; delay = Math.min(delay * 2, 5000)) {
      try {
        requestHeader = await readRequestHeaderConfig(client);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'waiting for kube-system/extension-apiserver-authentication');
        await sleep(delay, signal);
      }
    }
    if (!requestHeader) return;
    const cert = f['tls-cert-file']
      ? { certPem: readFileSync(f['tls-cert-file'], 'utf8'), keyPem: readFileSync(f['tls-private-key-file']!, 'utf8'), caPem: readFileSync(f['tls-ca-file'] ?? f['tls-cert-file'], 'utf8') }
      : await selfSignedServingCert({ name: 'metrics-server', commonName: 'metrics-server', hosts: ['metrics-server.kube-system.svc', 'localhost'], ips: [advertise, '127.0.0.1'] });
    const authorizer = new DelegatedAuthorizer(client);
    let scrapes = 0;
    let scrapeErrors = 0;
    // Nodes whose last scrape failed: a failure is logged when it starts and when it ends, not
    // every round (simulated nodes have no kubelet to answer).
    const failing = new Set<string>();
    const server = createServer({ cert: cert.certPem, key: cert.keyPem, ca: requestHeader.caPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const send = (code: number, body: unknown) => res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      void (async () => {
        const url = new URL(req.url ?? '/', 'https://metrics-server');
        if (url.pathname === '/healthz' || url.pathname === '/livez' || url.pathname === '/readyz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        const caller = authenticate(req, requestHeader!);
        if (!caller) return send(401, new StatusError(401, 'Unauthorized', 'Unauthorized').toStatus());
        if (req.method !== 'GET') return send(405, new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource').toStatus());
        const access = accessOf(url.pathname.replace(/\/+$/, '') + '/');
        if (access && !(await authorizer.allowed(caller, access))) {
          const what = `${access.resource === 'nodes' ? 'nodes' : 'pods'}.metrics.k8s.io${access.name ? ` "${access.name}"` : ''}`;
          const scope = access.namespace ? ` in the namespace "${access.namespace}"` : ' at the cluster scope';
          return send(403, new StatusError(403, 'Forbidden', `${what} is forbidden: User "${caller.user}" cannot ${access.verb} resource "${access.resource}" in API group "metrics.k8s.io"${scope}`).toStatus());
        }
        const a = answer(view, url.pathname, url.searchParams);
        send(a.code, a.body);
      })().catch((err) => {
        const a = statusAnswer(err);
        if (!res.headersSent) send(a.code, a.body);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(f['secure-port'], f['bind-address'], () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    log.info({ address: `${f['bind-address']}:${port}` }, 'metrics-server listening (HTTPS)');

    const informing = Promise.all([nodes.run(signal), pods.run(signal)]);
    const kubelets = { credentials: { tls: config.tls, token: config.token }, insecure: f['kubelet-insecure-tls'], timeoutMs: f['kubelet-request-timeout'] };
    const scraping = (async () => {
      while (!signal.aborted) {
        const all = nodes.list();
        await Promise.all(
          all.map(async (n) => {
            const name = n.metadata.name!;
            try {
              storage.store(name, await scrapeNode(n, kubelets));
              if (failing.delete(name)) log.info({ node: name }, 'the kubelet answers again');
            } catch (err) {
              scrapeErrors++;
              if (!failing.has(name)) log.warn({ node: name, err: (err as Error).message }, 'could not scrape the kubelet');
              failing.add(name);
            }
          }),
        );
        const names = new Set(all.map((n) => n.metadata.name!));
        storage.retain(names);
        for (const n of failing) if (!names.has(n)) failing.delete(n);
        scrapes++;
        await sleep(f['metric-resolution'], signal);
      }
    })();
    // Keep the registration true: re-assert it now and then (someone may change it).
    const registering = keepAsserting('metrics.k8s.io', () => registerMetricsAPI(client, { address: advertise, port, caPem: cert.caPem }), signal, log);
    const health = serveHealth('127.0.0.1', f['health-port'], {
      metrics: () => [`metrics_server_scrapes_total ${scrapes}`, `metrics_server_scrape_errors_total ${scrapeErrors}`],
    });
    await Promise.all([informing, scraping, registering]);
    server.closeAllConnections();
    server.close();
    health?.close();
    await client.close();
  },
});

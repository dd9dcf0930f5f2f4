#!/usr/bin/env node
// kubette kubelet: flags -> client + Docker -> register the node, run the pods bound to it, and
// serve logs and exec on --port.
import { mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { EventRecorder } from '../client/events.js';
import { loadClientConfig } from '../client/kubeconfig.js';
import { rotateClientCertificates } from './node/certificate-rotation.js';
import { RestClient } from '../client/rest.js';
import { apiServerFlags, defineFlags, FlagError } from '../component-base/flags.js';
import { runComponent } from '../component-base/run.js';
import { Kubelet } from './kubelet.js';
import { bootstrapClientCertificate, hasUsableClientCertificate } from './node/bootstrap.js';
import { parseKeyValues, parseTaints } from '../component-base/node-flags.js';
import { DockerRuntime } from './runtime/docker/runtime.js';
import { KubeletServer } from './server/server.js';
import { KubeletAuth } from './server/auth.js';
import { selfSignedServingCert } from '../component-base/serving-cert.js';
import { loadServingCertificate, manageServingCertificate } from './node/serving-certificate.js';
import { serveHealth } from '../component-base/health-server.js';
import { kubeletConfiguration } from './node/configz.js';
import { DEFAULT_EVICTION_HARD, parseThresholds, ThresholdError } from './eviction/thresholds.js';

const flags = defineFlags({
  'node-name': { type: 'string', default: hostname().toLowerCase(), arg: 'NAME', help: 'The Node this kubelet registers and runs pods for.' },
  ...apiServerFlags,
  'bootstrap-kubeconfig': { type: 'string', arg: 'FILE', help: 'Credentials that may only request a client certificate: the kubelet asks for one (a CSR), waits for it, and writes --kubeconfig to use it.' },
  'rotate-certificates': { type: 'bool', help: 'Ask for a new client certificate as the current one nears its expiry (70-90% of its validity), and switch to it.' },
  'rotate-server-certificates': {
    type: 'bool',
    help: "Serve a certificate from the cluster's signer (kubernetes.io/kubelet-serving) instead of a self-signed one: ask for it with a CSR, which an administrator approves (kubectl certificate approve); until then the API has no certificate. Renewed at 70-90% of its validity.",
  },
  'cert-dir': { type: 'string', arg: 'DIR', help: "Where the bootstrapped client certificate and key are kept (default <root-dir>/pki)." },
  'docker-endpoint': { type: 'string', default: 'unix:///var/run/docker.sock', arg: 'URL', help: 'Docker Engine socket (unix://).' },
  'pod-infra-container-image': { type: 'string', default: 'kubette/pause:3.9', arg: 'IMAGE', help: 'The sandbox ("pause") image holding each pod\'s network.' },
  'pod-network': { type: 'string', default: 'kubette', arg: 'NAME', help: 'Docker network pod sandboxes join; created if missing.' },
  'node-labels': { type: 'string', default: '', arg: 'k=v,...', help: 'Labels to register the node with.' },
  'register-with-taints': { type: 'string', default: '', arg: 'k=v:Effect,...', help: 'Taints to register the node with.' },
  'max-pods': { type: 'int', default: 110, min: 0, arg: 'N', help: 'Pods this node accepts.' },
  'system-reserved': { type: 'string', default: '', arg: 'cpu=..,memory=..', help: 'Resources held back from pods (allocatable = capacity - reserved).' },
  address: { type: 'ip', default: '0.0.0.0', arg: 'IP', help: "Address of the kubelet's API (HTTPS)." },
  port: { type: 'port', default: 10250, arg: 'PORT', help: "Port of the kubelet's API: /healthz, /metrics, /pods, logs, exec (0 picks a free one, which the Node advertises)." },
  'tls-cert-file': { type: 'string', arg: 'FILE', help: "The API's serving certificate (PEM); without it a self-signed one is made and kept in --cert-dir (kubelet.crt, kubelet.key)." },
  'tls-private-key-file': { type: 'string', arg: 'FILE', help: 'Key of --tls-cert-file (PEM).' },
  'client-ca-file': { type: 'string', arg: 'FILE', help: 'CA whose client certificates authenticate to the API (CN user, O groups): the apiserver presents one.' },
  'anonymous-auth': { type: 'bool', default: false, help: 'Let requests without credentials in as system:anonymous (then authorized like anyone).' },
  'authentication-token-webhook': { type: 'bool', default: true, help: 'Authenticate bearer tokens with a TokenReview to the apiserver.' },
  'authorization-mode': { type: 'string', default: 'Webhook', arg: 'MODE', help: 'AlwaysAllow, or Webhook: a SubjectAccessReview per user, verb and nodes/<subresource>.' },
  'healthz-port': { type: 'port', default: 10248, arg: 'PORT', help: 'Port of the unauthenticated /healthz (0 disables).' },
  'healthz-bind-address': { type: 'ip', default: '127.0.0.1', arg: 'IP', help: 'Its address.' },
  'node-ip': { type: 'ip', default: '127.0.0.1', arg: 'IP', help: "The node's InternalIP, where the apiserver reaches --port." },
  'root-dir': { type: 'string', arg: 'DIR', help: 'Pod volumes live here (default /var/lib/kubette/<node-name>).' },
  'allowed-unsafe-sysctls': {
    type: 'list',
    default: [],
    arg: 'NAME,...',
    help: 'Sysctls beyond the safe set that pods may set: names, or prefixes ending in "*" (e.g. net.core.*); a pod asking for another is rejected (SysctlForbidden).',
  },
  'cluster-dns': { type: 'list', default: [], arg: 'IP,...', help: "DNS servers for pods with dnsPolicy ClusterFirst (default: the node's resolver)." },
  'cluster-domain': { type: 'string', default: 'cluster.local', arg: 'DOMAIN', help: "The cluster's DNS domain." },
  'node-lease-duration-seconds': { type: 'int', default: 40, min: 1, arg: 'N', help: "The node Lease's duration; renewed every quarter of it." },
  'node-status-update-frequency': { type: 'duration', default: '10s', help: 'How often node status is checked and written if changed.' },
  'eviction-hard': {
    type: 'string',
    default: DEFAULT_EVICTION_HARD,
    arg: 'SIGNAL<VALUE,...',
    help: 'Thresholds that evict pods as soon as they are met (signals memory.available, nodefs.available, nodefs.inodesFree, imagefs.available, imagefs.inodesFree, pid.available; values quantities or percentages of capacity; 0% or 100% turns one off).',
  },
  'eviction-soft': { type: 'string', default: '', arg: 'SIGNAL<VALUE,...', help: 'Thresholds that evict pods once met for their --eviction-soft-grace-period.' },
  'eviction-soft-grace-period': { type: 'string', default: '', arg: 'SIGNAL=DURATION,...', help: 'How long each soft threshold must hold before pods are evicted for it.' },
  'eviction-minimum-reclaim': { type: 'string', default: '', arg: 'SIGNAL=VALUE,...', help: 'How much beyond a met threshold must be free again before it counts as resolved.' },
  'eviction-pressure-transition-period': { type: 'duration', default: '5m', help: 'How long a pressure condition stays after its threshold was last met.' },
  'eviction-max-pod-grace-period': { type: 'int', default: 0, arg: 'SECONDS', help: "The most grace a pod evicted for a soft threshold gets (0: the pod's own); hard thresholds give 1 s." },
  'remove-containers-on-exit': {
    type: 'bool',
    help: 'On SIGTERM, stop and remove every container of this node (for `docker compose down`); without it pods keep running and the next kubelet adopts them.',
  },
});

const evictionThresholds = (f: { 'eviction-hard': string; 'eviction-soft': string; 'eviction-soft-grace-period': string; 'eviction-minimum-reclaim': string }) =>
  parseThresholds({ hard: f['eviction-hard'], soft: f['eviction-soft'], softGracePeriod: f['eviction-soft-grace-period'], minimumReclaim: f['eviction-minimum-reclaim'] });

function readFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new FlagError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

runComponent({
  command: 'kubette-kubelet',
  component: 'kubelet',
  flags,
  logFields: (f) => ({ node: f['node-name'] }),
  validate: (f) => {
    if (!f['docker-endpoint'].startsWith('unix://')) throw new FlagError(`--docker-endpoint must be a unix:// socket, got ${f['docker-endpoint']}`);
    if (f['bootstrap-kubeconfig'] && !f.kubeconfig) throw new FlagError('--bootstrap-kubeconfig needs --kubeconfig: the file the issued credentials are written to');
    if (f['rotate-certificates'] && !f.kubeconfig) throw new FlagError('--rotate-certificates needs --kubeconfig with a client certificate');
    if (!['AlwaysAllow', 'Webhook'].includes(f['authorization-mode'])) throw new FlagError(`--authorization-mode must be AlwaysAllow or Webhook, got ${f['authorization-mode']}`);
    if (!!f['tls-cert-file'] !== !!f['tls-private-key-file']) throw new FlagError('--tls-cert-file and --tls-private-key-file go together');
    if (f['rotate-server-certificates'] && f['tls-cert-file']) throw new FlagError('--rotate-server-certificates asks the cluster for the serving certificate: it does not go with --tls-cert-file');
    try {
      evictionThresholds(f);
    } catch (err) {
      if (err instanceof ThresholdError) throw new FlagError(`invalid eviction thresholds: ${err.message}`);
      throw err;
    }
  },
  // Removing every container on exit (compose down) takes a while on a busy node.
  drainMs: 60_000,
  async run({ flags: f, log, signal }) {
    const nodeName = f['node-name'];
    if (f['bootstrap-kubeconfig'] && !hasUsableClientCertificate(f.kubeconfig!, f['bootstrap-kubeconfig'])) {
      await bootstrapClientCertificate({
        nodeName,
        bootstrapKubeconfig: f['bootstrap-kubeconfig'],
        kubeconfig: f.kubeconfig!,
        certDir: f['cert-dir'] ?? join(f['root-dir'] ?? join('/var/lib/kubette', nodeName), 'pki'),
        log,
        signal,
      });
      if (signal.aborted) return;
    }
    const runtime = new DockerRuntime({ socketPath: f['docker-endpoint'].slice('unix://'.length), podNetwork: f['pod-network'], pauseImage: f['pod-infra-container-image'] });
    const client = new RestClient(loadClientConfig({ master: f.master, kubeconfig: f.kubeconfig, userAgent: `kubelet/${nodeName}` }));
    const recorder = new EventRecorder(client, { component: 'kubelet', host: nodeName }, log);
    if (f['rotate-certificates']) {
      void rotateClientCertificates({ client, nodeName, kubeconfig: f.kubeconfig!, certDir: f['cert-dir'] ?? join(f['root-dir'] ?? join('/var/lib/kubette', nodeName), 'pki'), log, signal });
    }
    const rootDir = f['root-dir'] ?? join('/var/lib/kubette', nodeName);
    mkdirSync(join(rootDir, 'pods'), { recursive: true });
    let kubelet: Kubelet | undefined;
    let boundPort = f.port;
    let runtimeUp = true;
    const certDir = f['cert-dir'] ?? join(rootDir, 'pki');
    const serving = f['rotate-server-certificates']
      ? (loadServingCertificate(certDir) ?? {})
      : f['tls-cert-file']
        ? { certPem: readFile(f['tls-cert-file']), keyPem: readFile(f['tls-private-key-file']!) }
        : await selfSignedServingCert({ certDir, name: 'kubelet', commonName: `${nodeName}@${Math.floor(Date.now() / 1000)}`, hosts: [nodeName, 'localhost'], ips: [...new Set([f['node-ip'], '127.0.0.1'])] });
    const server = new KubeletServer({
      tls: { ...serving, clientCaPem: f['client-ca-file'] ? readFile(f['client-ca-file']) : undefined },
      auth: new KubeletAuth(
        { nodeName, anonymous: f['anonymous-auth'], tokenWebhook: f['authentication-token-webhook'], authorization: f['authorization-mode'] as 'AlwaysAllow' | 'Webhook' },
        client,
      ),
      runtime,
      findPod: (ns, name) => kubelet?.findPod(ns, name),
      listPods: () => kubelet?.pods.list() ?? [],
      observe: (uid) => kubelet!.syncer.observe(uid),
      healthy: () => runtimeUp,
      metrics: () => kubelet?.metrics() ?? '',
      resourceMetrics: async () => (kubelet ? kubelet.resourceMetrics() : ''),
      statsSummary: async () => (kubelet ? kubelet.statsSummary() : { node: { nodeName }, pods: [] }),
      configz: () => kubeletConfiguration({ ...f, port: boundPort }, parseKeyValues(f['system-reserved']), parseTaints(f['register-with-taints'])),
      log,
    });
    // --port 0 takes a free port; the Node then advertises the one actually bound.
    const port = await server.listen(f.port, f.address);
    boundPort = port;
    log.info({ port, address: f.address }, 'kubelet API listening (HTTPS)');
    if (f['rotate-server-certificates']) {
      if (!serving.certPem) log.warn('no serving certificate yet: the API refuses TLS handshakes until the request is approved (kubectl certificate approve)');
      void manageServingCertificate({
        client,
        nodeName,
        // The names the node's status gives: Hostname and InternalIP.
        dnsNames: [nodeName],
        ipAddresses: [f['node-ip']],
        certDir,
        log,
        signal,
        use: (issued) => server.useCertificate(issued.certPem, issued.keyPem),
      });
    }
    const healthz = serveHealth(f['healthz-bind-address'], f['healthz-port'], {
      healthz: () => (runtimeUp ? { code: 200, body: 'ok' } : { code: 503, body: 'container runtime is down' }),
    });
    kubelet = new Kubelet(
      client,
      runtime,
      recorder,
      {
        nodeName,
        nodeIP: f['node-ip'],
        rootDir,
        allowedUnsafeSysctls: f['allowed-unsafe-sysctls'],
        clusterDNS: f['cluster-dns'],
        clusterDomain: f['cluster-domain'],
      },
      {
        nodeName,
        nodeIP: f['node-ip'],
        port,
        labels: parseKeyValues(f['node-labels']),
        taints: parseTaints(f['register-with-taints']),
        maxPods: f['max-pods'],
        reserved: parseKeyValues(f['system-reserved']),
        leaseDurationSeconds: f['node-lease-duration-seconds'],
        statusUpdateMs: f['node-status-update-frequency'],
        rootDir,
        evictionThresholds: evictionThresholds(f),
      },
      log,
      {
        thresholds: evictionThresholds(f),
        pressureTransitionMs: f['eviction-pressure-transition-period'],
        maxPodGraceSeconds: f['eviction-max-pod-grace-period'],
        monitoringMs: 10_000,
      },
    );
    const health = setInterval(() => void runtime.version().then(() => (runtimeUp = true), () => (runtimeUp = false)), 10_000);
    // Pods keep running across a kubelet restart: the next kubelet adopts their containers.
    await kubelet.run(signal);
    clearInterval(health);
    if (f['remove-containers-on-exit']) await kubelet.removeAllContainers();
    server.close();
    healthz?.close();
    await client.close();
    await runtime.close();
  },
});

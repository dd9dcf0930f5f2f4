#!/usr/bin/env node
// Local launcher: runs the cluster's components as local processes (etcd from the PATH, the
// apiserver, the scheduler, the controller-manager, kubelets sharing the local Docker),
// writes a kubeconfig for kubectl, keeps logs per component under .kubette/logs, and stops
// everything on Ctrl-C / SIGTERM. For machines without a registry and for development.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { nthAddress, parseCidr } from '../api/ip.js';
import { defineFlags, FlagError, parseFlags, usage, type FlagValues } from '../component-base/flags.js';
import { ensureEncryptionConfig } from './encryption-config.js';
import { ensurePodNetwork } from './pod-network.js';
import { prepareBalancer } from './balancer.js';
import { ensureClusterPKI, ensureKubeletKubeconfig, FRONT_PROXY_CLIENT } from './pki.js';
import { mallocEnv, nodeFlags } from '../component-base/heap.js';
import { freePort } from '../component-base/free-port.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const flags = defineFlags({
  'data-dir': { type: 'string', default: join(root, '.kubette'), arg: 'DIR', help: 'etcd data and component logs.' },
  'apiserver-port': { type: 'port', default: 8080, arg: 'PORT', help: "apiserver's plain-HTTP port on 127.0.0.1." },
  'apiserver-secure-port': { type: 'port', default: 6443, arg: 'PORT', help: "apiserver's TLS port on 127.0.0.1, which every component and the written kubeconfig use (0: none, and all on the plain port)." },
  'etcd-port': { type: 'port', default: 2379, arg: 'PORT', help: "etcd's client port on 127.0.0.1." },
  'etcd-peer-port': { type: 'port', arg: 'PORT', help: "etcd's peer port on 127.0.0.1 (default: the client port + 1)." },
  kubeconfig: { type: 'string', default: join(root, 'kubeconfig'), arg: 'FILE', help: 'Where to write the kubeconfig.' },
  nodes: { type: 'int', default: 2, min: 0, arg: 'N', help: 'Kubelets to run (they share the local Docker).' },
  'kubelet-port': { type: 'port', default: 10250, arg: 'PORT', help: "First kubelet's port; the next ones add 100 each (0: free ports)." },
  'node-prefix': { type: 'string', default: 'node', arg: 'NAME', help: 'Node names are NAME-1 ... NAME-N.' },
  'apiserver-args': { type: 'string', default: '', arg: '"..."', help: 'Extra flags for the apiserver (e.g. ="--default-unreachable-toleration-seconds 30").' },
  'controller-manager-args': { type: 'string', default: '', arg: '"..."', help: 'Extra flags for the controller-manager (e.g. ="--node-monitor-grace-period 20s").' },
  'kubelet-args': { type: 'string', default: '', arg: '"..."', help: 'Extra flags for every kubelet.' },
  'simulated-nodes': { type: 'int', default: 0, min: 0, max: 16384, arg: 'N', help: 'Simulated nodes beside the real ones (one kubette-simulated-nodes process: Nodes named simulated-1 ... simulated-N whose pods run nothing).' },
  'simulated-nodes-args': { type: 'string', default: '', arg: '"..."', help: 'Extra flags for the simulated nodes (e.g. ="--cpu 8 --pod-start-latency 2s").' },
  without: { type: 'list', default: [], arg: 'LIST', help: 'Components not to start: scheduler, controller-manager, proxy, dns, metrics-server (e.g. to run your own).' },
  'metric-resolution': { type: 'string', default: '15s', arg: 'DURATION', help: "How often metrics-server scrapes the kubelets (kubectl top's figures are this fresh)." },
  'service-cluster-ip-range': { type: 'cidr', default: '10.96.0.0/12', arg: 'CIDR', help: "Services' cluster IPs." },
  'service-node-port-range': { type: 'string', default: '30000-32767', arg: 'A-B', help: 'Node ports.' },
  'proxy-mode': { type: 'string', default: 'iptables', oneOf: ['iptables', 'userspace'], arg: 'MODE', help: 'iptables or userspace.' },
  'scheduler-secure-port': { type: 'port', default: 10259, arg: 'PORT', help: "The scheduler's HTTPS /healthz, /livez, /readyz and /metrics (0: none); `kubectl get componentstatuses` probes 10259." },
  'controller-manager-secure-port': { type: 'port', default: 10257, arg: 'PORT', help: "The controller-manager's, likewise (probed on 10257)." },
  'proxy-port': { type: 'port', default: 10256, arg: 'PORT', help: "The proxy's /healthz and /metrics on 127.0.0.1." },
  'chain-prefix': { type: 'string', default: 'KUBETTE', arg: 'NAME', help: "Prefix of the proxy's iptables chains." },
  'dns-port': { type: 'port', default: 0, arg: 'PORT', help: "The cluster DNS server's port on the pod network's gateway (0: a free one)." },
  'log-dir': { type: 'string', arg: 'DIR', help: 'Component logs (default <data-dir>/logs).' },
  apiservers: { type: 'int', default: 1, min: 1, max: 9, arg: 'N', help: 'Apiservers to run on the one etcd; more than one puts an nginx L4 balancer in front (--balancer-port), which every component and the kubeconfig use, and adds a standby scheduler and controller-manager.' },
  'etcd-members': { type: 'int', default: 1, min: 1, max: 5, arg: 'N', help: 'etcd members (3 keeps the store writable when one is lost); the first on --etcd-port, the others on free ports.' },
  'balancer-port': { type: 'port', default: 6444, arg: 'PORT', help: "The balancer's port (with --apiservers > 1), on every address, as the seeds have it." },
});

let values: FlagValues<typeof flags>;
try {
  const parsed = parseFlags(flags, process.argv.slice(2));
  if (parsed.help) {
    console.log(usage('npm run up --', flags));
    process.exit(0);
  }
  values = parsed.values;
  if (values.apiservers > 1 && !values['apiserver-secure-port']) throw new FlagError('--apiservers > 1 needs the secure port (the balancer passes TLS through)');
} catch (err) {
  if (!(err instanceof FlagError)) throw err;
  console.error(`launcher: ${err.message}\nRun 'npm run up -- --help' for the flags.`);
  process.exit(2);
}

const dataDir = values['data-dir'];
const logDir = values['log-dir'] ?? join(dataDir, 'logs');
mkdirSync(logDir, { recursive: true });
const etcdPort = values['etcd-port'];
const etcdPeerPort = values['etcd-peer-port'] ?? etcdPort + 1;
const apiPort = values['apiserver-port'];
const children: Array<{ name: string; child: ChildProcess }> = [];
/** Components the cluster survives losing (one apiserver of several, one etcd member of three): their exit is logged, not fatal. */
const redundant = new Set<string>();

/** When each component was last restarted: a crash loop gives up after RESTARTS_PER_MINUTE. */
const restarts = new Map<string, number[]>();
const RESTARTS_PER_MINUTE = 5;

function mayRestart(name: string): boolean {
  const now = Date.now();
  const recent = (restarts.get(name) ?? []).filter((t) => now - t < 60_000);
  restarts.set(name, [...recent, now]);
  return recent.length < RESTARTS_PER_MINUTE;
}

function start(name: string, cmd: string, args: string[], replacing?: ChildProcess): ChildProcess {
  if (stopping) throw new Error(`not starting ${name}: the launcher is stopping`);
  const log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  const node = cmd === process.execPath;
  const child = spawn(cmd, node ? [...nodeFlags(args[0] ?? ''), ...args] : args, { stdio: ['ignore', 'pipe', 'pipe'], env: node ? { ...process.env, ...mallocEnv() } : process.env });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${name} exited (${signal ?? code}); see ${join(logDir, `${name}.log`)}`);
    // A component that fails by itself is started again, as a supervisor (systemd, the kubelet
    // for static pods) would: a leader that lost its Lease exits 1 by design, to compete anew.
    // One killed by a signal stays down: that is how the fault tests play a lost machine; a
    // usage error (2) would only fail again.
    if (code !== null && code !== 0 && code !== 2 && mayRestart(name)) {
      setTimeout(() => {
        if (stopping) return;
        console.error(`${name}: starting again`);
        start(name, cmd, args, child);
      }, 1000);
      return;
    }
    if (!redundant.has(name)) void stop(1);
  });
  // Fault tests find a component's process here.
  mkdirSync(join(dataDir, 'pids'), { recursive: true });
  writeFileSync(join(dataDir, 'pids', `${name}.pid`), String(child.pid ?? ''));
  // A restarted component keeps its place in the stop order.
  const at = replacing ? children.findIndex((c) => c.child === replacing) : -1;
  if (at >= 0) children[at] = { name, child };
  else children.push({ name, child });
  return child;
}

async function waitHTTP(url: string, what: string, timeoutMs = 30_000, tls?: { ca: string; cert: string; key: string }): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const dispatcher = tls ? new Agent({ connect: tls }) : undefined;
  for (;;) {
    try {
      const res = await request(url, { dispatcher });
      await res.body.dump();
      if (res.statusCode === 200) return void (await dispatcher?.close());
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not become ready; see ${logDir}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitTCP(port: number, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const up = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`${what} did not start listening; see ${logDir}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Splits a flags string ("--a 1 --b x") into arguments. */
function extra(flags: string | undefined): string[] {
  return (flags ?? '').split(/\s+/).filter(Boolean);
}

let stopping = false;
/** How long a component may take to exit after SIGTERM: kubelets may be removing their pods' containers. */
const KILL_AFTER_MS = { kubelet: 75_000, other: 15_000 };

async function stopChild(name: string, child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), name.startsWith('kubelet-') ? KILL_AFTER_MS.kubelet : KILL_AFTER_MS.other);
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
  clearTimeout(killer);
}

async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Reverse order: clients before the store. The kubelets go together, each finishing its own
  // drain (with --remove-containers-on-exit, its pods' containers) while the apiserver still
  // answers. Children started while stopping are in the list too.
  while (children.length) {
    const { name, child } = children.pop()!;
    if (name.startsWith('kubelet-')) {
      const kubelets = [{ name, child }];
      while (children.length && children[children.length - 1]!.name.startsWith('kubelet-')) kubelets.push(children.pop()!);
      await Promise.all(kubelets.map((k) => stopChild(k.name, k.child)));
    } else {
      await stopChild(name, child);
    }
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

async function main(): Promise<void> {
  const server = `http://127.0.0.1:${apiPort}`;
  const securePort = values['apiserver-secure-port'];
  // With several apiservers, everything goes through the balancer.
  const secure = values.apiservers > 1 ? `https://127.0.0.1:${values['balancer-port']}` : `https://127.0.0.1:${securePort}`;
  const nodeNames = Array.from({ length: values.nodes }, (_, i) => `${values['node-prefix']}-${i + 1}`);
  // Secure by default: certificates for every component, each on its own identity.
  const pki = securePort
    ? await ensureClusterPKI(dataDir, { server: values.apiservers > 1 ? `https://127.0.0.1:${values['balancer-port']}` : secure, ips: [nthAddress(parseCidr(values['service-cluster-ip-range']), 1)], names: [] })
    : undefined;

  // etcd serves TLS and lets in only clients with a certificate from its own CA (the apiserver);
  // members talk to one another in TLS too, each presenting its peer certificate.
  const scheme = pki ? 'https' : 'http';
  // Ports picked here for the extra members and apiservers: each once, none given by a flag.
  const picked = new Set([etcdPort, etcdPeerPort, apiPort, securePort, values['balancer-port']]);
  const freePortOnce = () => freePort((p) => !picked.has(p) && Boolean(picked.add(p)));
  const members = [{ name: 'etcd', client: etcdPort, peer: etcdPeerPort }];
  for (let i = 2; i <= values['etcd-members']; i++) members.push({ name: `etcd-${i}`, client: await freePortOnce(), peer: await freePortOnce() });
  const peerURL = (m: { peer: number }) => `${scheme}://127.0.0.1:${m.peer}`;
  const initialCluster = members.map((m) => `${m.name}=${peerURL(m)}`).join(',');
  for (const m of members) {
    const url = `${scheme}://127.0.0.1:${m.client}`;
    if (members.length > 1) redundant.add(m.name);
    start(m.name, process.env.ETCD_BIN ?? 'etcd', [
      '--name', members.length > 1 ? m.name : 'default',
      '--data-dir', join(dataDir, m.name),
      '--listen-client-urls', url,
      '--advertise-client-urls', url,
      '--listen-peer-urls', peerURL(m),
      '--initial-advertise-peer-urls', peerURL(m),
      '--initial-cluster', members.length > 1 ? initialCluster : `default=${peerURL(m)}`,
      ...(members.length > 1 ? ['--initial-cluster-state', 'new', '--initial-cluster-token', 'kubette'] : []),
      ...(pki ? ['--cert-file', pki.etcd.cert, '--key-file', pki.etcd.key, '--client-cert-auth', '--trusted-ca-file', pki.etcd.ca] : []),
      ...(pki ? ['--peer-cert-file', pki.etcd.peerCert, '--peer-key-file', pki.etcd.peerKey, '--peer-client-cert-auth', '--peer-trusted-ca-file', pki.etcd.ca] : []),
    ]);
  }
  const etcdURL = `${scheme}://127.0.0.1:${etcdPort}`;
  const etcdServers = members.map((m) => `${scheme}://127.0.0.1:${m.client}`).join(',');
  const etcdClientTLS = pki ? { ca: readFileSync(pki.etcd.ca, 'utf8'), cert: readFileSync(pki.etcd.clientCert, 'utf8'), key: readFileSync(pki.etcd.clientKey, 'utf8') } : undefined;
  await waitHTTP(`${etcdURL}/health`, 'etcd', 30_000, etcdClientTLS);

  // Pods reach the apiserver (the kubernetes Service) at the pod network's gateway, so the
  // secure port listens on every address, as Kubernetes' does, and advertises that one.
  const podGateway = ensurePodNetwork('kubette');
  // Several apiservers: the first on the given ports, the others on free ones, all behind the
  // balancer, which is what the kubernetes Service's endpoint and every client use.
  const apiservers = [{ name: 'apiserver', port: apiPort, securePort }];
  for (let i = 2; i <= values.apiservers; i++) apiservers.push({ name: `apiserver-${i}`, port: await freePortOnce(), securePort: securePort ? await freePortOnce() : 0 });
  const balanced = apiservers.length > 1;
  const advertise = balanced ? `${podGateway}:${values['balancer-port']}` : podGateway;
  for (const a of apiservers) {
    if (balanced) redundant.add(a.name);
    start(a.name, process.execPath, [join(root, 'dist', 'apiserver', 'main.js'), '--etcd-servers', etcdServers, '--insecure-port', String(a.port),
      '--service-cluster-ip-range', values['service-cluster-ip-range'],
      '--service-node-port-range', values['service-node-port-range'],
      '--bind-address', '0.0.0.0', '--advertise-address', advertise, '--secure-port', String(a.securePort),
      ...(pki
        ? ['--tls-cert-file', pki.apiserverCert, '--tls-private-key-file', pki.apiserverKey, '--client-ca-file', pki.caCert, '--service-account-signing-key-file', pki.serviceAccountKey, '--token-auth-file', pki.tokenFile, '--enable-bootstrap-token-auth', '--kubelet-bootstrap-bindings',
          '--kubelet-client-certificate', pki.kubeletClientCert, '--kubelet-client-key', pki.kubeletClientKey,
          '--proxy-client-cert-file', pki.frontProxy.cert, '--proxy-client-key-file', pki.frontProxy.key,
          '--requestheader-client-ca-file', pki.frontProxy.ca, '--requestheader-allowed-names', FRONT_PROXY_CLIENT]
        : []),
      ...(pki ? ['--etcd-cafile', pki.etcd.ca, '--etcd-certfile', pki.etcd.clientCert, '--etcd-keyfile', pki.etcd.clientKey] : []),
      '--encryption-provider-config', ensureEncryptionConfig(dataDir),
      ...(balanced ? ['--shutdown-delay-duration', '2s'] : []),
      ...extra(values['apiserver-args'])]);
  }
  for (const a of apiservers) await waitHTTP(`http://127.0.0.1:${a.port}/readyz`, a.name);
  if (balanced) {
    // Restarting the balancer is a fault the HA bench plays: its exit is logged, not fatal.
    redundant.add('balancer');
    start('balancer', process.env.NGINX_BIN ?? 'nginx', prepareBalancer({
      dir: join(dataDir, 'balancer'),
      listen: { host: '0.0.0.0', port: values['balancer-port'] },
      upstreams: apiservers.map((a) => ({ host: '127.0.0.1', port: a.securePort || a.port })),
    }));
    await waitTCP(values['balancer-port'], 'balancer');
  }
  /** How a component reaches the apiserver: its own kubeconfig on the secure port, else the plain port. */
  const apiFor = (identity: string) => (pki ? ['--kubeconfig', pki.kubeconfigs[identity]!] : ['--master', server]);

  const without = new Set(values.without);
  // With several apiservers, a standby of each controller-like component waits on its Lease.
  const instances = balanced ? ['', '-2'] : [''];
  for (const suffix of instances) {
    if (balanced) redundant.add(`scheduler${suffix}`).add(`controller-manager${suffix}`);
    // One host: only the first of each serves its secure port (its standby would find it taken).
    const securePort = (flag: 'scheduler-secure-port' | 'controller-manager-secure-port') => ['--bind-address', '127.0.0.1', '--secure-port', String(suffix ? 0 : values[flag])];
    if (!without.has('scheduler')) start(`scheduler${suffix}`, process.execPath, [join(root, 'dist', 'scheduler', 'main.js'), ...apiFor('scheduler'), ...securePort('scheduler-secure-port')]);
    if (!without.has('controller-manager')) start(`controller-manager${suffix}`, process.execPath, [join(root, 'dist', 'controller-manager', 'main.js'), ...apiFor('controller-manager'), ...securePort('controller-manager-secure-port'), ...(pki ? ['--cluster-signing-cert-file', pki.caCert, '--cluster-signing-key-file', pki.caKey, '--service-account-private-key-file', pki.serviceAccountKey] : []), '--local-path-root', join(dataDir, 'local-path'), ...extra(values['controller-manager-args'])]);
  }

  // Simulated nodes act for many nodes at once: they run with their own cluster-admin identity.
  if (values['simulated-nodes'] > 0) {
    start('simulated-nodes', process.execPath, [join(root, 'dist', 'simulated-nodes', 'main.js'), ...apiFor('simulated-nodes'), '--nodes', String(values['simulated-nodes']), ...extra(values['simulated-nodes-args'])]);
  }

  // One proxy for the host: the nodes here share its network, so they share its rules.
  if (!without.has('proxy')) {
    start('proxy', process.execPath, [
      join(root, 'dist', 'proxy', 'main.js'),
      ...apiFor('proxy'),
      '--hostname-override', `${values['node-prefix']}-1`,
      '--proxy-mode', values['proxy-mode'],
      '--service-cluster-ip-range', values['service-cluster-ip-range'],
      '--iptables-chain-prefix', values['chain-prefix'],
      '--healthz-bind-address', `127.0.0.1:${values['proxy-port']}`,
    ]);
  }

  // Cluster DNS listens on the pod network's gateway, where pods reach the host.
  const dnsIP = nthAddress(parseCidr(values['service-cluster-ip-range']), 10);
  if (!without.has('dns')) {
    start('dns', process.execPath, [
      join(root, 'dist', 'dns', 'main.js'),
      ...apiFor('dns'),
      '--bind-address', podGateway,
      '--port', String(values['dns-port']),
      '--cluster-dns-ip', dnsIP,
    ]);
  }

  // The resource metrics API (kubectl top) needs the aggregator's front proxy: secure clusters only.
  if (pki && !without.has('metrics-server')) {
    start('metrics-server', process.execPath, [
      join(root, 'dist', 'metrics-server', 'main.js'),
      ...apiFor('metrics-server'),
      '--bind-address', '127.0.0.1',
      '--secure-port', '0',
      '--kubelet-insecure-tls',
      '--metric-resolution', values['metric-resolution'],
    ]);
  }

  const nodes: string[] = [];
  for (let i = 1; i <= values.nodes; i++) {
    const name = nodeNames[i - 1]!;
    const base = values['kubelet-port'];
    const port = base === 0 ? 0 : base + 100 * (i - 1);
    nodes.push(name);
    start(`kubelet-${name}`, process.execPath, [
      join(root, 'dist', 'kubelet', 'main.js'),
      // Kubelets join as the seeds have them: a bootstrap token, then a certificate of their own
      // (issued here instead when no controller-manager runs to sign it).
      ...(!pki
        ? ['--master', server]
        : without.has('controller-manager')
          ? ['--kubeconfig', await ensureKubeletKubeconfig(pki, name, secure)]
          : ['--bootstrap-kubeconfig', pki.bootstrapKubeconfig, '--kubeconfig', join(dataDir, 'kubelet', name, 'kubelet.kubeconfig'), '--rotate-certificates']),
      // Their APIs trust the apiserver's client certificate (and authorize it by
      // SubjectAccessReview); without a PKI they answer anyone on loopback, as before.
      ...(pki ? ['--client-ca-file', pki.caCert] : ['--anonymous-auth', '--authorization-mode', 'AlwaysAllow']),
      '--node-name', name,
      '--address', '127.0.0.1',
      '--node-ip', '127.0.0.1',
      '--port', String(port),
      // Kubelets share this host: none takes the fixed unauthenticated /healthz port.
      '--healthz-port', '0',
      '--root-dir', join(dataDir, 'kubelet', name),
      ...(without.has('dns') ? [] : ['--cluster-dns', dnsIP]),
      ...extra(values['kubelet-args']),
    ]);
  }

  const kubeconfig = values.kubeconfig;
  // The user's kubeconfig: the admin (system:masters) on the secure port.
  if (pki) writeFileSync(kubeconfig, readFileSync(pki.kubeconfigs.admin!, 'utf8'), { mode: 0o600 });
  else writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters:
- name: kubette
  cluster:
    server: ${server}
contexts:
- name: kubette
  context:
    cluster: kubette
    user: kubette
    namespace: default
current-context: kubette
users:
- name: kubette
  user: {}
`,
  );
  const apiserverText = values.apiservers > 1 ? `${values.apiservers} apiservers behind the balancer ${secure} (local admin port of the first ${server})` : pki ? `apiserver ${secure} (local admin port ${server})` : `apiserver ${server}`;
  console.log(`kubette is up: ${apiserverText}, etcd ${values['etcd-members'] > 1 ? `${values['etcd-members']} members, first ` : ''}${etcdURL}, ${['scheduler', 'controller-manager', 'proxy', 'dns', ...(pki ? ['metrics-server'] : [])].filter((c) => !without.has(c)).join(', ')}, kubelets ${nodes.join(', ') || '(none)'}${values['simulated-nodes'] ? `, ${values['simulated-nodes']} simulated nodes` : ''}
  kubectl --kubeconfig ${kubeconfig} get namespaces
  logs in ${logDir}; Ctrl-C stops everything`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  void stop(1);
});

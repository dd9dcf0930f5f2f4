// Services end to end, in both proxy modes: the tutorial's `kubectl expose --type=NodePort`,
// traffic spread over the ready pods from the host (node port) and from inside pods (cluster
// IP, DNS names), a Service without a selector reaching the Endpoints its user wrote,
// endpoints following scaling and readiness, LoadBalancer on a machine with
// no cloud, and cleanup when the Service goes. Every address used is on this machine: the
// cluster's own service range (guarded by the proxy's REJECT rule), loopback, or pods.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { kubectlWithKubeconfig } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';

type Obj = Record<string, any>;

const SERVER = ['sh', '-c', "trap 'exit 0' TERM; mkdir -p /www; hostname > /www/index.html; touch /www/ready; httpd -f -p 8080 -h /www & wait"];

describe.each(['iptables', 'userspace'])('services with the %s proxy', (mode) => {
  let cluster: Cluster;
  let kubectl: ReturnType<typeof kubectlWithKubeconfig>;
  const getJSON = async (path: string): Promise<Obj> => (await fetch(`${cluster.server}${path}`)).json() as Promise<Obj>;
  const readyPods = async () => ((await getJSON('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).items as Obj[]).filter((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c: Obj) => c.type === 'Ready' && c.status === 'True'));
  /** Who answers `count` requests to a URL from the host. */
  const answerers = async (url: string, count: number) => {
    const names = new Set<string>();
    for (let i = 0; i < count; i++) {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) }).catch(() => undefined);
      if (res?.ok) names.add((await res.text()).trim());
    }
    return names;
  };

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, launcherArgs: [`--proxy-mode=${mode}`] });
    kubectl = kubectlWithKubeconfig(cluster.kubeconfig);
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'busybox:1.36', command: SERVER, readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 } }] },
        },
      },
    }));
    await waitFor('3 ready pods', async () => ((await readyPods()).length === 3 ? true : undefined), 60_000, 200);
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('kubectl expose --type=NodePort: every pod answers on the node port, and on the cluster IP and DNS names from inside a pod', async () => {
    await kubectl.ok(['expose', 'deployment/web', '--type=NodePort', '--port', '8080']);
    const row = await kubectl.ok(['get', 'svc', 'web']);
    const [header, line] = row.trim().split('\n');
    expect(header!.split(/\s+/)).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    const svc = await getJSON('/api/v1/namespaces/default/services/web');
    const nodePort = svc.spec.ports[0].nodePort;
    expect(line).toMatch(new RegExp(`^web\\s+NodePort\\s+${svc.spec.clusterIP.replace(/\./g, '\\.')}\\s+<none>\\s+8080:${nodePort}/TCP\\s`));

    const pods = new Set((await readyPods()).map((p) => p.metadata.name));
    const seen = await waitFor('every pod answering on the node port', async () => {
      const names = await answerers(`http://127.0.0.1:${nodePort}/index.html`, 30);
      return names.size === 3 ? names : undefined;
    }, 30_000, 500);
    expect(seen).toEqual(pods);

    const client = [...pods][0]!;
    for (const target of [`${svc.spec.clusterIP}:8080`, 'web.default.svc.cluster.local:8080', 'web:8080']) {
      const out = await kubectl.ok(['exec', client, '--', 'wget', '-qO-', `http://${target}/index.html`]);
      expect(pods.has(out.trim())).toBe(true);
    }
    const ns = await kubectl.ok(['exec', client, '--', 'nslookup', 'web.default.svc.cluster.local', cluster.dnsIP]);
    expect(ns).toContain(`Address: ${svc.spec.clusterIP}`);

    const endpoints = await kubectl.ok(['get', 'endpoints', 'web', '--no-headers']);
    const ips = (await readyPods()).map((p) => `${p.status.podIP}:8080`).sort();
    expect(endpoints.split(/\s+/)[1]!.split(',').sort()).toEqual(ips);
  });

  it('a Service without a selector reaches what the Endpoints its user wrote name, mirrored into EndpointSlices', async () => {
    const target = (await readyPods())[0]!;
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'outside' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } }));
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'outside', labels: { team: 'db' } }, subsets: [{ addresses: [{ ip: target.status.podIP }], ports: [{ port: 8080 }] }] }));
    const slice = await waitFor('a mirrored EndpointSlice', async () => ((await getJSON('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Doutside')).items as Obj[])[0], 30_000, 200);
    const endpoints = await getJSON('/api/v1/namespaces/default/endpoints/outside');
    expect(slice.metadata.labels).toEqual({ team: 'db', 'kubernetes.io/service-name': 'outside', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' });
    expect(slice.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Endpoints', name: 'outside', uid: endpoints.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect([slice.addressType, slice.endpoints, slice.ports]).toEqual(['IPv4', [{ addresses: [target.status.podIP], conditions: { ready: true } }], [{ name: '', port: 8080, protocol: 'TCP' }]]);
    const nodePort = (await getJSON('/api/v1/namespaces/default/services/outside')).spec.ports[0].nodePort;
    const seen = await waitFor('the named pod answering on the node port', async () => {
      const names = await answerers(`http://127.0.0.1:${nodePort}/index.html`, 3);
      return names.size ? names : undefined;
    }, 30_000, 500);
    expect(seen).toEqual(new Set([target.metadata.name]));
    // Labelled skip-mirror, the Endpoints is left to whoever manages slices for it.
    await kubectl.ok(['label', 'endpoints', 'outside', 'endpointslice.kubernetes.io/skip-mirror=true']);
    await waitFor('the mirrored slice removed', async () => (((await getJSON('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Doutside')).items as Obj[]).length === 0 ? true : undefined), 30_000, 200);
    await kubectl.ok(['delete', 'service', 'outside']);
    await kubectl.ok(['delete', 'endpoints', 'outside', '--ignore-not-found']);
  });

  it('follows scaling and readiness within seconds', async () => {
    const nodePort = (await getJSON('/api/v1/namespaces/default/services/web')).spec.ports[0].nodePort;
    const url = `http://127.0.0.1:${nodePort}/index.html`;
    await kubectl.ok(['scale', 'deployment/web', '--replicas=2']);
    const two = await waitFor('two pods answering', async () => {
      const ready = await readyPods();
      const names = await answerers(url, 20);
      return ready.length === 2 && names.size === 2 && [...names].every((n) => ready.some((p) => p.metadata.name === n)) ? ready : undefined;
    }, 30_000, 500);
    // One pod stops being ready: only the other answers.
    const [sick, healthy] = two as [Obj, Obj];
    await kubectl.ok(['exec', sick.metadata.name, '--', 'rm', '/www/ready']);
    await waitFor('only the ready pod answering', async () => {
      const names = await answerers(url, 15);
      return names.size === 1 && names.has(healthy.metadata.name) ? true : undefined;
    }, 30_000, 500);
    const endpoints = await getJSON('/api/v1/namespaces/default/endpoints/web');
    expect(endpoints.subsets[0].addresses.map((a: Obj) => a.ip)).toEqual([healthy.status.podIP]);
    await kubectl.ok(['exec', sick.metadata.name, '--', 'touch', '/www/ready']);
  });

  it('LoadBalancer works as NodePort and reports the node address', async () => {
    await kubectl.ok(['expose', 'deployment/web', '--name=web-lb', '--type=LoadBalancer', '--port', '8080']);
    const svc = await waitFor('an ingress address', async () => {
      const s = await getJSON('/api/v1/namespaces/default/services/web-lb');
      return s.status?.loadBalancer?.ingress?.length ? s : undefined;
    }, 30_000, 300);
    expect(svc.status.loadBalancer.ingress).toEqual([{ ip: '127.0.0.1', ipMode: 'VIP' }]);
    expect(await kubectl.ok(['get', 'svc', 'web-lb', '--no-headers'])).toMatch(/^web-lb\s+LoadBalancer\s+\S+\s+127\.0\.0\.1\s+8080:\d+\/TCP/);
    const names = await waitFor('answers through the LoadBalancer node port', async () => {
      const n = await answerers(`http://127.0.0.1:${svc.spec.ports[0].nodePort}/index.html`, 5);
      return n.size ? n : undefined;
    }, 30_000, 500);
    expect(names.size).toBeGreaterThan(0);
  });

  it('Local traffic policies: local endpoints for cluster IPs and for node port traffic from elsewhere, all of them for this host, a health check node port', async () => {
    // Two pods; a hand-made EndpointSlice puts the second on a node at another address, a
    // Node with no kubelet (the proxy serves the nodes at its own node's address).
    const [near, far] = (await readyPods()).map((p) => p.metadata);
    const farNode = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'elsewhere' }, spec: { unschedulable: true }, status: { addresses: [{ type: 'InternalIP', address: '192.0.2.50' }] } };
    await kubectl.ok(['create', '-f', '-'], JSON.stringify(farNode));
    await kubectl.ok(['patch', 'node', 'elsewhere', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: farNode.status })]);
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'local' }, spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Local', ports: [{ port: 8080 }] } },
        {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: 'local-1', labels: { 'kubernetes.io/service-name': 'local' } },
          addressType: 'IPv4',
          ports: [{ port: 8080, protocol: 'TCP' }],
          endpoints: [
            { addresses: [(await getJSON(`/api/v1/namespaces/default/pods/${near!.name}`)).status.podIP], nodeName: cluster.nodes[0], conditions: { ready: true } },
            { addresses: [(await getJSON(`/api/v1/namespaces/default/pods/${far!.name}`)).status.podIP], nodeName: 'elsewhere', conditions: { ready: true } },
          ],
        },
      ],
    }));
    const svc = await getJSON('/api/v1/namespaces/default/services/local');
    const check = svc.spec.healthCheckNodePort;
    expect(check).toBeGreaterThan(0);
    const health = await waitFor('the health check node port answering', async () => {
      const res = await fetch(`http://127.0.0.1:${check}/`, { signal: AbortSignal.timeout(3000) }).catch(() => undefined);
      return res?.status === 200 ? { headers: res.headers, body: await res.json() } : undefined;
    }, 30_000, 300);
    expect(health.body).toEqual({ service: { namespace: 'default', name: 'local' }, localEndpoints: 1, serviceProxyHealthy: true });
    expect(health.headers.get('x-load-balancing-endpoint-weight')).toBe('1');

    // The cluster IP (internalTrafficPolicy Local) reaches the local pod only, from this host and from pods.
    expect(await answerers(`http://${svc.spec.clusterIP}:8080/index.html`, 12)).toEqual(new Set([near!.name]));
    for (let i = 0; i < 4; i++) expect((await kubectl.ok(['exec', far!.name, '--', 'wget', '-qO-', `http://${svc.spec.clusterIP}:8080/index.html`])).trim()).toBe(near!.name);
    // The node port: this host's own traffic reaches every endpoint; a pod's, from another
    // address, only the local one (externalTrafficPolicy Local).
    const nodePort = svc.spec.ports[0].nodePort;
    const fromHost = await waitFor('both pods on the node port from this host', async () => {
      const names = await answerers(`http://127.0.0.1:${nodePort}/index.html`, 20);
      return names.size === 2 ? names : undefined;
    }, 30_000, 300);
    expect(fromHost).toEqual(new Set([near!.name, far!.name]));
    const gateway = (await getJSON('/api/v1/namespaces/default/endpoints/kubernetes')).subsets[0].addresses[0].ip;
    for (let i = 0; i < 4; i++) expect((await kubectl.ok(['exec', far!.name, '--', 'wget', '-qO-', `http://${gateway}:${nodePort}/index.html`])).trim()).toBe(near!.name);
    if (mode === 'iptables') {
      // ... with its source address kept: the pod sees the client's own address (a CGI script
      // prints REMOTE_ADDR). The userspace proxy connects itself, so there it is the proxy's.
      await kubectl.ok(['exec', near!.name, '--', 'sh', '-c', "mkdir -p /www/cgi-bin && printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho $REMOTE_ADDR\\n' > /www/cgi-bin/ip && chmod +x /www/cgi-bin/ip"]);
      const farIP = (await getJSON(`/api/v1/namespaces/default/pods/${far!.name}`)).status.podIP;
      const seen = (await kubectl.ok(['exec', far!.name, '--', 'wget', '-qO-', `http://${gateway}:${nodePort}/cgi-bin/ip`])).trim();
      expect(/(\d+\.\d+\.\d+\.\d+)/.exec(seen)?.[1]).toBe(farIP); // busybox writes "[::ffff:a.b.c.d]"
    }

    // The other node comes to this host's address: both endpoints are local now.
    await kubectl.ok(['patch', 'node', 'elsewhere', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }] } })]);
    await waitFor('two local endpoints', async () => {
      const res = await fetch(`http://127.0.0.1:${check}/`, { signal: AbortSignal.timeout(3000) }).catch(() => undefined);
      return res?.status === 200 && ((await res.json()) as Obj).localEndpoints === 2 ? true : undefined;
    }, 30_000, 300);
    expect(await waitFor('both pods on the cluster IP', async () => {
      const names = await answerers(`http://${svc.spec.clusterIP}:8080/index.html`, 20);
      return names.size === 2 ? names : undefined;
    }, 30_000, 300)).toEqual(new Set([near!.name, far!.name]));

    // No local endpoints at all: 503, and the cluster IP drops what it cannot serve here.
    await kubectl.ok(['patch', 'endpointslice', 'local-1', '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/endpoints/0/nodeName', value: 'nowhere' }, { op: 'replace', path: '/endpoints/1/nodeName', value: 'nowhere' }])]);
    await waitFor('no local endpoints', async () => {
      const res = await fetch(`http://127.0.0.1:${check}/`, { signal: AbortSignal.timeout(3000) }).catch(() => undefined);
      return res?.status === 503 && ((await res.json()) as Obj).localEndpoints === 0 ? true : undefined;
    }, 30_000, 300);
    expect((await answerers(`http://${svc.spec.clusterIP}:8080/index.html`, 2)).size).toBe(0);

    await kubectl.ok(['delete', 'svc/local', 'endpointslice/local-1', 'node/elsewhere']);
    await waitFor('the health check node port closed', async () => {
      const err = await fetch(`http://127.0.0.1:${check}/`, { signal: AbortSignal.timeout(3000) }).then(() => undefined, (e: Error) => e);
      return err ? true : undefined;
    }, 30_000, 300);
  });

  it('a pod shutting down keeps its traffic while it still serves and no other pod is ready', async () => {
    // The container keeps serving for 45 s after SIGTERM, as a server draining its work does.
    const drainer = ['sh', '-c', "mkdir -p /www; hostname > /www/index.html; touch /www/ready; httpd -f -p 8080 -h /www & trap 'sleep 45; exit 0' TERM; wait"];
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'drain', labels: { app: 'drain' } },
      spec: { terminationGracePeriodSeconds: 60, containers: [{ name: 'web', image: 'busybox:1.36', command: drainer, readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 } }] },
    }));
    await kubectl.ok(['expose', 'pod/drain', '--type=NodePort', '--port', '8080']);
    const nodePort = (await getJSON('/api/v1/namespaces/default/services/drain')).spec.ports[0].nodePort;
    await waitFor('the pod answering on the node port', async () => ((await answerers(`http://127.0.0.1:${nodePort}/index.html`, 1)).has('drain') ? true : undefined), 60_000, 300);

    await kubectl.ok(['delete', 'pod', 'drain', '--wait=false']);
    const conditions = await waitFor('the endpoint terminating', async () => {
      const slices = await getJSON('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Ddrain');
      const c = slices.items[0]?.endpoints?.[0]?.conditions;
      return c?.terminating ? c : undefined;
    }, 30_000, 200);
    expect(conditions).toEqual({ ready: false, serving: true, terminating: true });
    // Two proxy syncs later, it still answers every request.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await answerers(`http://127.0.0.1:${nodePort}/index.html`, 10)).toEqual(new Set(['drain']));
    await kubectl.ok(['delete', 'pod', 'drain', '--grace-period=0', '--force']);
    await kubectl.ok(['delete', 'svc', 'drain']);
  });

  it('puts back a jump from a built-in chain that someone removed, at its next sync', async () => {
    const svc = await getJSON('/api/v1/namespaces/default/services/web');
    // Our chain that holds the cluster IP's rule, and the OUTPUT jump into it that carries
    // this host's own traffic to cluster IPs.
    const nat = () => execFileSync('iptables-save', ['-t', 'nat']).toString();
    const lines = nat().split('\n');
    const chain = lines
      .map((l) => l.match(/^-A OUTPUT -j (\S+)$/)?.[1])
      .find((target) => target && lines.some((l) => l.startsWith(`-A ${target} `) && l.includes(` -d ${svc.spec.clusterIP}/32 `)));
    expect(chain).toBeDefined();
    const jump = `-A OUTPUT -j ${chain}`;
    expect(nat().split('\n')).toContain(jump);
    execFileSync('iptables', ['-w', '5', '-t', 'nat', '-D', 'OUTPUT', '-j', chain!]);
    await kubectl.ok(['annotate', 'svc', 'web', `kubette.test/touched=${Date.now()}`, '--overwrite']);
    await waitFor('the jump back', async () => (nat().split('\n').includes(jump) ? true : undefined), 30_000, 300);
    const names = await waitFor('the cluster IP answering from this host', async () => {
      const seen = await answerers(`http://${svc.spec.clusterIP}:8080/index.html`, 5);
      return seen.size ? seen : undefined;
    }, 30_000, 500);
    expect(names.size).toBeGreaterThan(0);
  });

  it('an unassigned address in the service range is refused at once, and a deleted Service leaves no rule', async () => {
    const svc = await getJSON('/api/v1/namespaces/default/services/web');
    const unassigned = cluster.serviceCIDR.replace('0.0/16', '200.200');
    const err = await fetch(`http://${unassigned}:8080/`, { signal: AbortSignal.timeout(5000) }).then(() => undefined, (e: Error) => e);
    expect(String((err as Error & { cause?: { code?: string } })?.cause?.code)).toBe('ECONNREFUSED');

    await kubectl.ok(['delete', 'svc', 'web', 'web-lb']);
    await waitFor('rules gone', async () => {
      const rules = execFileSync('iptables-save').toString();
      return !rules.includes(`${svc.spec.clusterIP}/32`) ? true : undefined;
    }, 30_000, 300);
    const gone = await fetch(`http://${svc.spec.clusterIP}:8080/`, { signal: AbortSignal.timeout(5000) }).then(() => undefined, (e: Error) => e);
    expect(String((gone as Error & { cause?: { code?: string } })?.cause?.code)).toBe('ECONNREFUSED');
    const node = await fetch(`http://127.0.0.1:${svc.spec.ports[0].nodePort}/`, { signal: AbortSignal.timeout(5000) }).then(() => undefined, (e: Error) => e);
    expect(node).toBeInstanceOf(Error);
  });
});

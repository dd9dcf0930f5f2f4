// Admission webhooks against the apiserver process and real etcd, driven by unmodified kubectl:
// a webhook server over HTTPS (its own CA, given as caBundle) in this process refuses,
// patches, records and hangs; the apiserver calls it by URL and through a Service's endpoint.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCA, issue } from '../../api/pki/certificates.js';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { kubectlFor } from '../harness/kubectl.js';
import { freePort } from '../harness/ports.js';

type Review = { apiVersion: string; kind: string; request: Record<string, any> };

let api: ApiServerHandle;
let kubectl: ReturnType<typeof kubectlFor>;
let server: Server;
let port: number;
/** The same webhooks with a certificate that names only hooks.webhooks.svc: reachable by Service alone. */
let serviceServer: Server;
let servicePort: number;
let caBundle: string;
const received: Array<{ path: string; review: Review }> = [];

const answer = (review: Review, response: Record<string, unknown>) => JSON.stringify({ apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request.uid, ...response } });

beforeAll(async () => {
  const ca = await createCA('webhook-test-ca');
  caBundle = Buffer.from(ca.certPem).toString('base64');
  const serving = await issue(ca, { commonName: 'webhook' }, { usages: ['server'], ipAddresses: ['127.0.0.1'] });
  const byService = await issue(ca, { commonName: 'hooks.webhooks.svc' }, { usages: ['server'], dnsNames: ['hooks.webhooks.svc'] });
  const handle: Parameters<typeof createServer>[1] = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Review;
      received.push({ path, review });
      if (path === '/hang') return; // never answers
      res.setHeader('content-type', 'application/json');
      const labels = review.request.object?.metadata?.labels ?? {};
      if (path === '/deny' && labels.deny === 'true') {
        return res.end(answer(review, { allowed: false, status: { code: 403, reason: 'Forbidden', message: 'pods labelled deny=true are not allowed' } }));
      }
      if (path === '/mutate') {
        const patch = review.request.object?.metadata?.labels
          ? [{ op: 'add', path: '/metadata/labels/mutated', value: 'yes' }]
          : [{ op: 'add', path: '/metadata/labels', value: { mutated: 'yes' } }];
        return res.end(answer(review, { allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64'), warnings: ['mutated by the test webhook'] }));
      }
      if (path === '/move') {
        const patch = [{ op: 'replace', path: '/metadata/namespace', value: 'elsewhere' }];
        return res.end(answer(review, { allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') }));
      }
      if (path === '/scale-limit' && review.request.object?.kind === 'Scale' && review.request.object.spec?.replicas > 10) {
        return res.end(answer(review, { allowed: false, status: { code: 422, reason: 'Invalid', message: 'at most 10 replicas' } }));
      }
      if (path === '/scale-cap' && review.request.object?.kind === 'Scale' && review.request.object.spec?.replicas > 5 && review.request.object.spec.replicas <= 10) {
        const patch = [{ op: 'replace', path: '/spec/replicas', value: 5 }];
        return res.end(answer(review, { allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64'), warnings: ['capped at 5 replicas'] }));
      }
      if (path === '/no-shells' && review.request.operation === 'CONNECT') {
        return res.end(answer(review, { allowed: false, status: { code: 403, reason: 'Forbidden', message: 'no shells here' } }));
      }
      if (path === '/bad-uid') return res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'not-it', allowed: true } }));
      res.end(answer(review, { allowed: true }));
    });
  };
  server = createServer({ cert: serving.certPem, key: serving.keyPem }, handle);
  serviceServer = createServer({ cert: byService.certPem, key: byService.keyPem }, handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => serviceServer.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  servicePort = (serviceServer.address() as AddressInfo).port;
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
  kubectl = kubectlFor(api.url);
}, 60_000);

afterAll(async () => {
  await api?.stop();
  for (const s of [server, serviceServer]) {
    s?.closeAllConnections();
    await new Promise((r) => s?.close(r));
  }
});

/** A configuration with one webhook; `extra` fills in the rest of the webhook. */
function configuration(kind: 'Validating' | 'Mutating', name: string, extra: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: `${kind}WebhookConfiguration`,
    metadata: { name },
    webhooks: [{ name: `${name}.kubette.test`, sideEffects: 'None', admissionReviewVersions: ['v1'], ...extra }],
  });
}

const url = (path: string, p = port) => ({ url: `https://127.0.0.1:${p}${path}`, caBundle });
const reviewsAt = (path: string) => received.filter((r) => r.path === path).map((r) => r.review.request);

describe('admission webhooks', () => {
  it('validating: a refusal is the request\'s error, with the webhook\'s code and message; only selected namespaces are sent', async () => {
    await kubectl.ok(['create', 'namespace', 'guarded']);
    await kubectl.ok(['label', 'namespace', 'guarded', 'webhooks=on']);
    await kubectl.ok(['create', 'namespace', 'open']);
    await kubectl.ok(['apply', '-f', '-'], configuration('Validating', 'deny', {
      clientConfig: url('/deny'),
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
      namespaceSelector: { matchLabels: { webhooks: 'on' } },
    }));
    const refused = await kubectl.run(['run', 'bad', '-n', 'guarded', '--image=busybox:1.36', '--labels=deny=true']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('admission webhook "deny.kubette.test" denied the request: pods labelled deny=true are not allowed');
    await kubectl.ok(['run', 'good', '-n', 'guarded', '--image=busybox:1.36']);
    await kubectl.ok(['run', 'bad', '-n', 'open', '--image=busybox:1.36', '--labels=deny=true']);

    const [review] = reviewsAt('/deny');
    expect(review).toMatchObject({
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      name: 'bad',
      namespace: 'guarded',
      operation: 'CREATE',
      userInfo: { username: expect.any(String) },
      object: { kind: 'Pod', metadata: { name: 'bad', labels: { deny: 'true' } } },
      oldObject: null,
      dryRun: false,
      options: { kind: 'CreateOptions' },
    });
    expect(review!.uid).toMatch(/^[0-9a-f-]{36}$/);
    // Only the guarded namespace's two pods were sent.
    expect(reviewsAt('/deny').map((r) => r.namespace)).toEqual(['guarded', 'guarded']);
    await kubectl.ok(['delete', 'validatingwebhookconfiguration', 'deny']);
  });

  it('mutating: the webhook\'s JSON patch is in the stored object, its warnings reach kubectl, and updates carry the old object', async () => {
    await kubectl.ok(['create', 'namespace', 'mutated']);
    await kubectl.ok(['apply', '-f', '-'], configuration('Mutating', 'label', {
      clientConfig: url('/mutate'),
      rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
      objectSelector: { matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }] },
    }));
    const created = await kubectl.run(['create', 'configmap', 'cm', '-n', 'mutated', '--from-literal=a=b']);
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('Warning: mutated by the test webhook');
    expect(JSON.parse(await kubectl.ok(['get', 'configmap', 'cm', '-n', 'mutated', '-o', 'json'])).metadata.labels).toEqual({ mutated: 'yes' });
    await kubectl.ok(['label', 'configmap', 'cm', '-n', 'mutated', 'extra=1']);
    const update = reviewsAt('/mutate').find((r) => r.operation === 'UPDATE');
    expect(update).toMatchObject({ name: 'cm', oldObject: { metadata: { labels: { mutated: 'yes' } } }, object: { metadata: { labels: { mutated: 'yes', extra: '1' } } }, options: { kind: 'PatchOptions' } });
    // The object selector keeps a labelled object away from the webhook.
    const before = reviewsAt('/mutate').length;
    const skipped = JSON.parse(await kubectl.ok(['create', 'configmap', 'skipped', '-n', 'mutated', '--from-literal=a=b', '--dry-run=client', '-o', 'json']));
    skipped.metadata.labels = { skip: 'yes' };
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify(skipped));
    expect(reviewsAt('/mutate').length).toBe(before);
    expect(JSON.parse(await kubectl.ok(['get', 'configmap', 'skipped', '-n', 'mutated', '-o', 'json'])).metadata.labels).toEqual({ skip: 'yes' });
    await kubectl.ok(['delete', 'mutatingwebhookconfiguration', 'label']);

    // A webhook may not move an object to another namespace (past the RBAC that admitted it).
    await kubectl.ok(['create', 'namespace', 'elsewhere']);
    await kubectl.ok(['apply', '-f', '-'], configuration('Mutating', 'move', {
      clientConfig: url('/move'),
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mutated' } },
    }));
    const moved = await kubectl.run(['create', 'configmap', 'moved', '-n', 'mutated', '--from-literal=a=b']);
    expect(moved.code).not.toBe(0);
    expect(moved.stderr).toContain('admission webhook "move.kubette.test" changed the object\'s metadata.namespace, which a webhook may not change');
    expect((await kubectl.run(['get', 'configmap', 'moved', '-n', 'elsewhere'])).code).not.toBe(0);
    await kubectl.ok(['delete', 'mutatingwebhookconfiguration', 'move']);
  });

  it('reinvocationPolicy IfNeeded: a webhook whose object a later one changed is called once more, seeing the change', async () => {
    await kubectl.ok(['create', 'namespace', 'reinvoked']);
    const rules = [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['serviceaccounts'] }];
    const only = { matchLabels: { 'kubernetes.io/metadata.name': 'reinvoked' } };
    await kubectl.ok(['apply', '-f', '-'], configuration('Mutating', 'a-first', { clientConfig: url('/count'), rules, namespaceSelector: only, reinvocationPolicy: 'IfNeeded' }));
    await kubectl.ok(['apply', '-f', '-'], configuration('Mutating', 'b-second', { clientConfig: url('/mutate'), rules, namespaceSelector: only }));
    await kubectl.ok(['create', 'serviceaccount', 'robot', '-n', 'reinvoked']);
    const calls = reviewsAt('/count').filter((r) => r.name === 'robot');
    expect(calls).toHaveLength(2);
    expect(calls[0]!.object.metadata.labels).toBeUndefined();
    expect(calls[1]!.object.metadata.labels).toEqual({ mutated: 'yes' });
    // Never: called once whatever happens after it.
    await kubectl.ok(['apply', '-f', '-'], configuration('Mutating', 'a-first', { clientConfig: url('/count'), rules, namespaceSelector: only, reinvocationPolicy: 'Never' }));
    await kubectl.ok(['create', 'serviceaccount', 'robot2', '-n', 'reinvoked']);
    expect(reviewsAt('/count').filter((r) => r.name === 'robot2')).toHaveLength(1);
    await kubectl.ok(['delete', 'mutatingwebhookconfiguration', 'a-first', 'b-second']);
  });

  it('a webhook behind a Service is called at its endpoint, its certificate checked for <service>.<namespace>.svc; deletions carry the old object', async () => {
    await kubectl.ok(['create', 'namespace', 'webhooks']);
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'hooks', namespace: 'webhooks' }, spec: { ports: [{ name: 'https', port: 443, targetPort: servicePort }] } },
        { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'hooks', namespace: 'webhooks' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: servicePort }] }] },
      ],
    }));
    await kubectl.ok(['create', 'namespace', 'audited']);
    await kubectl.ok(['create', 'configmap', 'doomed', '-n', 'audited', '--from-literal=a=b']);
    await kubectl.ok(['apply', '-f', '-'], configuration('Validating', 'record', {
      clientConfig: { service: { namespace: 'webhooks', name: 'hooks', path: '/record' }, caBundle },
      rules: [{ operations: ['DELETE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
    }));
    await kubectl.ok(['delete', 'configmap', 'doomed', '-n', 'audited']);
    const del = reviewsAt('/record').find((r) => r.name === 'doomed');
    expect(del).toMatchObject({ operation: 'DELETE', namespace: 'audited', object: null, oldObject: { metadata: { name: 'doomed' }, data: { a: 'b' } }, options: { kind: 'DeleteOptions' } });
    await kubectl.ok(['delete', 'validatingwebhookconfiguration', 'record']);

    // A Service whose endpoint's certificate does not name it is not trusted.
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'impostor', namespace: 'webhooks' }, spec: { ports: [{ port: 443, targetPort: port }] } },
        { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'impostor', namespace: 'webhooks' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port }] }] },
      ],
    }));
    await kubectl.ok(['apply', '-f', '-'], configuration('Validating', 'impostor', {
      clientConfig: { service: { namespace: 'webhooks', name: 'impostor', path: '/record' }, caBundle },
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'audited' } },
    }));
    const untrusted = await kubectl.run(['create', 'configmap', 'x', '-n', 'audited', '--from-literal=a=b']);
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.stderr).toContain('failed calling webhook "impostor.kubette.test": failed to call webhook: Post "https://impostor.webhooks.svc:443/record?timeout=10s"');
    expect(untrusted.stderr).toMatch(/altnames|certificate/i);
    await kubectl.ok(['delete', 'validatingwebhookconfiguration', 'impostor']);
  });

  it('a webhook that cannot be reached, hangs or answers for another request fails the request, unless failurePolicy is Ignore', async () => {
    await kubectl.ok(['create', 'namespace', 'failing']);
    const closed = await freePort();
    const rules = [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['secrets'] }];
    await kubectl.ok(['apply', '-f', '-'], configuration('Validating', 'unreachable', { clientConfig: url('/x', closed), rules }));
    const refused = await kubectl.run(['create', 'secret', 'generic', 's1', '-n', 'failing', '--from-literal=a=b']);
    expect(refused.stderr).toContain(`Internal error occurred: failed calling webhook "unreachable.kubette.test": failed to call webhook: Post "https://127.0.0.1:${closed}/x?timeout=10s"`);
    await kubectl.ok(['apply', '-f', '-'], configuration('Validating', 'unreachable', { clientConfig: url('/x', closed), rules, failurePolicy: 'Ignore' }));
    await kubectl.ok(['create', 'secret', 'generic', 's1', '-n', 'failing', '--from-literal=a=b']);
    await kubectl.ok(['delete', 'validatingwebhookconfiguration', 'unreachable']);

    await kubectl.ok(['apply', '-f', '-'], configuration('Validating', 'slow', { clientConfig: url('/hang'), rules, timeoutSeconds: 1 }));
    const slow = await kubectl.run(['create', 'secret', 'generic', 's2', '-n', 'failing', '--from-literal=a=b']);
    expect(slow.stderr).toContain(`failed calling webhook "slow.kubette.test": failed to call webhook: Post "https://127.0.0.1:${port}/hang?timeout=1s": context deadline exceeded`);
    await kubectl.ok(['delete', 'validatingwebhookconfiguration', 'slow']);

    await kubectl.ok(['apply', '-f', '-'], configuration('Validating', 'confused', { clientConfig: url('/bad-uid'), rules }));
    const confused = await kubectl.run(['create', 'secret', 'generic', 's3', '-n', 'failing', '--from-literal=a=b']);
    expect(confused.stderr).toMatch(/failed calling webhook "confused.kubette.test": expected response.uid="[0-9a-f-]+", got "not-it"/);
    await kubectl.ok(['delete', 'validatingwebhookconfiguration', 'confused']);
  });

  it('match conditions (CEL) decide which requests a webhook sees; an error fails the request unless failurePolicy is Ignore', async () => {
    await kubectl.ok(['create', 'namespace', 'conditional']);
    const rules = [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }];
    await kubectl.ok(['apply', '-f', '-'], configuration('Validating', 'conditional', {
      clientConfig: url('/conditional'),
      rules,
      matchConditions: [
        { name: 'labelled', expression: "has(object.metadata.labels) && object.metadata.labels['send'] == 'yes'" },
        { name: 'not-the-admin', expression: "request.userInfo.username != 'nobody-at-all'" },
      ],
    }));
    await kubectl.ok(['create', 'configmap', 'quiet', '-n', 'conditional']);
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sent', namespace: 'conditional', labels: { send: 'yes' } } }));
    expect(reviewsAt('/conditional').map((r) => r.name)).toEqual(['sent']);
    await kubectl.ok(['delete', 'validatingwebhookconfiguration', 'conditional']);

    await kubectl.ok(['apply', '-f', '-'], configuration('Validating', 'erring', { clientConfig: url('/conditional'), rules, matchConditions: [{ name: 'broken', expression: 'object.data.missing == "x"' }] }));
    const failed = await kubectl.run(['create', 'configmap', 'c1', '-n', 'conditional', '--from-literal=a=b']);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain('configmaps "c1" is forbidden: expression \'object.data.missing == "x"\' resulted in error: no such key: missing');
    await kubectl.ok(['apply', '-f', '-'], configuration('Validating', 'erring', { clientConfig: url('/conditional'), rules, failurePolicy: 'Ignore', matchConditions: [{ name: 'broken', expression: 'object.data.missing == "x"' }] }));
    await kubectl.ok(['create', 'configmap', 'c1', '-n', 'conditional', '--from-literal=a=b']);
    expect(reviewsAt('/conditional').map((r) => r.name)).toEqual(['sent']);
    const invalid = await kubectl.run(['apply', '-f', '-'], configuration('Validating', 'invalid', { clientConfig: url('/conditional'), rules, matchConditions: [{ name: 'bad', expression: 'object.metadata.name ==' }] }));
    expect(invalid.stderr).toContain('webhooks[0].matchConditions[0].expression: Invalid value: "object.metadata.name ==": compilation failed');
    await kubectl.ok(['delete', 'validatingwebhookconfiguration', 'erring']);
  });

  it('the scale subresource: webhooks on deployments/scale see Scale objects, may refuse and may change the replicas', async () => {
    await kubectl.ok(['create', 'namespace', 'scaled']);
    await kubectl.ok(['create', 'deployment', 'web', '-n', 'scaled', '--image=busybox:1.36', '--replicas=1']);
    await kubectl.ok(['apply', '-f', '-'], configuration('Validating', 'scale-limit', { clientConfig: url('/scale-limit'), rules: [{ operations: ['UPDATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments/scale'] }] }));
    await kubectl.ok(['apply', '-f', '-'], configuration('Mutating', 'scale-cap', { clientConfig: url('/scale-cap'), rules: [{ operations: ['UPDATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments/scale'] }] }));
    // A rule for deployments alone does not see scale requests.
    await kubectl.ok(['apply', '-f', '-'], configuration('Validating', 'whole', { clientConfig: url('/whole'), rules: [{ operations: ['UPDATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] }] }));

    const refused = await kubectl.run(['scale', 'deployment/web', '-n', 'scaled', '--replicas=20']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('admission webhook "scale-limit.kubette.test" denied the request: at most 10 replicas');
    const capped = await kubectl.run(['scale', 'deployment/web', '-n', 'scaled', '--replicas=7']);
    expect(capped.code).toBe(0);
    expect(capped.stderr).toContain('capped at 5 replicas');
    expect(await kubectl.ok(['get', 'deployment', 'web', '-n', 'scaled', '-o', 'jsonpath={.spec.replicas}'])).toBe('5');

    const review = reviewsAt('/scale-limit').at(-1)!;
    expect(review).toMatchObject({
      kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      subResource: 'scale',
      name: 'web',
      namespace: 'scaled',
      operation: 'UPDATE',
      object: { apiVersion: 'autoscaling/v1', kind: 'Scale', spec: { replicas: 5 } },
      oldObject: { kind: 'Scale', spec: { replicas: 1 } },
    });
    expect(reviewsAt('/whole').filter((r) => r.namespace === 'scaled')).toEqual([]);
    for (const c of ['validatingwebhookconfiguration/scale-limit', 'validatingwebhookconfiguration/whole', 'mutatingwebhookconfiguration/scale-cap']) await kubectl.ok(['delete', c]);
  });

  it('CONNECT: exec, attach, port-forward and proxy are sent with their options, and a webhook may refuse them', async () => {
    // A pod on a node whose kubelet is not there: admission comes first, so the refusal is what kubectl sees.
    const kubeletPort = await freePort();
    await kubectl.ok(['create', 'namespace', 'connect']);
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'conn-node' }, spec: { unschedulable: true } }));
    await kubectl.ok(['patch', 'node', 'conn-node', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } } } })]);
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'shell', namespace: 'connect' }, spec: { nodeName: 'conn-node', containers: [{ name: 'c', image: 'busybox:1.36' }] } }));
    await kubectl.ok(['patch', 'pod', 'shell', '-n', 'connect', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { phase: 'Running' } })]);
    await kubectl.ok(['apply', '-f', '-'], configuration('Validating', 'no-shells', {
      clientConfig: url('/no-shells'),
      rules: [{ operations: ['CONNECT'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods/exec', 'pods/attach', 'pods/portforward', 'pods/proxy'] }],
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'connect' } },
    }));
    const exec = await kubectl.run(['exec', 'shell', '-n', 'connect', '--', 'sh', '-c', 'id']);
    expect(exec.code).not.toBe(0);
    expect(exec.stderr).toContain('admission webhook "no-shells.kubette.test" denied the request: no shells here');
    expect(reviewsAt('/no-shells').at(-1)).toMatchObject({
      kind: { group: '', version: 'v1', kind: 'PodExecOptions' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      subResource: 'exec',
      name: 'shell',
      namespace: 'connect',
      operation: 'CONNECT',
      object: { apiVersion: 'v1', kind: 'PodExecOptions', container: 'c', command: ['sh', '-c', 'id'], stdout: true, stderr: true, stdin: false, tty: false },
      oldObject: null,
    });
    const attach = await kubectl.run(['attach', 'shell', '-n', 'connect']);
    expect(attach.stderr).toContain('no shells here');
    expect(reviewsAt('/no-shells').at(-1)).toMatchObject({ kind: { kind: 'PodAttachOptions' }, subResource: 'attach' });
    const proxied = await kubectl.run(['get', '--raw', '/api/v1/namespaces/connect/pods/shell:8080/proxy/metrics?x=1']);
    expect(proxied.stderr).toContain('no shells here');
    expect(reviewsAt('/no-shells').at(-1)).toMatchObject({ kind: { kind: 'PodProxyOptions' }, subResource: 'proxy', name: 'shell:8080', operation: 'CONNECT', object: { apiVersion: 'v1', kind: 'PodProxyOptions', path: '/metrics' } });
    // Without the webhook the request goes on to the (absent) kubelet.
    await kubectl.ok(['delete', 'validatingwebhookconfiguration', 'no-shells']);
    const after = await kubectl.run(['exec', 'shell', '-n', 'connect', '--', 'id']);
    expect(after.code).not.toBe(0);
    expect(after.stderr).not.toContain('no shells here');
    await kubectl.ok(['delete', 'pod', 'shell', '-n', 'connect', '--grace-period=0', '--force']);
    await kubectl.ok(['delete', 'node', 'conn-node']);
  });

  it('configurations are validated as Kubernetes validates them, and listed by kubectl', async () => {
    const bad = await kubectl.run(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'bad' },
      webhooks: [{ name: 'bad', clientConfig: { url: 'http://example.com/x' }, rules: [{ operations: ['PATCH'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }], admissionReviewVersions: ['v2'] }],
    }));
    expect(bad.code).not.toBe(0);
    for (const cause of [
      'webhooks[0].name: Invalid value: "bad": should be a domain with at least three segments separated by dots',
      'webhooks[0].clientConfig.url: Invalid value: "http://example.com/x": \'https\' is the only allowed URL scheme',
      'webhooks[0].rules[0].operations: Unsupported value: "PATCH"',
      'webhooks[0].sideEffects: Required value',
      'webhooks[0].admissionReviewVersions: Invalid value',
    ]) expect(bad.stderr).toContain(cause);
    await kubectl.ok(['apply', '-f', '-'], configuration('Validating', 'listed', { clientConfig: url('/record'), rules: [{ operations: ['CREATE'], apiGroups: ['example.com'], apiVersions: ['v1'], resources: ['widgets'] }] }));
    const listed = JSON.parse(await kubectl.ok(['get', 'validatingwebhookconfiguration', 'listed', '-o', 'json']));
    // Kubernetes' defaults.
    expect(listed.webhooks[0]).toMatchObject({ failurePolicy: 'Fail', matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, timeoutSeconds: 10, rules: [{ scope: '*' }] });
    expect(await kubectl.ok(['get', 'validatingwebhookconfigurations'])).toMatch(/^NAME\s+WEBHOOKS\s+AGE\nlisted\s+1\s+/);
    await kubectl.ok(['delete', 'validatingwebhookconfiguration', 'listed']);
  });
});

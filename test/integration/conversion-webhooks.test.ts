// CustomResourceDefinitions with `conversion.strategy: Webhook`, against the apiserver process
// and real etcd, driven by unmodified kubectl and plain HTTP: a conversion webhook over HTTPS
// (its own CA, given as caBundle) in this process converts between a v1 that keeps a box's size
// as one string ("3x4", the storage version) and a v2 that keeps width and height apart.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCA, issue } from '../../api/pki/certificates.js';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { kubectlFor } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';

type Review = { apiVersion: string; kind: string; request: { uid: string; desiredAPIVersion: string; objects: any[] } };

let api: ApiServerHandle;
let kubectl: ReturnType<typeof kubectlFor>;
let server: Server;
let caBundle: string;
const received: Array<{ path: string; review: Review }> = [];
const admitted: Array<{ path: string; request: any }> = [];

const GROUP = 'boxes.example.com';

/** The test's conversion: v1 spec.size "WxH" <-> v2 spec.width, spec.height. */
function convert(obj: any, to: string): any {
  const out = { ...obj, apiVersion: to, spec: { ...(obj.spec ?? {}) } };
  if (to.endsWith('/v2') && obj.apiVersion.endsWith('/v1')) {
    const [w, h] = String(obj.spec?.size ?? '0x0').split('x').map(Number);
    delete out.spec.size;
    out.spec.width = w;
    out.spec.height = h;
  } else if (to.endsWith('/v1') && obj.apiVersion.endsWith('/v2')) {
    delete out.spec.width;
    delete out.spec.height;
    out.spec.size = `${obj.spec?.width ?? 0}x${obj.spec?.height ?? 0}`;
  }
  return out;
}

beforeAll(async () => {
  const ca = await createCA('conversion-test-ca');
  caBundle = Buffer.from(ca.certPem).toString('base64');
  const serving = await issue(ca, { commonName: 'converter' }, { usages: ['server'], ipAddresses: ['127.0.0.1'] });
  server = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (body.kind === 'AdmissionReview') {
        admitted.push({ path, request: body.request });
        const patch = path === '/widen' ? [{ op: 'replace', path: '/spec/size', value: '9x3' }] : undefined;
        res.setHeader('content-type', 'application/json');
        return res.end(JSON.stringify({ apiVersion: body.apiVersion, kind: 'AdmissionReview', response: { uid: body.request.uid, allowed: true, ...(patch ? { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') } : {}) } }));
      }
      const review = body as Review;
      received.push({ path, review });
      const { uid, desiredAPIVersion, objects } = review.request;
      const reply = (response: Record<string, unknown>) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ apiVersion: review.apiVersion, kind: 'ConversionReview', response: { uid, ...response } }));
      };
      if (path === '/fail') return reply({ result: { status: 'Failure', message: 'the converter is out of order' } });
      if (path === '/wrong-version') return reply({ convertedObjects: objects.map((o) => ({ ...o })), result: { status: 'Success' } });
      if (path === '/rename') return reply({ convertedObjects: objects.map((o) => ({ ...convert(o, desiredAPIVersion), metadata: { ...o.metadata, name: 'other' } })), result: { status: 'Success' } });
      // Labels and annotations are the webhook's to change; other metadata is put back.
      const converted = objects.map((o) => {
        const c = convert(o, desiredAPIVersion);
        c.metadata = { ...o.metadata, labels: { ...(o.metadata.labels ?? {}), 'converted-to': desiredAPIVersion.split('/')[1] }, generation: 99 };
        return c;
      });
      reply({ convertedObjects: converted, result: { status: 'Success' } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
  kubectl = kubectlFor(api.url);
}, 60_000);

afterAll(async () => {
  await api?.stop();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

const clientConfig = (path: string) => ({ url: `https://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, caBundle });

function boxCRD(plural: string, kind: string, path: string, reviewVersions = ['v1']) {
  const schema = (spec: Record<string, unknown>) => ({ openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: spec } } } });
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { plural, singular: kind.toLowerCase(), kind },
      versions: [
        { name: 'v1', served: true, storage: true, schema: schema({ size: { type: 'string' } }), additionalPrinterColumns: [{ name: 'Size', type: 'string', jsonPath: '.spec.size' }] },
        { name: 'v2', served: true, storage: false, schema: schema({ width: { type: 'integer' }, height: { type: 'integer' } }), additionalPrinterColumns: [{ name: 'Width', type: 'integer', jsonPath: '.spec.width' }] },
      ],
      conversion: { strategy: 'Webhook', webhook: { clientConfig: clientConfig(path), conversionReviewVersions: reviewVersions } },
    },
  };
}

async function defineAndWait(crd: ReturnType<typeof boxCRD>): Promise<void> {
  await kubectl.ok(['apply', '-f', '-'], JSON.stringify(crd));
  await waitFor(`${crd.metadata.name} served`, async () => (await fetch(`${api.url}/apis/${GROUP}/v2/namespaces/default/${crd.spec.names.plural}`)).status === 200, 10_000);
}

const get = async (path: string) => {
  const res = await fetch(`${api.url}${path}`);
  return { status: res.status, body: (await res.json()) as any };
};
const reviewsAt = (path: string) => received.filter((r) => r.path === path).map((r) => r.review);

describe('CRD conversion webhooks', () => {
  it('converts on the way in and out: created in v2, stored in v1, read in either; kubectl lists and prints the version asked for', async () => {
    await defineAndWait(boxCRD('boxes', 'Box', '/convert'));
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: `${GROUP}/v2`, kind: 'Box', metadata: { name: 'small' }, spec: { width: 3, height: 4 } }));

    // Stored in v1 (the storage version): the webhook was asked for v1 with the v2 object.
    const toStorage = reviewsAt('/convert').find((r) => r.request.desiredAPIVersion === `${GROUP}/v1`)!;
    expect(toStorage.apiVersion).toBe('apiextensions.k8s.io/v1');
    expect(toStorage.request.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(toStorage.request.objects[0]).toMatchObject({ apiVersion: `${GROUP}/v2`, kind: 'Box', spec: { width: 3, height: 4 } });
    const asV1 = await get(`/apis/${GROUP}/v1/namespaces/default/boxes/small`);
    expect(asV1.body).toMatchObject({ apiVersion: `${GROUP}/v1`, spec: { size: '3x4' }, metadata: { labels: { 'converted-to': 'v1' }, generation: 1 } });
    expect(asV1.body.spec.width).toBeUndefined();

    // Read in v2: converted back, labels as the webhook set them, other metadata as stored.
    const asV2 = JSON.parse(await kubectl.ok(['get', `boxes.v2.${GROUP}`, 'small', '-o', 'json']));
    expect(asV2).toMatchObject({ apiVersion: `${GROUP}/v2`, spec: { width: 3, height: 4 }, metadata: { name: 'small', labels: { 'converted-to': 'v2' }, generation: 1 } });
    expect(asV2.spec.size).toBeUndefined();

    // A list in v2 is one review for all its objects; the table's columns are v2's.
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: `${GROUP}/v1`, kind: 'Box', metadata: { name: 'large' }, spec: { size: '10x20' } }));
    const before = reviewsAt('/convert').length;
    const list = JSON.parse(await kubectl.ok(['get', `boxes.v2.${GROUP}`, '-o', 'json']));
    expect(list.items.map((b: any) => [b.metadata.name, b.spec.width, b.spec.height, b.apiVersion])).toEqual([
      ['large', 10, 20, `${GROUP}/v2`],
      ['small', 3, 4, `${GROUP}/v2`],
    ]);
    const listReviews = reviewsAt('/convert').slice(before);
    expect(listReviews).toHaveLength(1);
    expect(listReviews[0]!.request.objects).toHaveLength(2);
    const table = await kubectl.ok(['get', `boxes.v2.${GROUP}`]);
    expect(table).toMatch(/NAME\s+WIDTH/);
    expect(table).toMatch(/large\s+10/);
  });

  it('patches and server-side applies in v2: each change lands in the stored v1 string', async () => {
    await kubectl.ok(['patch', `boxes.v2.${GROUP}`, 'small', '--type=merge', '-p', '{"spec":{"width":5}}']);
    expect((await get(`/apis/${GROUP}/v1/namespaces/default/boxes/small`)).body.spec.size).toBe('5x4');
    await kubectl.ok(['apply', '--server-side', '--field-manager=boxer', '-f', '-'], JSON.stringify({ apiVersion: `${GROUP}/v2`, kind: 'Box', metadata: { name: 'small' }, spec: { height: 7 } }));
    expect((await get(`/apis/${GROUP}/v1/namespaces/default/boxes/small`)).body.spec.size).toBe('5x7');
  });

  it('watches in v2: the initial objects and each change, converted, in order', async () => {
    const controller = new AbortController();
    const res = await fetch(`${api.url}/apis/${GROUP}/v2/namespaces/default/boxes?watch=true&resourceVersion=0`, { signal: controller.signal });
    const reader = res.body!.getReader();
    const events: any[] = [];
    let buffered = '';
    const readUntil = async (n: number) => {
      while (events.length < n) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += Buffer.from(value).toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) if (line) events.push(JSON.parse(line));
      }
    };
    await readUntil(2);
    await kubectl.ok(['patch', `boxes.v1.${GROUP}`, 'large', '--type=merge', '-p', '{"spec":{"size":"11x21"}}']);
    await kubectl.ok(['delete', `boxes.v1.${GROUP}`, 'large']);
    await readUntil(4);
    controller.abort();
    expect(events.map((e) => [e.type, e.object.apiVersion, e.object.metadata.name, e.object.spec.width, e.object.spec.height])).toEqual([
      ['ADDED', `${GROUP}/v2`, 'large', 10, 20],
      ['ADDED', `${GROUP}/v2`, 'small', 5, 7],
      ['MODIFIED', `${GROUP}/v2`, 'large', 11, 21],
      ['DELETED', `${GROUP}/v2`, 'large', 11, 21],
    ]);
  });

  it('serves objects written under an earlier storage version in the version asked for, by webhook and by None', async () => {
    // boxes: "small" is stored in v1; v2 becomes the storage version.
    const crd = boxCRD('boxes', 'Box', '/convert');
    crd.spec.versions[0]!.storage = false;
    crd.spec.versions[1]!.storage = true;
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify(crd));
    await waitFor('v2 stores boxes', async () => {
      await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: `${GROUP}/v2`, kind: 'Box', metadata: { name: 'probe' }, spec: { width: 1, height: 2 } }));
      const res = await get(`/apis/${GROUP}/v2/namespaces/default/boxes/probe`);
      // Stored in v2: no label from a conversion to v2 on the way out.
      return res.body.metadata.labels?.['converted-to'] === undefined ? true : undefined;
    }, 10_000);
    const small = await get(`/apis/${GROUP}/v2/namespaces/default/boxes/small`);
    expect(small.body).toMatchObject({ apiVersion: `${GROUP}/v2`, spec: { width: 5, height: 7 } });
    const list = await get(`/apis/${GROUP}/v2/namespaces/default/boxes`);
    expect(list.body.items.map((b: any) => [b.metadata.name, b.apiVersion, b.spec.width])).toEqual([
      ['probe', `${GROUP}/v2`, 1],
      ['small', `${GROUP}/v2`, 5],
    ]);
    expect((await get(`/apis/${GROUP}/v1/namespaces/default/boxes/probe`)).body).toMatchObject({ apiVersion: `${GROUP}/v1`, spec: { size: '1x2' } });

    // Strategy None: only apiVersion changes, whatever version an object was stored in.
    const plain = boxCRD('tins', 'Tin', '/convert') as any;
    delete plain.spec.conversion;
    for (const v of plain.spec.versions) v.schema.openAPIV3Schema.properties.spec['x-kubernetes-preserve-unknown-fields'] = true;
    await defineAndWait(plain);
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: `${GROUP}/v1`, kind: 'Tin', metadata: { name: 'old' }, spec: { size: '2x2' } }));
    plain.spec.versions[0].storage = false;
    plain.spec.versions[1].storage = true;
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify(plain));
    for (const version of ['v1', 'v2']) {
      const tin = await get(`/apis/${GROUP}/${version}/namespaces/default/tins/old`);
      expect(tin.body).toMatchObject({ apiVersion: `${GROUP}/${version}`, spec: { size: '2x2' } });
      const tins = await get(`/apis/${GROUP}/${version}/namespaces/default/tins`);
      expect(tins.body.items.map((t: any) => t.apiVersion)).toEqual([`${GROUP}/${version}`]);
    }
  });

  it('shows admission webhooks the object in the version of the request (v1, now that v2 stores boxes), and stores what a mutating one changed there', async () => {
    const hook = (kind: 'Mutating' | 'Validating', name: string, path: string) => JSON.stringify({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: `${kind}WebhookConfiguration`,
      metadata: { name },
      webhooks: [{ name: `${name}.boxes.test`, sideEffects: 'None', admissionReviewVersions: ['v1'], clientConfig: clientConfig(path), rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [GROUP], apiVersions: ['v1'], resources: ['boxes'] }] }],
    });
    await kubectl.ok(['apply', '-f', '-'], hook('Mutating', 'widen', '/widen'));
    await kubectl.ok(['apply', '-f', '-'], hook('Validating', 'look', '/look'));
    await waitFor('the webhooks in force', async () => {
      const name = `w${Date.now()}`;
      await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: `${GROUP}/v1`, kind: 'Box', metadata: { name }, spec: { size: '2x3' } }));
      return admitted.some((a) => a.path === '/look' && a.request.name === name) ? name : undefined;
    }, 10_000).then(async (name) => {
      const mutated = admitted.find((a) => a.path === '/widen' && a.request.name === name)!.request;
      expect(mutated.kind).toEqual({ group: GROUP, version: 'v1', kind: 'Box' });
      expect(mutated.object).toMatchObject({ apiVersion: `${GROUP}/v1`, spec: { size: '2x3' } });
      expect(admitted.find((a) => a.path === '/look' && a.request.name === name)!.request.object).toMatchObject({ apiVersion: `${GROUP}/v1`, spec: { size: '9x3' } });
      // Stored in v2 by way of the conversion webhook.
      expect((await get(`/apis/${GROUP}/v2/namespaces/default/boxes/${name}`)).body.spec).toMatchObject({ width: 9, height: 3 });
    });
    await kubectl.ok(['delete', 'mutatingwebhookconfiguration', 'widen']);
    await kubectl.ok(['delete', 'validatingwebhookconfiguration', 'look']);
  });

  it('matchPolicy Equivalent: a webhook whose rules name only v1 sees a v2 request in v1 (requestKind v2) and its change lands; Exact is not called', async () => {
    const hook = (kind: 'Mutating' | 'Validating', name: string, path: string, matchPolicy: 'Equivalent' | 'Exact') => JSON.stringify({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: `${kind}WebhookConfiguration`,
      metadata: { name },
      webhooks: [{ name: `${name}.boxes.test`, sideEffects: 'None', admissionReviewVersions: ['v1'], matchPolicy, clientConfig: clientConfig(path), rules: [{ operations: ['CREATE'], apiGroups: [GROUP], apiVersions: ['v1'], resources: ['boxes'] }] }],
    });
    await kubectl.ok(['apply', '-f', '-'], hook('Mutating', 'widen-equivalent', '/widen', 'Equivalent'));
    await kubectl.ok(['apply', '-f', '-'], hook('Validating', 'look-equivalent', '/look', 'Equivalent'));
    await kubectl.ok(['apply', '-f', '-'], hook('Validating', 'look-exact', '/exact', 'Exact'));
    try {
      const name = await waitFor('the webhooks in force', async () => {
        const n = `e${Date.now()}`;
        await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: `${GROUP}/v2`, kind: 'Box', metadata: { name: n }, spec: { width: 2, height: 3 } }));
        return admitted.some((a) => a.path === '/look' && a.request.name === n) ? n : undefined;
      }, 10_000);
      const mutated = admitted.find((a) => a.path === '/widen' && a.request.name === name)!.request;
      expect(mutated.kind).toEqual({ group: GROUP, version: 'v1', kind: 'Box' });
      expect(mutated.resource).toEqual({ group: GROUP, version: 'v1', resource: 'boxes' });
      expect(mutated.requestKind).toEqual({ group: GROUP, version: 'v2', kind: 'Box' });
      expect(mutated.requestResource).toEqual({ group: GROUP, version: 'v2', resource: 'boxes' });
      expect(mutated.object).toMatchObject({ apiVersion: `${GROUP}/v1`, spec: { size: '2x3' } });
      // The validating webhook sees the mutating one's change, in v1 too.
      expect(admitted.find((a) => a.path === '/look' && a.request.name === name)!.request.object).toMatchObject({ apiVersion: `${GROUP}/v1`, spec: { size: '9x3' } });
      expect(admitted.some((a) => a.path === '/exact' && a.request.name === name)).toBe(false);
      expect((await get(`/apis/${GROUP}/v2/namespaces/default/boxes/${name}`)).body.spec).toMatchObject({ width: 9, height: 3 });
      // A v1 request is an exact match for all three.
      await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: `${GROUP}/v1`, kind: 'Box', metadata: { name: `${name}-v1` }, spec: { size: '1x1' } }));
      const exact = admitted.find((a) => a.path === '/exact' && a.request.name === `${name}-v1`)!.request;
      expect(exact.requestKind).toEqual({ group: GROUP, version: 'v1', kind: 'Box' });
      expect(exact.object).toMatchObject({ apiVersion: `${GROUP}/v1`, spec: { size: '9x3' } });
    } finally {
      await kubectl.ok(['delete', 'mutatingwebhookconfiguration', 'widen-equivalent']);
      await kubectl.ok(['delete', 'validatingwebhookconfiguration', 'look-equivalent', 'look-exact']);
    }
  });

  it('matchPolicy Equivalent for a ValidatingAdmissionPolicy: its expressions see a v2 request in the v1 its constraints name', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'no-seven-by-seven' },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: { resourceRules: [{ operations: ['CREATE'], apiGroups: [GROUP], apiVersions: ['v1'], resources: ['boxes'] }] },
        validations: [
          { expression: "!has(object.spec.size) || object.spec.size != '7x7'", message: 'no 7x7 boxes' },
          { expression: "request.kind.version == 'v1' && request.requestKind.version == 'v2' && request.resource.version == 'v1'", message: 'kinds as Kubernetes gives them' },
        ],
      },
    }));
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'no-seven-by-seven' }, spec: { policyName: 'no-seven-by-seven', validationActions: ['Deny'] } }));
    try {
      // In v2 the object has no size; the policy sees the v1 form, with one.
      const refused = await waitFor('the policy in force', async () => {
        const r = await kubectl.run(['create', '-f', '-'], JSON.stringify({ apiVersion: `${GROUP}/v2`, kind: 'Box', metadata: { name: `seven-${Date.now()}` }, spec: { width: 7, height: 7 } }));
        return r.code !== 0 ? r.stderr : undefined;
      }, 10_000);
      expect(refused).toContain("ValidatingAdmissionPolicy 'no-seven-by-seven' with binding 'no-seven-by-seven' denied request: no 7x7 boxes");
      await kubectl.ok(['create', '-f', '-'], JSON.stringify({ apiVersion: `${GROUP}/v2`, kind: 'Box', metadata: { name: `six-${Date.now()}` }, spec: { width: 6, height: 7 } }));
    } finally {
      await kubectl.ok(['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', 'no-seven-by-seven']);
    }
  });

  it('fails a request its webhook cannot serve with 500 and the webhook\'s reason; the storage version still reads', async () => {
    await defineAndWait(boxCRD('crates', 'Crate', '/fail'));
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: `${GROUP}/v1`, kind: 'Crate', metadata: { name: 'c1' }, spec: { size: '1x1' } }));
    const failed = await get(`/apis/${GROUP}/v2/namespaces/default/crates/c1`);
    expect(failed.status).toBe(500);
    expect(failed.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'InternalError', code: 500 });
    expect(failed.body.message).toBe(`Internal error occurred: conversion webhook for ${GROUP}/v1, Kind=Crate failed: the converter is out of order`);
    const created = await kubectl.run(['apply', '-f', '-'], JSON.stringify({ apiVersion: `${GROUP}/v2`, kind: 'Crate', metadata: { name: 'c2' }, spec: { width: 1, height: 1 } }));
    expect(created.code).not.toBe(0);
    expect(created.stderr).toContain(`conversion webhook for ${GROUP}/v2, Kind=Crate failed: the converter is out of order`);
    expect((await get(`/apis/${GROUP}/v1/namespaces/default/crates/c2`)).status).toBe(404);
    expect((await get(`/apis/${GROUP}/v1/namespaces/default/crates/c1`)).body.spec.size).toBe('1x1');
  });

  it('refuses answers no webhook may give: another version, another name', async () => {
    await defineAndWait(boxCRD('bins', 'Bin', '/wrong-version', ['v1beta1', 'v1']));
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: `${GROUP}/v1`, kind: 'Bin', metadata: { name: 'b1' }, spec: { size: '1x1' } }));
    const wrong = await get(`/apis/${GROUP}/v2/namespaces/default/bins/b1`);
    expect(wrong.status).toBe(500);
    expect(wrong.body.message).toContain(`invalid apiVersion "${GROUP}/v1", expected "${GROUP}/v2"`);
    // The first review version the server speaks, in the definition's order.
    expect(reviewsAt('/wrong-version').at(-1)!.apiVersion).toBe('apiextensions.k8s.io/v1beta1');

    await defineAndWait(boxCRD('cases', 'Case', '/rename'));
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: `${GROUP}/v1`, kind: 'Case', metadata: { name: 'k1' }, spec: { size: '1x1' } }));
    const renamed = await get(`/apis/${GROUP}/v2/namespaces/default/cases/k1`);
    expect(renamed.status).toBe(500);
    expect(renamed.body.message).toContain('name must not change');
  });

  it('validates the definition: a webhook only with strategy Webhook, and then a client config and review versions', async () => {
    const noWebhook = boxCRD('pallets', 'Pallet', '/convert') as any;
    noWebhook.spec.conversion = { strategy: 'Webhook' };
    let res = await kubectl.run(['apply', '-f', '-'], JSON.stringify(noWebhook));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('spec.conversion.webhook: Required value');

    const plainWithWebhook = boxCRD('pallets', 'Pallet', '/convert') as any;
    plainWithWebhook.spec.conversion.strategy = 'None';
    res = await kubectl.run(['apply', '-f', '-'], JSON.stringify(plainWithWebhook));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('spec.conversion.webhook: Forbidden');

    const badConfig = boxCRD('pallets', 'Pallet', '/convert', ['v9']) as any;
    badConfig.spec.conversion.webhook.clientConfig = { url: 'http://127.0.0.1:1/convert' };
    res = await kubectl.run(['apply', '-f', '-'], JSON.stringify(badConfig));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("spec.conversion.webhook.clientConfig.url: Invalid value: \"http://127.0.0.1:1/convert\": 'https' is the only allowed URL scheme");
    expect(res.stderr).toContain('spec.conversion.webhook.conversionReviewVersions: Invalid value');
  });
});

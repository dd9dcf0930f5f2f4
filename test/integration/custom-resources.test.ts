// CustomResourceDefinitions against real etcd and the apiserver process, driven by REST and by
// unmodified kubectl (1.27, 1.32, 1.33): a definition is served at once, its objects are
// validated against its schema with Kubernetes' field paths, pruned and defaulted, printed with
// its printer columns, scaled through its scale subresource, and deleted with it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { restCaller } from '../harness/rest.js';
import { KUBECTL_VERSIONS, kubectlFor } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';

let api: ApiServerHandle;

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
});
afterAll(async () => {
  await api?.stop();
});

const call = restCaller(() => api.url);

/** A definition in its own group, so tests do not share names. */
function widgetCRD(group: string, opts: { scope?: 'Namespaced' | 'Cluster'; versions?: unknown[] } = {}) {
  const schema = {
    openAPIV3Schema: {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          required: ['size'],
          properties: {
            size: { type: 'integer', minimum: 1, maximum: 10 },
            color: { type: 'string', enum: ['red', 'blue'], default: 'red' },
            replicas: { type: 'integer', default: 1 },
            name: { type: 'string', maxLength: 8, pattern: '^[a-z]+$' },
            free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            ports: { type: 'array', maxItems: 2, items: { type: 'integer' } },
          },
        },
        status: { type: 'object', properties: { replicas: { type: 'integer' }, selector: { type: 'string' }, phase: { type: 'string' } } },
      },
    },
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: opts.scope ?? 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'], categories: ['all'] },
      versions: opts.versions ?? [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema,
          subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
          additionalPrinterColumns: [
            { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
            { name: 'Color', type: 'string', jsonPath: '.spec.color', description: 'the color' },
            { name: 'Phase', type: 'string', jsonPath: '.status.phase', priority: 1 },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
        { name: 'v1beta1', served: true, storage: false, schema },
      ],
    },
  };
}

async function established(name: string): Promise<any> {
  return waitFor(`${name} established`, async () => {
    const crd = (await call('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`)).json;
    return crd.status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True') ? crd : undefined;
  }, 10_000);
}

describe('CustomResourceDefinitions over REST', () => {
  it('serves a definition at once: discovery, CRUD in every served version, watch, status', async () => {
    const group = 'rest.example.com';
    const created = await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgetCRD(group));
    expect(created.status).toBe(201);
    expect(created.json.spec.names.listKind).toBe('WidgetList');
    const crd = await established(`widgets.${group}`);
    expect(crd.status.acceptedNames).toMatchObject({ plural: 'widgets', kind: 'Widget' });
    expect(crd.status.storedVersions).toEqual(['v1']);
    expect(crd.status.conditions.map((c: any) => [c.type, c.status])).toEqual([['NamesAccepted', 'True'], ['Established', 'True']]);

    // Discovery: the group, its versions (v1 preferred), the resource with its subresources.
    const groupDoc = (await call('GET', `/apis/${group}`)).json;
    expect(groupDoc.preferredVersion.version).toBe('v1');
    expect(groupDoc.versions.map((v: any) => v.version)).toEqual(['v1', 'v1beta1']);
    const list = (await call('GET', `/apis/${group}/v1`)).json;
    expect(list.resources.map((r: any) => r.name)).toEqual(['widgets', 'widgets/scale', 'widgets/status']);
    expect(list.resources[0]).toMatchObject({ kind: 'Widget', namespaced: true, shortNames: ['wd'], categories: ['all'] });
    const agg = await call('GET', '/apis', undefined, undefined);
    expect(agg.json.groups.map((g: any) => g.name)).toContain(group);
    expect((await call('GET', '/')).json.paths).toContain(`/apis/${group}/v1`);

    const w = await call('POST', `/apis/${group}/v1/namespaces/default/widgets`, { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3, free: { any: { thing: 1 } } } });
    expect(w.status).toBe(201);
    // Defaults filled in; a status sent on create is dropped (status subresource).
    expect(w.json.spec).toEqual({ size: 3, color: 'red', replicas: 1, free: { any: { thing: 1 } } });
    expect(w.json.metadata.generation).toBe(1);
    // Read in the other served version: the same object, its apiVersion converted.
    const beta = (await call('GET', `/apis/${group}/v1beta1/namespaces/default/widgets/w1`)).json;
    expect(beta.apiVersion).toBe(`${group}/v1beta1`);
    expect(beta.spec.size).toBe(3);

    // Status only through /status; spec changes bump generation.
    const status = await call('PUT', `/apis/${group}/v1/namespaces/default/widgets/w1/status`, { ...w.json, status: { phase: 'Ready', replicas: 1 } });
    expect(status.status).toBe(200);
    expect(status.json.status.phase).toBe('Ready');
    const merged = await call('PATCH', `/apis/${group}/v1/namespaces/default/widgets/w1`, { spec: { size: 4 }, status: { phase: 'Ignored' } }, 'application/merge-patch+json');
    expect(merged.status).toBe(200);
    expect(merged.json.spec.size).toBe(4);
    expect(merged.json.status.phase).toBe('Ready');
    expect(merged.json.metadata.generation).toBe(2);
    // No strategic merge for custom resources, as in Kubernetes.
    const smp = await call('PATCH', `/apis/${group}/v1/namespaces/default/widgets/w1`, { spec: { size: 5 } }, 'application/strategic-merge-patch+json');
    expect(smp.status).toBe(415);

    // A custom resource is never replaced blindly: a PUT must name the version it replaces.
    const { resourceVersion: _rv, ...blindMeta } = merged.json.metadata;
    for (const metadata of [blindMeta, { ...blindMeta, resourceVersion: '0' }]) {
      const blind = await call('PUT', `/apis/${group}/v1/namespaces/default/widgets/w1`, { ...merged.json, metadata });
      expect(blind.status).toBe(422);
      expect(blind.json.message).toBe(`widgets.${group} "w1" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update`);
    }
    const named = await call('PUT', `/apis/${group}/v1/namespaces/default/widgets/w1`, { ...merged.json, metadata: { ...merged.json.metadata, labels: { put: 'yes' } } });
    expect(named.status).toBe(200);

    // A watch sees another client's change.
    const rv = named.json.metadata.resourceVersion;
    const watch = fetch(`${api.url}/apis/${group}/v1/namespaces/default/widgets?watch=true&resourceVersion=${rv}&timeoutSeconds=2`).then((r) => r.text());
    await call('PATCH', `/apis/${group}/v1/namespaces/default/widgets/w1`, { spec: { size: 6 } }, 'application/merge-patch+json');
    const events = (await watch).trim().split('\n').map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ type: 'MODIFIED', object: { kind: 'Widget', spec: { size: 6 } } });
  });

  it('validates against the schema with Kubernetes field paths, prunes unknown fields, and honours fieldValidation', async () => {
    const group = 'valid.example.com';
    expect((await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgetCRD(group))).status).toBe(201);
    await established(`widgets.${group}`);
    const path = `/apis/${group}/v1/namespaces/default/widgets`;
    const bad = await call('POST', path, { metadata: { name: 'bad' }, spec: { size: 20, color: 'pink', name: 'TooLongName', ports: [1, 2, 3] } });
    expect(bad.status).toBe(422);
    expect(bad.json.reason).toBe('Invalid');
    const fields = bad.json.details.causes.map((c: any) => `${c.field}: ${c.message}`);
    expect(fields).toEqual(expect.arrayContaining([
      'spec.size: Invalid value: 20: spec.size in body should be less than or equal to 10',
      'spec.color: Unsupported value: "pink": supported values: "red", "blue"',
      'spec.name: Too long: may not be more than 8 bytes',
      "spec.name: Invalid value: \"TooLongName\": spec.name in body should match '^[a-z]+$'",
      'spec.ports: Too many: 3: must have at most 2 items',
    ]));
    expect(bad.json.message).toMatch(/^Widget\.valid\.example\.com "bad" is invalid: \[/);
    const wrongType = await call('POST', path, { metadata: { name: 'bad' }, spec: { size: 'three' } });
    expect(wrongType.json.details.causes).toContainEqual({ reason: 'FieldValueTypeInvalid', field: 'spec.size', message: 'Invalid value: "string": spec.size in body must be of type integer: "string"' });
    const missing = await call('POST', path, { metadata: { name: 'bad' }, spec: {} });
    expect(missing.json.details.causes).toContainEqual({ reason: 'FieldValueRequired', field: 'spec.size', message: 'Required value' });

    // Unknown fields: pruned, warned about (default), refused under Strict.
    const pruned = await call('POST', path, { metadata: { name: 'pruned' }, spec: { size: 1, bogus: true }, extra: 1 });
    expect(pruned.status).toBe(201);
    expect(pruned.json.spec.bogus).toBeUndefined();
    expect(pruned.json.extra).toBeUndefined();
    expect(pruned.headers.get('warning')).toContain('unknown field \\"spec.bogus\\"');
    const strict = await call('POST', `${path}?fieldValidation=Strict`, { metadata: { name: 'strict' }, spec: { size: 1, bogus: true } });
    expect(strict.status).toBe(400);
    expect(strict.json.message).toContain('strict decoding error: unknown field "spec.bogus"');
  });

  it('refuses invalid definitions and clashing names', async () => {
    const noStorage = widgetCRD('nostore.example.com', { versions: [{ name: 'v1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object' } } }] });
    const res = await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', noStorage);
    expect(res.status).toBe(422);
    expect(res.json.message).toContain('spec.versions: Invalid value');
    expect(res.json.message).toContain('must have exactly one version marked as storage version');
    const badName = { ...widgetCRD('name.example.com'), metadata: { name: 'gadgets.name.example.com' } };
    expect((await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', badName)).json.message).toContain('metadata.name: Invalid value: "gadgets.name.example.com": must be spec.names.plural+"."+spec.group');
    const noSchema = widgetCRD('noschema.example.com', { versions: [{ name: 'v1', served: true, storage: true }] });
    expect((await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', noSchema)).json.message).toContain('spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required');

    // Same kind in the group under another plural: not accepted, not served.
    const group = 'clash.example.com';
    await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgetCRD(group));
    await established(`widgets.${group}`);
    const twin = widgetCRD(group);
    twin.metadata.name = `gizmos.${group}`;
    twin.spec.names = { plural: 'gizmos', singular: 'gizmo', kind: 'Widget', shortNames: [], categories: [] };
    expect((await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', twin)).status).toBe(201);
    const refused = await waitFor('the clash reported', async () => {
      const crd = (await call('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.${group}`)).json;
      return crd.status?.conditions?.find((c: any) => c.type === 'NamesAccepted' && c.status === 'False');
    }, 10_000);
    expect(refused).toMatchObject({ reason: 'KindConflict', message: '"Widget" is already in use' });
    expect((await call('GET', `/apis/${group}/v1/namespaces/default/gizmos`)).status).toBe(404);
  });

  it('scales through the scale subresource and deletes every object with the definition', async () => {
    const group = 'scale.example.com';
    await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgetCRD(group));
    await established(`widgets.${group}`);
    const path = `/apis/${group}/v1/namespaces/default/widgets`;
    const s1 = await call('POST', path, { metadata: { name: 's1' }, spec: { size: 1 } });
    await call('PUT', `${path}/s1/status`, { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 's1', resourceVersion: s1.json.metadata.resourceVersion }, spec: { size: 1 }, status: { replicas: 1, selector: 'app=s1' } });
    const scale = (await call('GET', `${path}/s1/scale`)).json;
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 1 }, status: { replicas: 1, selector: 'app=s1' } });
    const scaled = await call('PATCH', `${path}/s1/scale`, { spec: { replicas: 4 } }, 'application/merge-patch+json');
    expect(scaled.status).toBe(200);
    expect((await call('GET', `${path}/s1`)).json.spec.replicas).toBe(4);
    // As a Table, a custom resource's Scale is read through the resource's own printer columns, as Kubernetes does.
    const table = (await call('GET', `${path}/s1/scale`, undefined, 'application/json', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).json;
    expect(table.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Size', 'Color', 'Phase', 'Age']);
    expect(table.rows[0].cells.slice(0, 4)).toEqual(['s1', null, null, null]);
    expect(table.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 's1' } });

    await call('POST', path, { metadata: { name: 's2' }, spec: { size: 2 } });
    const deleted = await call('DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.${group}`);
    expect(deleted.status).toBe(200);
    await waitFor('the definition gone', async () => (await call('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.${group}`)).status === 404, 15_000);
    // Served until each apiserver's watch shows the deletion (at once on the one that removed it).
    await waitFor('the objects no longer served', async () => (await call('GET', `/apis/${group}/v1/namespaces/default/widgets`)).status === 404, 5_000);
    // Defined again: nothing of the old objects is left.
    await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgetCRD(group));
    await established(`widgets.${group}`);
    await waitFor('served again', async () => (await call('GET', path)).status === 200, 10_000);
    expect((await call('GET', path)).json.items).toEqual([]);
  });

  it('selects by the fields a version declares selectable, in lists and watches', async () => {
    const group = 'select.example.com';
    const crd = widgetCRD(group);
    (crd.spec.versions as any[])[0].selectableFields = [{ jsonPath: '.spec.color' }];
    expect((await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status).toBe(201);
    await established(`widgets.${group}`);
    const path = `/apis/${group}/v1/namespaces/default/widgets`;
    await call('POST', path, { metadata: { name: 'r' }, spec: { size: 1, color: 'red' } });
    await call('POST', path, { metadata: { name: 'b' }, spec: { size: 1, color: 'blue' } });
    const blue = await call('GET', `${path}?fieldSelector=spec.color%3Dblue`);
    expect(blue.json.items.map((w: any) => w.metadata.name)).toEqual(['b']);
    const notRed = await call('GET', `${path}?fieldSelector=spec.color!%3Dred,metadata.name%3Db`);
    expect(notRed.json.items.map((w: any) => w.metadata.name)).toEqual(['b']);
    const unsupported = await call('GET', `${path}?fieldSelector=spec.size%3D1`);
    expect(unsupported).toMatchObject({ status: 400, json: { message: 'field label not supported: spec.size' } });
    expect(await kubectlFor(api.url).ok(['get', `widgets.${group}`, '--field-selector', 'spec.color=red', '-o', 'name'])).toBe(`widget.${group}/r\n`);
    const bad = widgetCRD('badselect.example.com');
    (bad.spec.versions as any[])[0].selectableFields = [{ jsonPath: '.spec.items[?(@.a=="b")]' }];
    expect((await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', bad)).json.message).toContain('must be a simple path to a field');
  });

  it('serves definitions already stored when the apiserver restarts', async () => {
    const group = 'restart.example.com';
    await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgetCRD(group, { scope: 'Cluster' }));
    await established(`widgets.${group}`);
    expect((await call('POST', `/apis/${group}/v1/widgets`, { metadata: { name: 'c1' }, spec: { size: 1 } })).status).toBe(201);
    await api.stop();
    await api.restart();
    // Ready means served: no window in which the resource is missing.
    const got = await call('GET', `/apis/${group}/v1/widgets/c1`);
    expect(got.status).toBe(200);
    expect(got.json.metadata.namespace).toBeUndefined();
  });
});

describe('hostile input to custom resources', () => {
  it('matches CRD patterns in linear time, refuses what RE2 would, and keeps __proto__ as data', async () => {
    const group = 'hostile.example.com';
    const crd = widgetCRD(group);
    const props = (crd.spec.versions as any[])[0].schema.openAPIV3Schema.properties.spec.properties;
    props.name = { type: 'string', pattern: '^(a+)+$' };
    expect((await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status).toBe(201);
    await established(`widgets.${group}`);
    const path = `/apis/${group}/v1/namespaces/default/widgets`;
    // A backtracking engine would spend years on this; the server answers at once and keeps serving.
    const evil = call('POST', path, { metadata: { name: 'evil' }, spec: { size: 1, name: `${'a'.repeat(30_000)}!` } });
    const meanwhile = await call('GET', '/api/v1/namespaces/default');
    expect(meanwhile.status).toBe(200);
    const res = await evil;
    expect(res.status).toBe(422);
    expect(res.json.details.causes[0].field).toBe('spec.name');

    const backref = widgetCRD('backref.example.com');
    (backref.spec.versions as any[])[0].schema.openAPIV3Schema.properties.spec.properties.name = { type: 'string', pattern: '(a)\\1' };
    const refused = await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', backref);
    expect(refused.status).toBe(422);
    expect(refused.json.message).toContain('must be a valid regular expression');

    const proto = await call('POST', path, '{"metadata":{"name":"proto"},"spec":{"size":1,"__proto__":{"polluted":true},"free":{"__proto__":{"kept":1}}}}');
    expect(proto.status).toBe(201);
    expect(Object.keys(proto.json.spec)).toEqual(['size', 'free', 'color', 'replicas']);
    expect(proto.text).toContain('"free":{"__proto__":{"kept":1}}');
    const deep = await call('POST', path, `{"metadata":{"name":"deep"},"spec":{"size":1,"free":${'{"a":'.repeat(10_001)}1${'}'.repeat(10_001)}}}`);
    expect(deep.status).toBe(400);
    expect(deep.json.message).toContain('exceeded max depth');
  });
});

describe.each(Object.entries(KUBECTL_VERSIONS))('kubectl %s with custom resources', (version, binary) => {
  const group = `kubectl${version.replace('.', '')}.example.com`;
  let kubectl: ReturnType<typeof kubectlFor>;
  beforeAll(async () => {
    kubectl = kubectlFor(api.url, binary);
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify(widgetCRD(group)));
    await kubectl.ok(['wait', '--for=condition=Established', `crd/widgets.${group}`, '--timeout=20s']);
  });

  it('gets, applies, patches, scales, explains and deletes', async () => {
    expect(await kubectl.ok(['get', 'crd', `widgets.${group}`])).toMatch(/^NAME\s+CREATED AT\n/);
    const manifest = { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'k1' }, spec: { size: 2, color: 'blue' } };
    expect(await kubectl.ok(['apply', '-f', '-'], JSON.stringify(manifest))).toContain(`widget.${group}/k1 created`);
    expect(await kubectl.ok(['apply', '-f', '-'], JSON.stringify(manifest))).toContain(`widget.${group}/k1 unchanged`);
    // kubectl computes the patch from the OpenAPI v3 schema, down to metadata.annotations: no
    // "error calculating patch from openapi v3 spec" warning.
    const configured = await kubectl.run(['apply', '-f', '-'], JSON.stringify({ ...manifest, spec: { size: 3, color: 'blue' } }));
    expect(configured).toMatchObject({ code: 0, stderr: '' });
    expect(configured.stdout).toContain(`widget.${group}/k1 configured`);
    const table = await kubectl.ok(['get', `widgets.${group}`]);
    expect(table).toMatch(/^NAME\s+SIZE\s+COLOR\s+AGE\n/);
    expect(table).toMatch(/k1\s+3\s+blue\s+\d+s/);
    expect(await kubectl.ok(['get', `widgets.${group}`, '-o', 'wide'])).toMatch(/^NAME\s+SIZE\s+COLOR\s+PHASE\s+AGE\n/);
    expect(await kubectl.ok(['get', `wd.${group}`, 'k1', '-o', 'jsonpath={.spec.size}'])).toBe('3');
    await kubectl.ok(['patch', `widgets.${group}`, 'k1', '--type=merge', '-p', '{"spec":{"size":5}}']);
    await kubectl.ok(['scale', `widgets.${group}`, 'k1', '--replicas=3']);
    expect(JSON.parse(await kubectl.ok(['get', `widgets.${group}`, 'k1', '-o', 'json'])).spec).toMatchObject({ size: 5, replicas: 3 });
    const invalid = await kubectl.run(['apply', '-f', '-'], JSON.stringify({ ...manifest, metadata: { name: 'k2' }, spec: { size: 99 } }));
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain('spec.size: Invalid value: 99: spec.size in body should be less than or equal to 10');
    const explained = await kubectl.ok(['explain', `widgets.${group}.spec`]);
    expect(explained).toMatch(/KIND:\s+Widget/);
    expect(explained).toMatch(/color\s+<string>/);
    // The same schema in the protobuf OpenAPI v2 document kubectl downloads.
    expect(await kubectl.ok(['explain', `widgets.${group}.spec`, '--output=plaintext-openapiv2'])).toMatch(/color\s+<string>/);
    expect(await kubectl.ok(['delete', `widgets.${group}`, 'k1'])).toContain(`widget.${group} "k1" deleted`);
    expect(await kubectl.ok(['delete', 'crd', `widgets.${group}`])).toContain('deleted');
  });

  it('applies a List of custom resources that keep unknown fields (kubectl validates Lists against /openapi/v2)', async () => {
    const loose = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `gadgets.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'gadgets', kind: 'Gadget' },
        versions: [{
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', nullable: true, properties: { a: { type: 'string' } } } }, 'x-kubernetes-preserve-unknown-fields': true } },
        }],
      },
    };
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify(loose));
    await kubectl.ok(['wait', '--for=condition=Established', `crd/gadgets.${group}`, '--timeout=20s']);
    const list = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'g1' }, someField: 'field1', nested: { deep: 1 } }] };
    expect(await kubectl.ok(['apply', '-f', '-'], JSON.stringify(list))).toContain(`gadget.${group}/g1 created`);
    expect(JSON.parse(await kubectl.ok(['get', `gadgets.${group}`, 'g1', '-o', 'json']))).toMatchObject({ someField: 'field1', nested: { deep: 1 } });
    const changed = { ...list, items: [{ ...list.items[0]!, someField: 'field2' }] };
    expect(await kubectl.run(['apply', '-f', '-'], JSON.stringify(changed))).toMatchObject({ code: 0, stdout: `gadget.${group}/g1 configured\n`, stderr: '' });
    // Published in v2 as Kubernetes does: a bare object, so kubectl's validator lets every field through.
    const v2 = (await (await fetch(`${api.url}/openapi/v2`)).json()) as { definitions: Record<string, unknown> };
    expect(v2.definitions[`${group.split('.').reverse().join('.')}.v1.Gadget`]).toEqual({ type: 'object', 'x-kubernetes-group-version-kind': [{ group, kind: 'Gadget', version: 'v1' }] });
    await kubectl.ok(['delete', 'crd', `gadgets.${group}`]);
  });
});

describe('x-kubernetes-validations (CEL rules), with kubectl', () => {
  const group = 'rules.example.com';
  let kubectl: ReturnType<typeof kubectlFor>;
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `gadgets.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              'x-kubernetes-validations': [{ rule: "self.metadata.name.startsWith('g-')", message: 'names start with g-' }],
              properties: {
                spec: {
                  type: 'object',
                  'x-kubernetes-validations': [
                    { rule: 'self.min <= self.max', messageExpression: "'min (' + string(self.min) + ') must not exceed max (' + string(self.max) + ')'", fieldPath: '.min' },
                    { rule: 'self.mode == oldSelf.mode', message: 'mode is immutable' },
                  ],
                  properties: { min: { type: 'integer' }, max: { type: 'integer' }, mode: { type: 'string', maxLength: 16 } },
                },
                status: { type: 'object', 'x-kubernetes-validations': [{ rule: "self.health == 'ok' || self.health == 'unhealthy'" }], properties: { health: { type: 'string' } } },
              },
            },
          },
        },
      ],
    },
  };
  beforeAll(async () => {
    kubectl = kubectlFor(api.url, KUBECTL_VERSIONS['1.32']!);
  });

  it('refuses a definition whose rule does not compile, and enforces the rules of one that does', async () => {
    const broken = structuredClone(crd) as any;
    broken.metadata.name = `brokens.${group}`;
    broken.spec.names = { plural: 'brokens', singular: 'broken', kind: 'Broken' };
    broken.spec.versions[0].schema.openAPIV3Schema.properties.spec['x-kubernetes-validations'] = [{ rule: 'self.z == 100' }];
    const refused = await kubectl.run(['apply', '-f', '-'], JSON.stringify(broken));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("undefined field 'z'");
    expect(refused.stderr).toContain('spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule');

    await kubectl.ok(['apply', '-f', '-'], JSON.stringify(crd));
    await kubectl.ok(['wait', '--for=condition=Established', `crd/gadgets.${group}`, '--timeout=20s']);
    const gadget = (name: string, spec: object) => JSON.stringify({ apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name, namespace: 'default' }, spec });
    expect(await kubectl.ok(['apply', '-f', '-'], gadget('g-1', { min: 1, max: 5, mode: 'fast' }))).toContain('created');

    const tooSmall = await kubectl.run(['apply', '-f', '-'], gadget('g-2', { min: 9, max: 5, mode: 'fast' }));
    expect(tooSmall.code).not.toBe(0);
    expect(tooSmall.stderr).toContain('spec.min: Invalid value: "object": min (9) must not exceed max (5)');
    const badName = await kubectl.run(['apply', '-f', '-'], gadget('bad', { min: 1, max: 5, mode: 'fast' }));
    expect(badName.stderr).toContain('<nil>: Invalid value: "object": names start with g-');

    // A transition rule: mode may not change; other fields may.
    const changed = await kubectl.run(['patch', `gadgets.${group}`, 'g-1', '--type=merge', '-p', '{"spec":{"mode":"slow"}}']);
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toContain('spec: Invalid value: "object": mode is immutable');
    await kubectl.ok(['patch', `gadgets.${group}`, 'g-1', '--type=merge', '-p', '{"spec":{"max":7}}']);

    // The status subresource runs the status rules.
    const status = await call('PATCH', `/apis/${group}/v1/namespaces/default/gadgets/g-1/status`, { status: { health: 'meh' } }, 'application/merge-patch+json');
    expect(status.status).toBe(422);
    expect(status.json.message).toContain("status: Invalid value: \"object\": failed rule: self.health == 'ok' || self.health == 'unhealthy'");
    expect((await call('PATCH', `/apis/${group}/v1/namespaces/default/gadgets/g-1/status`, { status: { health: 'ok' } }, 'application/merge-patch+json')).status).toBe(200);
    expect(JSON.parse(await kubectl.ok(['get', `gadgets.${group}`, 'g-1', '-o', 'json'])).spec).toEqual({ min: 1, max: 7, mode: 'fast' });
  });
});

describe('string formats and ratcheting, with kubectl', () => {
  const group = 'formats.example.com';
  let kubectl: ReturnType<typeof kubectlFor>;
  const crdWith = (idSchema: Record<string, unknown>) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `tickets.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'tickets', singular: 'ticket', kind: 'Ticket' },
      versions: [{
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: { id: idSchema, due: { type: 'string', format: 'date-time' }, owner: { type: 'string', 'x-kubernetes-validations': [{ rule: '!format.dns1123Label().validate(self).hasValue()', messageExpression: '"owner: " + format.dns1123Label().validate(self).value().join(", ")' }] }, note: { type: 'string' } },
              },
            },
          },
        },
      }],
    },
  });
  const ticket = (name: string, spec: object) => JSON.stringify({ apiVersion: `${group}/v1`, kind: 'Ticket', metadata: { name, namespace: 'default' }, spec });

  beforeAll(() => {
    kubectl = kubectlFor(api.url);
  });

  it('refuses values not of their format, lets unchanged ones stay when the schema tightens, and validates names with CEL\'s format library', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify(crdWith({ type: 'string' })));
    await kubectl.ok(['wait', '--for=condition=Established', `crd/tickets.${group}`, '--timeout=20s']);
    const late = await kubectl.run(['apply', '-f', '-'], ticket('t-late', { due: 'next tuesday' }));
    expect(late.code).not.toBe(0);
    expect(late.stderr).toContain('spec.due: Invalid value: "next tuesday": spec.due in body must be of type date-time: "next tuesday"');
    const owner = await kubectl.run(['apply', '-f', '-'], ticket('t-owner', { owner: 'Jane_Doe' }));
    expect(owner.code).not.toBe(0);
    expect(owner.stderr).toContain("owner: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'");
    expect(await kubectl.ok(['apply', '-f', '-'], ticket('t-1', { id: 'legacy-7', due: '2026-12-24T18:00:00Z', owner: 'jane' }))).toContain('created');

    // The id becomes a uuid: the stored t-1 still takes updates that leave its id alone...
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify(crdWith({ type: 'string', format: 'uuid' })));
    await waitFor('the tightened schema in force', async () => ((await kubectl.run(['apply', '-f', '-', '--dry-run=server'], ticket('t-probe', { id: 'x' }))).code !== 0 ? true : undefined), 10_000, 200);
    expect(await kubectl.ok(['patch', `tickets.${group}`, 't-1', '--type=merge', '-p', '{"spec":{"note":"still open"}}'])).toContain('patched');
    // ... but not a new invalid one, and new objects get the new rule.
    const changed = await kubectl.run(['patch', `tickets.${group}`, 't-1', '--type=merge', '-p', '{"spec":{"id":"legacy-8"}}']);
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toContain('spec.id in body must be of type uuid: "legacy-8"');
    expect(await kubectl.ok(['apply', '-f', '-'], ticket('t-2', { id: '6f1e6bba-3b55-4e3e-9a0c-0a6b4e7a3f10' }))).toContain('created');
    await kubectl.ok(['delete', 'crd', `tickets.${group}`]);
  });
});

describe('official clients with custom resources', () => {
  it('client-node: an operator-style informer sees custom objects come, change and go', async () => {
    const group = 'informer.example.com';
    await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgetCRD(group));
    await established(`widgets.${group}`);
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'test', server: api.url, skipTLSVerify: true }],
      users: [{ name: 'test' }],
      contexts: [{ name: 'test', cluster: 'test', user: 'test' }],
      currentContext: 'test',
    });
    const objects = kc.makeApiClient(k8s.CustomObjectsApi);
    const path = `/apis/${group}/v1/namespaces/default/widgets`;
    const informer = k8s.makeInformer(kc, path, () => objects.listNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'widgets' }) as never);
    const seen: string[] = [];
    const record = (type: string) => (o: k8s.KubernetesObject & { spec?: { size?: number } }) => seen.push(`${type} ${o.metadata!.name} ${o.spec?.size}`);
    informer.on('add', record('add'));
    informer.on('update', record('update'));
    informer.on('delete', record('delete'));
    await informer.start();
    try {
      await objects.createNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'widgets', body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'op' }, spec: { size: 1 } } });
      await objects.patchNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'widgets', name: 'op', body: [{ op: 'replace', path: '/spec/size', value: 2 }] });
      await objects.deleteNamespacedCustomObject({ group, version: 'v1', namespace: 'default', plural: 'widgets', name: 'op' });
      await waitFor('the informer to see the delete', async () => seen.includes('delete op 2'), 10_000);
      expect(seen).toEqual(['add op 1', 'update op 2', 'delete op 2']);
    } finally {
      await informer.stop();
    }
  });

  it('the Python client: CustomObjectsApi and ApiextensionsV1Api', async () => {
    const script = join(process.cwd(), 'test', 'integration', 'python', 'custom_objects_check.py');
    const { stdout } = await promisify(execFile)('/usr/bin/python3', [script, api.url, 'python.example.com'], { timeout: 60_000 });
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result).toEqual({
      established: true,
      defaulted: 1,
      listed: ['py-tab'],
      // Watched from the list's resourceVersion: the create came before it.
      events: [['MODIFIED', 'py-tab', 3], ['DELETED', 'py-tab', 3]],
    });
  });
});

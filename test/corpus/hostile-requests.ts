// The hostile-input corpus: requests an attacker, a buggy client or a flaky proxy could send,
// each with the exact Status (code and reason) Kubernetes answers. Built from a few tables
// (kinds x payload classes, list parameters, paths) so every class is tried on every verb,
// content type and patch type it applies to. Cases never change the sentinel objects: those
// that are accepted are no-ops (unknown fields dropped), so the test can check afterwards that
// the server holds exactly what it held before.
import { bitString, children, explicit, integer, nullValue, octetString, oid, root, sequence, set, whole } from '../../api/pki/der.js';
import { lengthDelimited, varintField } from '../../api/protobuf/wire.js';

export interface Expect {
  code: number;
  /** Kubernetes' StatusReason; '' for a success. */
  reason: string;
  /** A fragment the Status message must contain. */
  message?: string | RegExp;
}

export interface Case {
  name: string;
  method: string;
  path: string;
  contentType?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  expect: Expect;
}

export interface Kind {
  plural: string;
  /** e.g. /api/v1 or /apis/apps/v1 */
  base: string;
  namespaced: boolean;
  apiVersion: string;
  kind: string;
  /** A valid object of this kind (without metadata), for creates and updates. */
  body: Record<string, unknown>;
}

export const NAMESPACE = 'corpus';
export const SENTINEL = 'sentinel';

export const kinds: Kind[] = [
  { plural: 'configmaps', base: '/api/v1', namespaced: true, apiVersion: 'v1', kind: 'ConfigMap', body: { data: { a: 'b' } } },
  { plural: 'secrets', base: '/api/v1', namespaced: true, apiVersion: 'v1', kind: 'Secret', body: { data: { a: 'Yg==' } } },
  { plural: 'pods', base: '/api/v1', namespaced: true, apiVersion: 'v1', kind: 'Pod', body: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  {
    plural: 'deployments',
    base: '/apis/apps/v1',
    namespaced: true,
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    body: { spec: { replicas: 1, selector: { matchLabels: { app: 's' } }, template: { metadata: { labels: { app: 's' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } },
  },
  { plural: 'services', base: '/api/v1', namespaced: true, apiVersion: 'v1', kind: 'Service', body: { spec: { ports: [{ port: 80 }], selector: { app: 's' } } } },
  { plural: 'endpoints', base: '/api/v1', namespaced: true, apiVersion: 'v1', kind: 'Endpoints', body: { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] } },
  { plural: 'leases', base: '/apis/coordination.k8s.io/v1', namespaced: true, apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', body: { spec: { holderIdentity: 'a' } } },
  { plural: 'flowschemas', base: '/apis/flowcontrol.apiserver.k8s.io/v1', namespaced: false, apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', body: { spec: { priorityLevelConfiguration: { name: 'catch-all' } } } },
  { plural: 'clusterroles', base: '/apis/rbac.authorization.k8s.io/v1', namespaced: false, apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', body: { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] } },
  { plural: 'nodes', base: '/api/v1', namespaced: false, apiVersion: 'v1', kind: 'Node', body: { spec: { unschedulable: false } } },
];

export function sentinelName(k: Kind): string {
  return k.namespaced ? SENTINEL : `${NAMESPACE}-${SENTINEL}`;
}

export function collectionPath(k: Kind): string {
  return k.namespaced ? `${k.base}/namespaces/${NAMESPACE}/${k.plural}` : `${k.base}/${k.plural}`;
}

export function objectPath(k: Kind, name = sentinelName(k)): string {
  return `${collectionPath(k)}/${name}`;
}

export function sentinelObject(k: Kind): Record<string, unknown> {
  return { apiVersion: k.apiVersion, kind: k.kind, metadata: { name: sentinelName(k), labels: { corpus: 'sentinel' } }, ...k.body };
}

const JSON_PATCH = 'application/json-patch+json';
const MERGE = 'application/merge-patch+json';
const SMP = 'application/strategic-merge-patch+json';
const APPLY = 'application/apply-patch+yaml';
const PATCH_TYPES = [JSON_PATCH, MERGE, SMP, APPLY];

const deep = (levels: number, leaf = '1') => '{"a":'.repeat(levels) + leaf + '}'.repeat(levels);
const deepArray = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const deepYamlBlock = (levels: number) => Array.from({ length: levels }, (_, i) => `${'  '.repeat(i)}a:`).join('\n') + `\n${'  '.repeat(levels)}b: 1\n`;

const ok: Expect = { code: 200, reason: '' };
const badRequest = (message?: string | RegExp): Expect => ({ code: 400, reason: 'BadRequest', message });
const invalid = (message?: string | RegExp): Expect => ({ code: 422, reason: 'Invalid', message });
const conflict = (message?: string | RegExp): Expect => ({ code: 409, reason: 'Conflict', message });
const tooLarge = (message?: string | RegExp): Expect => ({ code: 413, reason: 'RequestEntityTooLarge', message });
const unsupported: Expect = { code: 415, reason: 'UnsupportedMediaType' };
const notFound: Expect = { code: 404, reason: 'NotFound' };
const methodNotAllowed: Expect = { code: 405, reason: 'MethodNotAllowed' };
const unavailable = (message?: string | RegExp): Expect => ({ code: 503, reason: 'ServiceUnavailable', message });

/** Patches of every type that must be refused, against each kind's sentinel. */
function patchCases(k: Kind): Case[] {
  const path = objectPath(k);
  const name = sentinelName(k);
  const envelope = `"apiVersion":"${k.apiVersion}","kind":"${k.kind}","metadata":{"name":"${name}"}`;
  const cases: Case[] = [];
  const patch = (what: string, contentType: string, body: string, expect: Expect, query = ''): void => {
    cases.push({ name: `${k.plural}: ${what} (${contentType.split('/')[1]})`, method: 'PATCH', path: `${path}${query}`, contentType, body, expect });
  };
  // Prototype pollution through JSON pointers: paths that do not exist.
  for (const p of ['/__proto__/labels', '/constructor/prototype/polluted', '/metadata/__proto__/polluted', '/metadata/constructor/prototype', '/toString/x']) {
    patch(`add ${p}`, JSON_PATCH, JSON.stringify([{ op: 'add', path: p, value: { polluted: 'yes' } }]), invalid(/doc is missing path/));
  }
  // A key of its own: an unknown field, dropped (a no-op).
  patch('add /__proto__', JSON_PATCH, JSON.stringify([{ op: 'add', path: '/__proto__', value: { polluted: 'yes' } }]), ok);
  patch('replace /__proto__/polluted', JSON_PATCH, JSON.stringify([{ op: 'replace', path: '/__proto__/polluted', value: 1 }]), invalid(/missing path/));
  patch('remove /constructor', JSON_PATCH, JSON.stringify([{ op: 'remove', path: '/constructor' }]), invalid(/missing path/));
  patch('copy into /__proto__', JSON_PATCH, JSON.stringify([{ op: 'copy', from: '/metadata', path: '/__proto__/x' }]), invalid(/missing path/));
  patch('move from /__proto__', JSON_PATCH, JSON.stringify([{ op: 'move', from: '/__proto__', path: '/x' }]), invalid(/missing path/));
  patch('test /constructor', JSON_PATCH, JSON.stringify([{ op: 'test', path: '/constructor', value: null }]), invalid(/missing path/));
  // __proto__ and friends as plain keys of merge-style patches: unknown fields, dropped (a no-op).
  patch('__proto__ key', MERGE, '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}', ok);
  patch('__proto__ key', SMP, '{"__proto__":{"polluted":"yes"},"metadata":{"constructor":{"prototype":{"polluted":"yes"}}}}', ok);
  patch('__proto__ key', APPLY, `{${envelope},"__proto__":{"polluted":"yes"}}`, ok, '?fieldManager=corpus');
  patch('__proto__ label', SMP, '{"metadata":{"labels":{"__proto__":"x"}}}', invalid(/metadata.labels/));
  // Nesting: 10,000 levels is Kubernetes' decoder limit.
  patch('nested 10,001 levels', JSON_PATCH, `[{"op":"add","path":"/metadata/annotations","value":${deep(10_001)}}]`, badRequest(/exceeded max depth/));
  patch('nested 10,001 levels', MERGE, `{"metadata":${deep(10_001)}}`, badRequest(/exceeded max depth/));
  patch('nested 10,001 levels', SMP, `{"metadata":${deep(10_001)}}`, badRequest(/exceeded max depth/));
  patch('nested 10,001 levels', APPLY, `{${envelope},"x":${deep(10_001)}}`, badRequest(/exceeded max depth/), '?fieldManager=corpus');
  patch('arrays nested 100,000 levels', MERGE, deepArray(100_000), badRequest(/exceeded max depth/));
  patch('YAML nested 600 levels', APPLY, `apiVersion: ${k.apiVersion}\nkind: ${k.kind}\nmetadata:\n  name: ${name}\nx:\n${deepYamlBlock(600).replace(/^/gm, '  ')}`, badRequest(/exceeded max depth/), '?fieldManager=corpus');
  patch('YAML flow nested 100,000 levels', APPLY, `x: ${'[a, '.repeat(100_000)}`, badRequest(/exceeded max depth/), '?fieldManager=corpus');
  // Sizes: operations and what copy may add.
  patch('10,001 operations', JSON_PATCH, JSON.stringify(Array.from({ length: 10_001 }, () => ({ op: 'test', path: '/kind', value: k.kind }))), tooLarge(/maximum operations in a JSON patch is 10000, got 10001/));
  const copies = [{ op: 'add', path: '/metadata/annotations', value: { big: 'x'.repeat(20_000) } }, ...Array.from({ length: 40 }, (_, i) => ({ op: 'copy', from: '/metadata', path: `/metadata/annotations/c${i}` }))];
  patch('copies that grow without bound', JSON_PATCH, JSON.stringify(copies), invalid(/accumulated size increase of copy/));
  // Malformed documents.
  for (const t of PATCH_TYPES) {
    const query = t === APPLY ? '?fieldManager=corpus' : '';
    patch('truncated JSON', t, '{"metadata":{"labels":', badRequest(), query);
    patch('empty body', t, '', badRequest(/empty/), query);
    patch('bad escape in a string', t, '{"metadata":{"labels":{"a":"\\x"}}}', badRequest(), query);
    patch('lone surrogate and NUL', t, '{"metadata":{"labels":{"a\\u0000":"\\ud800"}}}', t === JSON_PATCH ? badRequest() : invalid(/metadata.labels/), query);
  }
  patch('object instead of operations', JSON_PATCH, '{"op":"add"}', badRequest(/jsonpatch.Patch/));
  patch('operation without path', JSON_PATCH, '[{"op":"add","value":1}]', invalid(/missing path/));
  patch('unknown operation', JSON_PATCH, '[{"op":"frobnicate","path":"/a"}]', invalid(/Unexpected kind: frobnicate/));
  patch('operation that is a string', JSON_PATCH, '["add"]', invalid());
  patch('array instead of object', MERGE, '[1,2]', badRequest());
  patch('array instead of object', SMP, '[1,2]', badRequest());
  patch('unknown $patch directive', SMP, '{"metadata":{"$patch":"explode"}}', invalid(/Unknown patch type/));
  // Changes a patch may not make.
  patch('rename', MERGE, `{"metadata":{"name":"${name}-other"}}`, badRequest(/does not match the name on the URL/));
  patch('rename', JSON_PATCH, JSON.stringify([{ op: 'replace', path: '/metadata/name', value: `${name}-other` }]), badRequest(/does not match the name on the URL/));
  if (k.namespaced) patch('move to another namespace', MERGE, '{"metadata":{"namespace":"default"}}', badRequest(/namespace/));
  patch('another uid', MERGE, '{"metadata":{"uid":"00000000-0000-0000-0000-000000000000"}}', conflict(/Precondition failed: UID/));
  patch('stale resourceVersion', MERGE, '{"metadata":{"resourceVersion":"1"}}', conflict(/has been modified/));
  patch('another kind', MERGE, '{"kind":"Bogus"}', badRequest(/kind/));
  patch('another apiVersion', SMP, '{"apiVersion":"v9"}', badRequest(/API version/));
  patch('metadata as a list', MERGE, '{"metadata":[1]}', invalid(/patch: Invalid value: .*cannot unmarshal array/));
  patch('labels with a number', SMP, '{"metadata":{"labels":{"a":1}}}', invalid(/patch: Invalid value: "map\[metadata:map\[labels:map\[a:1\]\]\]": cannot convert int64 to string/));
  // Found by fuzzing: the entry reached the managed-fields code, which took apiVersion for a string.
  patch('a managedFields entry with a bool apiVersion', SMP, '{"metadata":{"managedFields":[{"manager":"m","operation":"Update","apiVersion":true,"fieldsType":"FieldsV1","fieldsV1":{}}]}}', invalid(/cannot convert bool to string/));
  patch('a kind that is an object', MERGE, '{"kind":{"toString":1}}', invalid(/patch: Invalid value: .*cannot unmarshal object into Go struct field \.?kind of type string/));
  patch('labels that are a string', SMP, '{"metadata":{"labels":"invalid"}}', invalid(/cannot restore map from string/));
  patch('labels with a number', MERGE, '{"metadata":{"labels":{"a":1}}}', invalid(/patch: Invalid value: "\{.*": json: cannot unmarshal number/));
  patch('a deletionTimestamp with an hour of 25', MERGE, '{"metadata":{"deletionTimestamp":"2026-12-05T25:00:00Z"}}', invalid(/patch: Invalid value: .*parsing time "2026-12-05T25:00:00Z": hour out of range/));
  patch('a deletionTimestamp of "soon"', SMP, '{"metadata":{"deletionTimestamp":"soon"}}', invalid(/patch: Invalid value: .*parsing time "soon" as "2006-01-02T15:04:05Z07:00"/));
  // A status naming no node: the scheduler's nomination is read as a node's name.
  if (k.plural === 'pods') {
    cases.push({ name: 'pods: a nominatedNodeName walking out of the nodes (merge-patch+json)', method: 'PATCH', path: `${path}/status`, contentType: MERGE, body: '{"status":{"nominatedNodeName":"../../secrets/x"}}', expect: invalid(/status.nominatedNodeName: Invalid value: "..\/..\/secrets\/x"/) });
  }
  // Options.
  // Found by fuzzing: the name was put in a message before its type was checked.
  patch('apply with a name that is an object', APPLY, `{"apiVersion":"${k.apiVersion}","kind":"${k.kind}","metadata":{"name":{"toString":null}}}`, badRequest(/cannot unmarshal object into Go struct field .*metadata.name of type string/), '?fieldManager=corpus');
  patch('apply without a field manager', APPLY, `{${envelope}}`, invalid(/fieldManager: Required value/));
  patch('field manager of 129 bytes', MERGE, '{}', invalid(/fieldManager: Too long: may not be more than 128 bytes/), `?fieldManager=${'m'.repeat(129)}`);
  patch('field manager with a control character', MERGE, '{}', invalid(/fieldManager: Invalid value/), '?fieldManager=a%07b');
  patch('force on a merge patch', MERGE, '{}', invalid(/force: Forbidden/), '?force=true');
  patch('fieldValidation=Bogus', MERGE, '{}', badRequest(/fieldValidation/), '?fieldValidation=Bogus');
  patch('dryRun=Bogus', MERGE, '{}', badRequest(/dry run/i), '?dryRun=Bogus');
  patch('unknown field, Strict', MERGE, '{"bogusField":1}', badRequest(/strict decoding error: unknown field "bogusField"/), '?fieldValidation=Strict');
  cases.push({ name: `${k.plural}: patch with an unknown media type`, method: 'PATCH', path, contentType: 'application/x-evil', body: '{}', expect: unsupported });
  cases.push({ name: `${k.plural}: patch with no media type`, method: 'PATCH', path, body: '{}', expect: unsupported });
  return cases;
}

/** "k8s\0" + runtime.Unknown naming the kind, around `raw` as the object's message. */
function protobufBody(k: Kind, raw: Buffer): Buffer {
  const typeMeta = Buffer.concat([lengthDelimited(1, Buffer.from(k.apiVersion)), lengthDelimited(2, Buffer.from(k.kind))]);
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), lengthDelimited(1, typeMeta), lengthDelimited(2, raw)]);
}

/** Creates and updates that must be refused. */
function writeCases(k: Kind): Case[] {
  const coll = collectionPath(k);
  const path = objectPath(k);
  const name = sentinelName(k);
  const obj = (meta: Record<string, unknown>, extra: Record<string, unknown> = {}) => JSON.stringify({ apiVersion: k.apiVersion, kind: k.kind, metadata: meta, ...k.body, ...extra });
  const cases: Case[] = [];
  const create = (what: string, body: string | Buffer, expect: Expect, contentType = 'application/json', query = '') => {
    cases.push({ name: `${k.plural}: create ${what}`, method: 'POST', path: `${coll}${query}`, contentType, body, expect });
  };
  const update = (what: string, body: string, expect: Expect, contentType = 'application/json') => {
    cases.push({ name: `${k.plural}: update ${what}`, method: 'PUT', path, contentType, body, expect });
  };
  create('nested 10,001 levels', `{"apiVersion":"${k.apiVersion}","kind":"${k.kind}","metadata":{"name":"deep"},"x":${deep(10_001)}}`, badRequest(/exceeded max depth of 10000/));
  create('nested 10,001 levels as YAML', `{"apiVersion":"${k.apiVersion}","kind":"${k.kind}","metadata":{"name":"deep"},"x":${deep(10_001)}}`, badRequest(/exceeded max depth/), 'application/yaml');
  create('YAML nested 600 levels', `apiVersion: ${k.apiVersion}\nkind: ${k.kind}\nmetadata:\n  name: deep\nx:\n${deepYamlBlock(600).replace(/^/gm, '  ')}`, badRequest(/exceeded max depth of 500/), 'application/yaml');
  create('a YAML alias bomb', ['a: &a [x,x,x,x,x,x,x,x,x]', ...Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n'), badRequest(/alias/i), 'application/yaml');
  create('with duplicate YAML keys', `apiVersion: ${k.apiVersion}\napiVersion: v1\nkind: ${k.kind}\n`, badRequest(/yaml/), 'application/yaml');
  create('from truncated JSON', '{"apiVersion":', badRequest(/json/));
  create('from an empty body', '', badRequest(/empty/));
  create('from a JSON array', '[]', badRequest(/must be a JSON object/));
  create('from a JSON string', '"x"', badRequest(/must be a JSON object/));
  create('from null', 'null', badRequest(/must be a JSON object/));
  create('with another kind', obj({ name: 'x' }, { kind: 'Bogus' }), badRequest(/does not match the expected kind/));
  create('with another apiVersion', obj({ name: 'x' }, { apiVersion: 'bogus/v1' }), badRequest(/does not match the expected API version/));
  create('with metadata as a string', obj({ name: 'x' }, { metadata: 'x' }), badRequest(/cannot unmarshal string/));
  // Found by fuzzing: an object whose own toString is not a function threw when put in a message.
  create('with a kind that is an object with a toString key', obj({ name: 'x' }, { kind: { toString: {} } }), badRequest(/cannot unmarshal object into Go struct field .kind of type string/));
  create('with an apiVersion that is an array', obj({ name: 'x' }, { apiVersion: [k.apiVersion] }), badRequest(/cannot unmarshal array into Go struct field .apiVersion of type string/));
  create('with a managedFields apiVersion that is a bool', obj({ name: 'x', managedFields: [{ manager: 'm', operation: 'Update', apiVersion: true, fieldsType: 'FieldsV1', fieldsV1: {} }] }), badRequest(/cannot unmarshal bool into Go struct field ManagedFieldsEntry.metadata.managedFields.apiVersion of type string/));
  // RBAC names are path segments (system:aggregate-to-admin): only '/', '%', '.' and '..' are refused.
  const rbac = k.plural === 'clusterroles';
  create('with an invalid name', obj({ name: rbac ? 'a%2Fb' : 'Not_Valid!' }), invalid(/metadata.name/));
  if (!rbac) create('with a name of 300 characters', obj({ name: 'a'.repeat(300) }), invalid(/metadata.name/));
  create('with ".." as name', obj({ name: '..' }), invalid(/metadata.name/));
  create('with "__proto__" as a label key', obj({ name: 'x', labels: JSON.parse('{"__proto__":"x"}') }), invalid(/metadata.labels/));
  create('with a label value of 64 characters', obj({ name: 'x', labels: { a: 'b'.repeat(64) } }), invalid(/metadata.labels/));
  create('with annotations over 256 KiB', obj({ name: 'x', annotations: { a: 'b'.repeat(300_000) } }), invalid(/metadata.annotations: Too long/));
  create('with a generation of 2^60', obj({ name: 'x', generation: 2 ** 60 }), badRequest(/of type int64/));
  create('with an unknown field, Strict', obj({ name: 'x' }, { bogus: 1 }), badRequest(/strict decoding error: unknown field "bogus"/), 'application/json', '?fieldValidation=Strict');
  create('with a field manager of 129 bytes', obj({ name: 'x' }), invalid(/CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long/), 'application/json', `?fieldManager=${'m'.repeat(129)}`);
  create('with dryRun=Bogus', obj({ name: 'x' }), badRequest(/dry run/i), 'application/json', '?dryRun=Bogus');
  create('in an unknown media type', obj({ name: 'x' }), unsupported, 'text/html');
  create('from protobuf garbage', Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff, 0xff, 0xff]), badRequest(/protobuf/), 'application/vnd.kubernetes.protobuf');
  create('from protobuf without the k8s prefix', Buffer.from('{}'), badRequest(/protobuf/), 'application/vnd.kubernetes.protobuf');
  // This kind's own envelope around a message that lies: metadata.name sent as a number, and a
  // metadata whose length runs past the end of the body.
  create('from protobuf with a string sent as a number', protobufBody(k, lengthDelimited(1, varintField(1, 5n))), badRequest(/protobuf: .*wire type/), 'application/vnd.kubernetes.protobuf');
  create('from protobuf with a length past the end', protobufBody(k, Buffer.from([0x0a, 0x7f, 0x0a])), badRequest(/protobuf: truncated/), 'application/vnd.kubernetes.protobuf');
  create('that already exists', obj({ name }), { code: 409, reason: 'AlreadyExists' });
  if (k.namespaced) create('into another namespace', obj({ name: 'x', namespace: 'default' }), badRequest(/namespace/));
  update('under another name', obj({ name: 'other' }), badRequest(/does not match the name on the URL/));
  update('with a stale resourceVersion', obj({ name, resourceVersion: '1' }), conflict(/has been modified/));
  update('with another uid', obj({ name, uid: '00000000-0000-0000-0000-000000000000' }), conflict(/Precondition failed: UID/));
  update('nested 10,001 levels', `{"metadata":{"name":"${name}"},"x":${deep(10_001)}}`, badRequest(/exceeded max depth/));
  update('from an empty body', '', badRequest(/empty/));
  // Found by fuzzing: an entry without a version reached code that read the version as a string.
  // (A dry run, so the sentinel stays as it is.)
  update('with a managedFields entry without apiVersion', obj({ name, labels: { other: 'x' }, managedFields: [{ manager: 'm', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': {} } } }] }), ok);
  cases[cases.length - 1]!.path += '?dryRun=All';
  update('with a field manager of 129 bytes', obj({ name }), invalid(/UpdateOptions/));
  cases[cases.length - 1]!.path += `?fieldManager=${'m'.repeat(129)}`;
  return cases;
}

/** Values each kind's validation must refuse (created under fresh names; none may be stored). */
function valueCases(): Case[] {
  const kind = (plural: string) => kinds.find((k) => k.plural === plural)!;
  const create = (plural: string, what: string, body: Record<string, unknown>, expect: Expect): Case => {
    const k = kind(plural);
    return { name: `${plural}: create ${what}`, method: 'POST', path: collectionPath(k), contentType: 'application/json', body: JSON.stringify({ apiVersion: k.apiVersion, kind: k.kind, ...body }), expect };
  };
  const dep = (spec: Record<string, unknown>) => ({ metadata: { name: 'bad' }, spec: { ...(kind('deployments').body.spec as object), ...spec } });
  const level = (what: string, queuing: Record<string, unknown>, expect: Expect): Case => ({
    name: `prioritylevelconfigurations: create ${what}`,
    method: 'POST',
    path: '/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations',
    contentType: 'application/json',
    body: JSON.stringify({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'bad' }, spec: { type: 'Limited', limited: { limitResponse: { type: 'Queue', queuing } } } }),
    expect,
  });
  const pod = (spec: Record<string, unknown>) => ({ metadata: { name: 'bad' }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });
  return [
    create('configmaps', 'a ConfigMap with key ".."', { metadata: { name: 'bad' }, data: { '..': 'x' } }, invalid(/must not be '..'/)),
    create('configmaps', 'a ConfigMap with key "..data"', { metadata: { name: 'bad' }, data: { '..data': 'x' } }, invalid(/must not start with '..'/)),
    create('configmaps', 'a ConfigMap with key "."', { metadata: { name: 'bad' }, data: { '.': 'x' } }, invalid(/must not be '.'/)),
    create('configmaps', 'a ConfigMap with key "a/b"', { metadata: { name: 'bad' }, data: { 'a/b': 'x' } }, invalid(/valid config key/)),
    create('configmaps', 'binaryData that is not base64', { metadata: { name: 'bad' }, binaryData: { a: 'not base64!' } }, badRequest(/illegal base64 data at input byte 3/)),
    create('configmaps', 'binaryData with broken padding', { metadata: { name: 'bad' }, binaryData: { a: 'YQ=' } }, badRequest(/illegal base64 data/)),
    // Times decode with Go's RFC 3339 parser: one Go clients could not read is never stored.
    create('configmaps', 'a creationTimestamp of "yesterday"', { metadata: { name: 'bad', creationTimestamp: 'yesterday' } }, badRequest('ConfigMap in version "v1" cannot be handled as a ConfigMap: parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"')),
    create('pods', 'a condition on 30 February', { ...pod({}), status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-02-30T00:00:00Z' }] } }, badRequest(/parsing time "2026-02-30T00:00:00Z": day out of range/)),
    // A MicroTime takes exactly six fractional digits (Go's "2006-01-02T15:04:05.000000Z07:00").
    create('leases', 'a renewTime without microseconds', { metadata: { name: 'bad' }, spec: { renewTime: '2026-12-05T18:00:00Z' } }, badRequest('Lease in version "v1" cannot be handled as a Lease: parsing time "2026-12-05T18:00:00Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"')),
    create('leases', 'a renewTime with milliseconds', { metadata: { name: 'bad' }, spec: { renewTime: '2026-12-05T18:00:00.123Z' } }, badRequest(/cannot parse "\.123Z" as "\.000000"/)),
    create('leases', 'an acquireTime with nine fractional digits', { metadata: { name: 'bad' }, spec: { acquireTime: '2026-12-05T18:00:00.123456789Z' } }, badRequest(/cannot parse "789Z" as "Z07:00"/)),
    // Scheduling rules the scheduler trusts once stored: checked in linear time, in Kubernetes' words.
    create('pods', '10,000 copies of one topology spread constraint', pod({ topologySpreadConstraints: Array.from({ length: 10_000 }, () => ({ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { a: 'b' } } })) }), invalid(/spec.topologySpreadConstraints\[0\].\{topologyKey, whenUnsatisfiable\}: Duplicate value: "\{zone, DoNotSchedule\}"/)),
    create('pods', 'a spread with 5,000 matchLabelKeys all in its 5,000 selector expressions', pod({ topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchExpressions: Array.from({ length: 5_000 }, (_, i) => ({ key: `k${i}`, operator: 'Exists' })) }, matchLabelKeys: Array.from({ length: 5_000 }, (_, i) => `k${4_999 - i}`) }] }), invalid(/matchLabelKeys\[0\]: Invalid value: "k4999": exists in both matchLabelKeys and labelSelector/)),
    create('pods', 'a spread keyed by __proto__', pod({ topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: {}, matchLabelKeys: ['__proto__'] }] }), invalid(/matchLabelKeys\[0\]: Invalid value: "__proto__"/)),
    create('pods', 'an affinity term without a topology key', pod({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchExpressions: [{ key: 'a', operator: 'Near', values: ['b'] }] } }] } } }), invalid(/operator: Invalid value: "Near": not a valid selector operator.*topologyKey: Required value: can not be empty/s)),
    create('configmaps', 'a data value that is a number', { metadata: { name: 'bad' }, data: { a: 1 } }, badRequest(/cannot unmarshal number/)),
    create('configmaps', 'data over 1 MiB', { metadata: { name: 'bad' }, data: { a: 'x'.repeat(1_100_000) } }, invalid(/Too long/)),
    create('secrets', 'Secret data that is not base64', { metadata: { name: 'bad' }, data: { a: 'abc' } }, badRequest(/illegal base64 data at input byte 0/)),
    create('secrets', 'Secret data with a URL-safe alphabet', { metadata: { name: 'bad' }, data: { a: 'YW-_' } }, badRequest(/illegal base64 data at input byte 2/)),
    create('deployments', 'replicas of 2^53+2', dep({ replicas: 9007199254740994 }), badRequest(/cannot unmarshal number 9007199254740994 into Go struct field DeploymentSpec.spec.replicas of type int32/)),
    create('deployments', 'replicas of 2^31', dep({ replicas: 2147483648 }), badRequest(/of type int32/)),
    create('deployments', 'replicas of 1.5', dep({ replicas: 1.5 }), badRequest(/of type int32/)),
    create('deployments', 'replicas as a string', dep({ replicas: '3' }), badRequest(/cannot unmarshal string/)),
    create('deployments', 'negative replicas', dep({ replicas: -1 }), invalid(/spec.replicas/)),
    create('deployments', 'a selector "a in ()"', dep({ selector: { matchLabels: { app: 's' }, matchExpressions: [{ key: 'a', operator: 'In', values: [] }] } }), invalid(/values: Required value/)),
    create('deployments', 'a selector with an unknown operator', dep({ selector: { matchLabels: { app: 's' }, matchExpressions: [{ key: 'a', operator: 'Near' }] } }), invalid(/not a valid selector operator/)),
    create('deployments', 'Exists with values', dep({ selector: { matchLabels: { app: 's' }, matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] } }), invalid(/may not be specified/)),
    create('deployments', 'maxSurge of 200%', dep({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '200%' } } }), invalid(/greater than 100%/)),
    create('pods', 'activeDeadlineSeconds of 2^60', pod({ activeDeadlineSeconds: 2 ** 60 }), badRequest(/of type int64/)),
    create('pods', 'a container port of 2^32', pod({ containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 4294967296 }] }] }), badRequest(/of type int32/)),
    create('pods', 'a restartPolicy that is a number', pod({ restartPolicy: 1 }), badRequest(/Go struct field PodSpec.spec.restartPolicy of type v1.RestartPolicy$/)),
    create('pods', 'a container without a name', pod({ containers: [{ image: 'x' }] }), invalid(/name/)),
    create('pods', 'no containers', pod({ containers: [] }), invalid(/containers/)),
    // Go decodes a null item of a list of structs as an empty struct, which validation refuses.
    create('pods', 'a null container', pod({ containers: [null] }), invalid(/spec.containers\[0\].name: Required value/)),
    create('pods', 'a null init container, toleration and port', pod({ initContainers: [null], tolerations: [null], containers: [{ name: 'c', image: 'x', ports: [null] }] }), invalid(/spec.initContainers\[0\].name: Required value/)),
    // A container's own restartPolicy: only Always, only on init containers (sidecars).
    create('pods', 'a sidecar restartPolicy that is an object', pod({ initContainers: [{ name: 'i', image: 'x', restartPolicy: { always: true } }] }), badRequest(/Go struct field Container.spec.initContainers.restartPolicy of type v1.ContainerRestartPolicy$/)),
    create('pods', 'an init container restartPolicy of Never', pod({ initContainers: [{ name: 'i', image: 'x', restartPolicy: 'Never' }] }), invalid(/spec.initContainers\[0\].restartPolicy: Unsupported value: "Never": supported values: "Always"/)),
    create('pods', 'a restartPolicy on a regular container', pod({ containers: [{ name: 'c', image: 'x', restartPolicy: 'Always' }] }), invalid(/may not be set for non-init containers/)),
    create('pods', 'a liveness probe on an init container that runs to completion', pod({ initContainers: [{ name: 'i', image: 'x', livenessProbe: { exec: { command: ['true'] } } }] }), invalid(/may not be set for init containers without restartPolicy=Always/)),
    create('pods', 'ephemeral containers with ports and a missing target', pod({ ephemeralContainers: [{ name: 'e', image: 'x', ports: [{ containerPort: 80 }], targetContainerName: 'nope' }] }), invalid(/cannot be set for an Ephemeral Container/)),
    // Security contexts are typed: wrong types are 400s, values out of range 422s.
    create('pods', 'runAsUser as a string', pod({ securityContext: { runAsUser: 'root' } }), badRequest(/cannot unmarshal string/)),
    create('pods', 'runAsUser of 2^63', pod({ securityContext: { runAsUser: 2 ** 63 } }), badRequest(/of type int64/)),
    create('pods', 'a negative fsGroup and a sysctl name with a slash first', pod({ securityContext: { fsGroup: -1, sysctls: [{ name: '/proc/sys/x', value: '1' }] } }), invalid(/fsGroup: Invalid value: -1/)),
    create('pods', 'capabilities that are not a list', pod({ containers: [{ name: 'c', image: 'x', securityContext: { capabilities: { add: 'SYS_ADMIN' } } }] }), badRequest(/cannot unmarshal string/)),
    create('pods', 'privileged with no privilege escalation', pod({ containers: [{ name: 'c', image: 'x', securityContext: { privileged: true, allowPrivilegeEscalation: false } }] }), invalid(/cannot set `allowPrivilegeEscalation` to false and `privileged` to true/)),
    create('pods', 'a seccomp profile outside the profile directory', pod({ securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: '../../../etc/shadow' } } }), invalid(/must not contain '\.\.'/)),
    // Quantities are parsed once each and remembered (up to 64 characters): neither a huge nor an inherited name may get through.
    create('pods', 'a CPU request of 100,000 digits and a letter', pod({ containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '9'.repeat(100_000) + 'x' } } }] }), badRequest(/quantities must match the regular expression/)),
    create('pods', 'a memory limit of "__proto__"', pod({ containers: [{ name: 'c', image: 'x', resources: { limits: { memory: '__proto__' } } }] }), badRequest(/quantities must match the regular expression/)),
    create('pods', 'a resource named __proto__', pod({ containers: [{ name: 'c', image: 'x', resources: JSON.parse('{"limits":{"__proto__":"1"}}') }] }), invalid(/spec.containers\[0\].resources.limits\[__proto__\]/)),
    { ...create('pods', 'an unknown field named __proto__ in a container, Strict', pod({ containers: [JSON.parse('{"name":"c","image":"x","__proto__":{"privileged":true}}')] }), badRequest(/strict decoding error: unknown field "spec.containers\[0\].__proto__"/)), path: `${collectionPath(kind('pods'))}?fieldValidation=Strict` },
    // managedFields are worked out for a create before validation refuses it: hostile keys in keyed lists must not get in the way.
    create('pods', 'env and ports keyed by inherited names, and a negative fsGroup', pod({ securityContext: { fsGroup: -1 }, containers: [{ name: '__proto__', image: 'x', env: [{ name: '__proto__', value: '1' }, { name: 'constructor' }], ports: [{ containerPort: 80, name: 'toString' }] }] }), invalid(/fsGroup: Invalid value: -1/)),
    create('pods', 'a __proto__ key in a securityContext', pod({ securityContext: JSON.parse('{"__proto__":{"runAsUser":0},"runAsGroup":-1}') }), invalid(/runAsGroup: Invalid value: -1/)),
    // PodSecurity labels are validated like fields: a level or version that is none is refused.
    { name: 'namespaces: create with a PodSecurity level named constructor', method: 'POST', path: '/api/v1/namespaces', contentType: 'application/json', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bad-psa', labels: { 'pod-security.kubernetes.io/enforce': 'constructor' } } }), expect: invalid(/must be one of privileged, baseline, restricted/) },
    { name: 'namespaces: create with a PodSecurity version of v1.-1', method: 'POST', path: '/api/v1/namespaces', contentType: 'application/json', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bad-psa', labels: { 'pod-security.kubernetes.io/warn-version': 'v1.-1' } } }), expect: invalid(/must be "latest" or "v1.x"/) },
    create('deployments', 'a null container in the template', dep({ template: { metadata: { labels: { app: 's' } }, spec: { containers: [null] } } }), invalid(/spec.template.spec.containers\[0\].name: Required value/)),
    create('services', 'a port of 70000', { metadata: { name: 'bad' }, spec: { ports: [{ port: 70000 }] } }, invalid(/between 1 and 65535/)),
    create('services', 'a port of 2^31', { metadata: { name: 'bad' }, spec: { ports: [{ port: 2147483648 }] } }, badRequest(/of type int32/)),
    create('services', 'a node port outside the range', { metadata: { name: 'bad' }, spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] } }, invalid(/nodePort/)),
    create('services', 'an unknown type', { metadata: { name: 'bad' }, spec: { type: 'Magic', ports: [{ port: 80 }] } }, invalid(/spec.type/)),
    create('services', 'a health check port on a NodePort Service', { metadata: { name: 'bad' }, spec: { type: 'NodePort', externalTrafficPolicy: 'Local', healthCheckNodePort: 31000, ports: [{ port: 80 }] } }, invalid(/spec.healthCheckNodePort: Invalid value: 31000: may only be set when/)),
    create('services', 'a health check port of 2^31', { metadata: { name: 'bad' }, spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 2147483648, ports: [{ port: 80 }] } }, badRequest(/of type int32/)),
    create('services', 'a negative health check port', { metadata: { name: 'bad' }, spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: -1, ports: [{ port: 80 }] } }, invalid(/spec.healthCheckNodePort/)),
    create('services', 'a traffic policy named __proto__', { metadata: { name: 'bad' }, spec: { type: 'NodePort', externalTrafficPolicy: '__proto__', internalTrafficPolicy: 'constructor', ports: [{ port: 80 }] } }, invalid(/spec.externalTrafficPolicy: Unsupported value: "__proto__"/)),
    create('leases', 'a holder identity of 2.5 MB (over etcd\'s request limit)', { metadata: { name: 'huge' }, spec: { holderIdentity: 'x'.repeat(2_500_000) } }, tooLarge(/request is too large/)),
    create('leases', 'a lease duration of 2^31', { metadata: { name: 'bad' }, spec: { leaseDurationSeconds: 2147483648 } }, badRequest(/of type int32/)),
    create('endpoints', 'addresses nested where a list belongs', { metadata: { name: 'bad' }, subsets: [{ addresses: { ip: 'x' } }] }, badRequest(/cannot unmarshal object/)),
    create('flowschemas', 'a matchingPrecedence of 2^31', { metadata: { name: 'bad' }, spec: { priorityLevelConfiguration: { name: 'catch-all' }, matchingPrecedence: 2 ** 31 } }, badRequest(/of type int32/)),
    create('flowschemas', 'a priority level walking out of the levels', { metadata: { name: 'bad' }, spec: { priorityLevelConfiguration: { name: '../secrets' } } }, invalid(/spec.priorityLevelConfiguration.name/)),
    level('ten million and one queues (each would be kept)', { queues: 10_000_001, handSize: 1 }, invalid(/queuing.queues: Invalid value: 10000001: must not be greater than 10000000/)),
    level('a hand needing more than a 60-bit hash', { queues: 512, handSize: 8 }, invalid(/required entropy bits of deckSize 512 and handSize 8 should not be greater than 60/)),
    level('a queue length of 2^31', { queues: 64, handSize: 8, queueLengthLimit: 2 ** 31 }, badRequest(/of type int32/)),
    create('clusterroles', 'rules that are not a list', { metadata: { name: 'bad' }, rules: { verbs: ['get'] } }, badRequest(/cannot unmarshal object/)),
  ];
}

/** List and watch parameters, and other query options. */
function parameterCases(): Case[] {
  const cases: Case[] = [];
  const target = kinds.filter((k) => ['configmaps', 'pods', 'nodes'].includes(k.plural));
  const rv1 = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 1.5, start: 'x' })).toString('base64url');
  const future = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 999_999_999, start: 'x' })).toString('base64url');
  const traversal = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 2, start: '../secrets/x' })).toString('base64url');
  const foreign = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v9', rv: 2, start: 'x' })).toString('base64url');
  const table: Array<[string, string, Expect]> = [
    ['resourceVersionMatch=Bogus', 'resourceVersion=1&resourceVersionMatch=Bogus', invalid('resourceVersionMatch: Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""')],
    ['resourceVersionMatch without resourceVersion', 'resourceVersionMatch=Exact', invalid(/forbidden unless resourceVersion is provided/)],
    ['Exact at resourceVersion 0', 'resourceVersion=0&resourceVersionMatch=Exact', invalid(/"exact" is forbidden for resourceVersion "0"/)],
    ['resourceVersionMatch with continue', `resourceVersion=1&resourceVersionMatch=NotOlderThan&continue=${future}`, invalid(/forbidden when continue is provided/)],
    ['sendInitialEvents on a list', 'sendInitialEvents=true', invalid(/sendInitialEvents is forbidden for list/)],
    ['sendInitialEvents on a watch without NotOlderThan', 'watch=1&sendInitialEvents=true', invalid(/requires setting resourceVersionMatch to NotOlderThan/)],
    ['resourceVersionMatch on a plain watch', 'watch=1&resourceVersion=1&resourceVersionMatch=NotOlderThan', invalid(/forbidden for watch unless sendInitialEvents is provided/)],
    ['resourceVersion=abc', 'resourceVersion=abc', badRequest(/resourceVersion/)],
    ['resourceVersion=-1', 'resourceVersion=-1', badRequest(/resourceVersion/)],
    ['resourceVersion=1.5', 'resourceVersion=1.5', badRequest(/resourceVersion/)],
    ['resourceVersion of 30 digits', `resourceVersion=${'9'.repeat(30)}`, badRequest(/resourceVersion/)],
    ['watch from resourceVersion=abc', 'watch=1&resourceVersion=abc', badRequest(/resourceVersion/)],
    ['Exact at a future revision', 'resourceVersion=999999999&resourceVersionMatch=Exact', { code: 504, reason: 'Timeout', message: /Too large resource version: 999999999/ }],
    ['limit=abc', 'limit=abc', badRequest(/limit/)],
    ['limit beyond int64', `limit=${'9'.repeat(25)}`, badRequest(/limit/)],
    ['continue that is not base64', 'limit=1&continue=%%%', badRequest(/invalid continue token/)],
    ['continue that is not JSON', `limit=1&continue=${Buffer.from('nope').toString('base64url')}`, badRequest(/invalid continue token/)],
    ['continue at revision 1.5', `limit=1&continue=${rv1}`, badRequest('invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)')],
    ['continue at a future revision', `limit=1&continue=${future}`, badRequest(/invalid continue token/)],
    ['continue walking out of the resource', `limit=1&continue=${traversal}`, badRequest(/invalid continue token/)],
    ['continue of another version', `limit=1&continue=${foreign}`, badRequest(/does not recognize this encoded version/)],
    ['labelSelector "a in ("', 'labelSelector=a%20in%20(', badRequest()],
    ['labelSelector "!!a"', 'labelSelector=!!a', badRequest()],
    ['labelSelector with an invalid key', `labelSelector=${'k'.repeat(70)}=v`, badRequest()],
    ['labelSelector with an invalid value', 'labelSelector=a=b%20c', badRequest()],
    ['labelSelector "a>b"', 'labelSelector=a%3Eb', badRequest()],
    ['fieldSelector on an unsupported field', 'fieldSelector=spec.bogus=x', badRequest(/not supported/)],
    ['fieldSelector without an operator', 'fieldSelector=metadata.name', badRequest()],
    ['fieldSelector with an unescaped = in its value', 'fieldSelector=metadata.name%3Da%3Db', badRequest(/unescaped character '='/)],
    ['fieldSelector with an unknown escape', 'fieldSelector=metadata.name%3Da%5Cx', badRequest(/invalid escape sequence/)],
    ['fieldSelector ending in a backslash', 'fieldSelector=metadata.name%3Da%5C', badRequest(/invalid escape sequence/)],
    ['watch=maybe', 'watch=maybe', badRequest(/invalid boolean/)],
    ['watch with timeoutSeconds=abc', 'watch=1&timeoutSeconds=abc', badRequest(/timeoutSeconds/)],
    ['includeObject=Everything', 'includeObject=Everything', badRequest(/includeObject/)],
  ];
  // Events are listed and watched from etcd, not the watch cache: the same parameters, the same answers.
  const events: Kind = { plural: 'events', base: '/api/v1', namespaced: true, apiVersion: 'v1', kind: 'Event', body: {} };
  for (const [what, query, expect] of table) {
    cases.push({ name: `events: list with ${what}`, method: 'GET', path: `${collectionPath(events)}?${query}`, expect });
  }
  for (const k of target) {
    for (const [what, query, expect] of table) {
      cases.push({ name: `${k.plural}: list with ${what}`, method: 'GET', path: `${collectionPath(k)}?${query}`, expect });
    }
    cases.push({ name: `${k.plural}: delete with propagationPolicy=Bogus`, method: 'DELETE', path: `${objectPath(k)}?propagationPolicy=Bogus`, expect: invalid(/propagationPolicy/) });
    cases.push({ name: `${k.plural}: delete with gracePeriodSeconds=abc`, method: 'DELETE', path: `${objectPath(k)}?gracePeriodSeconds=abc`, expect: badRequest() });
    cases.push({ name: `${k.plural}: delete with a precondition on another uid`, method: 'DELETE', path: objectPath(k), contentType: 'application/json', body: '{"preconditions":{"uid":"00000000-0000-0000-0000-000000000000"}}', expect: conflict(/Precondition failed/) });
    // Found by fuzzing: a dryRun that was an object was put in a message and threw.
    cases.push({ name: `${k.plural}: delete with a dryRun that is an object`, method: 'DELETE', path: objectPath(k), contentType: 'application/json', body: '{"dryRun":{"toString":false}}', expect: badRequest(/cannot unmarshal object into Go struct field DeleteOptions.dryRun of type \[\]string/) });
    cases.push({ name: `${k.plural}: delete with a precondition uid that is a number`, method: 'DELETE', path: objectPath(k), contentType: 'application/json', body: '{"preconditions":{"uid":5}}', expect: badRequest(/cannot unmarshal number into Go struct field Preconditions.preconditions.uid/) });
    cases.push({ name: `${k.plural}: delete with a body nested 10,001 levels`, method: 'DELETE', path: objectPath(k), contentType: 'application/json', body: `{"x":${deep(10_001)}}`, expect: badRequest(/exceeded max depth/) });
    cases.push({ name: `${k.plural}: deletecollection with a bad selector`, method: 'DELETE', path: `${collectionPath(k)}?labelSelector=!!`, expect: badRequest() });
  }
  return cases;
}

/** Paths: double encoding, bad escapes, traversal, unknown names and verbs. */
function pathCases(): Case[] {
  const cm = kinds[0]!;
  const ns = `/api/v1/namespaces/${NAMESPACE}`;
  return [
    { name: 'path decoded once: %2573entinel names "%73entinel"', method: 'GET', path: `${ns}/configmaps/%2573entinel`, expect: notFound },
    { name: 'path decoded once: %25%37%33 stays literal', method: 'GET', path: `${ns}/configmaps/%25%37%33entinel`, expect: notFound },
    { name: 'a malformed escape', method: 'GET', path: `${ns}/configmaps/%zz`, expect: badRequest() },
    { name: 'a truncated escape', method: 'GET', path: `${ns}/configmaps/abc%`, expect: badRequest() },
    { name: 'an escaped NUL', method: 'GET', path: `${ns}/configmaps/a%00b`, expect: notFound },
    { name: 'an encoded slash in a name', method: 'GET', path: `${ns}/configmaps/a%2Fb`, expect: notFound },
    { name: 'dot-dot as a name', method: 'GET', path: `${ns}/configmaps/..`, expect: notFound },
    { name: 'a name of 2,000 characters', method: 'GET', path: `${ns}/configmaps/${'a'.repeat(2000)}`, expect: notFound },
    { name: 'an unknown resource', method: 'GET', path: `${ns}/bogus`, expect: notFound },
    { name: 'an unknown group', method: 'GET', path: '/apis/bogus.example.com/v1/things', expect: notFound },
    { name: 'an unknown version', method: 'GET', path: '/api/v9/pods', expect: notFound },
    { name: 'an inherited name as resource', method: 'GET', path: '/api/v1/__proto__', expect: notFound },
    { name: 'constructor as resource', method: 'GET', path: `${ns}/constructor`, expect: notFound },
    { name: 'an unknown subresource', method: 'GET', path: `${objectPath(cm)}/bogus`, expect: notFound },
    { name: 'too many segments', method: 'GET', path: `${objectPath(cm)}/status/extra/more`, expect: notFound },
    { name: 'POST to a named object', method: 'POST', path: objectPath(cm), contentType: 'application/json', body: '{}', expect: methodNotAllowed },
    { name: 'PUT to a collection', method: 'PUT', path: collectionPath(cm), contentType: 'application/json', body: '{}', expect: methodNotAllowed },
    { name: 'PATCH to a collection', method: 'PATCH', path: collectionPath(cm), contentType: MERGE, body: '{}', expect: methodNotAllowed },
    { name: 'exec with a malformed escape', method: 'GET', path: `${ns}/pods/%zz/exec`, expect: badRequest() },
    { name: 'exec without an upgrade', method: 'GET', path: `${ns}/pods/sentinel/exec`, expect: badRequest(/Upgrade/) },
    { name: 'exec upgrade on a missing pod', method: 'GET', path: `${ns}/pods/missing/exec?command=sh`, headers: { Connection: 'Upgrade', Upgrade: 'websocket' }, expect: notFound },
    { name: 'exec upgrade with a malformed escape', method: 'GET', path: `${ns}/pods/a%zz/exec?command=sh`, headers: { Connection: 'Upgrade', Upgrade: 'websocket' }, expect: badRequest() },
    { name: 'exec upgrade on a pod without a node', method: 'GET', path: `${ns}/pods/sentinel/exec?command=sh`, headers: { Connection: 'Upgrade', Upgrade: 'websocket' }, expect: badRequest(/does not have a host/) },
    { name: 'log of a pod without a node', method: 'GET', path: `${ns}/pods/sentinel/log`, expect: badRequest(/does not have a host/) },
    { name: 'log with a negative tailLines', method: 'GET', path: `${ns}/pods/sentinel/log?tailLines=-1`, expect: invalid(/PodLogOptions "sentinel" is invalid: tailLines: Invalid value: -1/) },
    { name: 'log with a limitBytes past int64', method: 'GET', path: `${ns}/pods/sentinel/log?limitBytes=99999999999999999999`, expect: badRequest(/value out of range/) },
    { name: 'log with both sinceTime and sinceSeconds', method: 'GET', path: `${ns}/pods/sentinel/log?sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z`, expect: invalid(/at most one of/) },
    { name: 'log of a container that does not exist', method: 'GET', path: `${ns}/pods/sentinel/log?container=nope`, expect: badRequest(/not valid for pod/) },
    { name: 'ephemeral containers: a null item', method: 'PATCH', path: `${ns}/pods/sentinel/ephemeralcontainers`, contentType: MERGE, body: '{"spec":{"ephemeralContainers":[null]}}', expect: invalid(/ephemeralContainers\[0\].name: Required value/) },
    { name: 'ephemeral containers: a number item', method: 'PATCH', path: `${ns}/pods/sentinel/ephemeralcontainers`, contentType: MERGE, body: '{"spec":{"ephemeralContainers":[1]}}', expect: invalid(/patch: Invalid value: .*cannot unmarshal number/) },
    { name: 'ephemeral containers: a target that is an object', method: 'PATCH', path: `${ns}/pods/sentinel/ephemeralcontainers`, contentType: MERGE, body: '{"spec":{"ephemeralContainers":[{"name":"e","image":"x","targetContainerName":{"__proto__":{"a":1}}}]}}', expect: invalid(/patch: Invalid value: .*targetContainerName of type string/) },
    { name: 'ephemeral containers: probes and resources', method: 'PATCH', path: `${ns}/pods/sentinel/ephemeralcontainers`, contentType: MERGE, body: '{"spec":{"ephemeralContainers":[{"name":"e","image":"x","readinessProbe":{"exec":{"command":["true"]}},"resources":{"limits":{"cpu":"1"}}}]}}', expect: invalid(/cannot be set for an Ephemeral Container/) },
    { name: 'ephemeral containers on a kind without them', method: 'PATCH', path: `${objectPath(cm)}/ephemeralcontainers`, contentType: MERGE, body: '{}', expect: notFound },
    { name: 'scale with a negative replica count', method: 'PUT', path: `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/sentinel/scale`, contentType: 'application/json', body: '{"spec":{"replicas":-3}}', expect: invalid(/spec.replicas/) },
    { name: 'scale with 2^31 replicas', method: 'PATCH', path: `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/sentinel/scale`, contentType: MERGE, body: '{"spec":{"replicas":2147483648}}', expect: badRequest(/int32/) },
    { name: 'a body over 3 MiB', method: 'POST', path: collectionPath(cm), contentType: 'application/json', body: `{"x":"${'a'.repeat(3 * 1024 * 1024 + 10)}"}`, expect: tooLarge() },
    // The proxy subresources: nothing may make the apiserver relay to an address it should not.
    { name: 'proxy to a pod without an IP', method: 'GET', path: `${ns}/pods/sentinel/proxy/`, expect: badRequest(/address not allowed/) },
    { name: 'proxy to a pod with a scheme other than http(s)', method: 'GET', path: `${ns}/pods/file:sentinel:80/proxy/etc/passwd`, expect: badRequest(/invalid pod request/) },
    { name: 'proxy to a pod named with four parts', method: 'GET', path: `${ns}/pods/http:sentinel:80:1/proxy/`, expect: badRequest(/invalid pod request/) },
    { name: 'proxy to a pod port out of range', method: 'GET', path: `${ns}/pods/sentinel:99999/proxy/`, expect: badRequest(/invalid pod request/) },
    { name: 'proxy to a pod port that is not a number', method: 'GET', path: `${ns}/pods/sentinel:@127.0.0.1:2379/proxy/`, expect: badRequest(/invalid pod request/) },
    { name: 'proxy to a missing pod', method: 'DELETE', path: `${ns}/pods/missing/proxy/x`, expect: notFound },
    { name: 'proxy upgrade to a missing pod', method: 'GET', path: `${ns}/pods/missing/proxy/ws`, headers: { Connection: 'Upgrade', Upgrade: 'websocket' }, expect: notFound },
    { name: 'proxy upgrade to a pod without an IP', method: 'GET', path: `${ns}/pods/sentinel:80/proxy/ws`, headers: { Connection: 'Upgrade', Upgrade: 'websocket' }, expect: badRequest(/address not allowed/) },
    { name: 'proxy to a Service whose endpoints were written by hand (no pod behind them)', method: 'GET', path: `${ns}/services/sentinel/proxy/`, expect: unavailable(/no endpoints available/) },
    { name: 'proxy to a Service port it does not have', method: 'POST', path: `${ns}/services/sentinel:2379/proxy/v3/kv/range`, contentType: 'application/json', body: '{}', expect: unavailable(/no service port 2379/) },
    { name: 'proxy to a node that reports no kubelet', method: 'GET', path: `${objectPath(kinds.find((k) => k.plural === 'nodes')!)}/proxy/metrics`, expect: unavailable(/no kubelet address/) },
    { name: 'proxy on a kind without it', method: 'GET', path: `${objectPath(cm)}/proxy/x`, expect: notFound },
    // The deprecated watch paths.
    { name: 'a watch path with POST', method: 'POST', path: `/api/v1/watch/namespaces/${NAMESPACE}/configmaps`, contentType: 'application/json', body: '{}', expect: methodNotAllowed },
    { name: 'a watch path for a name with a field selector for another', method: 'GET', path: `/api/v1/watch/namespaces/${NAMESPACE}/configmaps/sentinel?fieldSelector=metadata.name%3Dother`, expect: badRequest(/doesn't match requested name/) },
    { name: 'a watch path to a subresource', method: 'GET', path: `/api/v1/watch/namespaces/${NAMESPACE}/pods/sentinel/status`, expect: notFound },
    { name: 'an eviction whose deleteOptions are a string', method: 'POST', path: `${ns}/pods/sentinel/eviction`, contentType: 'application/json', body: '{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"sentinel"},"deleteOptions":"x"}', expect: badRequest(/cannot unmarshal string into Go struct field Eviction.deleteOptions of type v1.DeleteOptions/) },
    { name: 'a watch path to nothing', method: 'GET', path: '/api/v1/watch', expect: notFound },
    // Read by API Priority and Fairness (a kubelet's node watch is not counted) before the route checks it.
    { name: 'a watch whose node field selector is thousands of spaces', method: 'GET', path: `/api/v1/namespaces/${NAMESPACE}/pods?watch=1&timeoutSeconds=1&fieldSelector=spec.nodeName%3D${'+'.repeat(6000)}x`, expect: ok },
    { name: 'an APF dump with a malformed escape in its query', method: 'GET', path: '/debug/api_priority_and_fairness/dump_requests?includeRequestDetails=%zz', expect: ok },
    { name: 'an APF dump asked for __proto__ details', method: 'GET', path: '/debug/api_priority_and_fairness/dump_queues?__proto__%5Bx%5D=1&includeRequestDetails=__proto__', expect: ok },
  ];
}

/** TokenRequest bodies (serviceaccounts/token), for a service account that does not exist. */
function tokenRequestCases(): Case[] {
  const path = `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/nobody/token`;
  const req = (name: string, spec: unknown, expect: Expect): Case => ({
    name: `token request ${name}`,
    method: 'POST',
    path,
    contentType: 'application/json',
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec }),
    expect,
  });
  const invalidReq: Expect = { code: 422, reason: 'Invalid' };
  return [
    req('for a missing service account', {}, notFound),
    req('with expirationSeconds as a string', { expirationSeconds: '3600' }, badRequest(/cannot unmarshal string .* of type int64/)),
    req('with expirationSeconds 1.5', { expirationSeconds: 1.5 }, badRequest(/cannot unmarshal number 1.5 .* of type int64/)),
    req('with expirationSeconds -1', { expirationSeconds: -1 }, { ...invalidReq, message: /less than 10 minutes/ }),
    req('with expirationSeconds 2^40', { expirationSeconds: 2 ** 40 }, { ...invalidReq, message: /larger than 2\^32 seconds/ }),
    req('with expirationSeconds 2^64', { expirationSeconds: 2 ** 64 }, badRequest(/of type int64/)),
    req('with audiences as a string', { audiences: 'api' }, badRequest(/of type \[\]string/)),
    req('with a bound object of kind __proto__', { boundObjectRef: { kind: '__proto__', name: 'x' } }, { ...invalidReq, message: /Unsupported value: "__proto__"/ }),
    req('with a bound object of kind constructor', { boundObjectRef: { kind: 'constructor', name: 'x' } }, { ...invalidReq, message: /Unsupported value: "constructor"/ }),
    req('with a bound object whose name is a number', { boundObjectRef: { kind: 'Pod', name: 7 } }, badRequest(/BoundObjectReference/)),
    req('with spec as an array', [], badRequest(/TokenRequestSpec/)),
  ];
}

/** CertificateSigningRequests whose request, signer or usages are wrong: 400/422, never stored. */
/** A PEM request around any bytes. */
const pemOf = (der: Buffer) => `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;

/** DER of `levels` nested SEQUENCEs, each with a correct definite length. */
function deepSequence(levels: number): Buffer {
  let der = nullValue();
  for (let i = 0; i < levels; i++) der = sequence(der);
  return der;
}

// A request made by `openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=x`.
const REAL_CSR_DER =
  'MIHHMG4CAQAwDDEKMAgGA1UEAwwBeDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABLNg5Ax7NmiC+cMVPrNtiHPtP6jMb93CB5H027HHWkk0JPt017WFg0Y9lzpMwlBSDlRZ3IewL9VmvPNp07PV3/CgADAKBggqhkjOPQQDAgNJADBGAiEAqCoHwkm6k2re7Yl7Ar3k3nF6g4DyjHi8lvHJwHkYzfECIQDTgITNmCnzA+qlmbLmOIcFzYlwNVzlmnh5qYOo1xy6Fg==';

/** The real request's subject and key, with an extension request holding one alternative name (the signature is never reached). */
function csrWithAltName(name: Buffer): Buffer {
  const real = Buffer.from(REAL_CSR_DER, 'base64');
  const info = children(real, children(real, root(real))[0]!);
  const san = sequence(oid('2.5.29.17'), octetString(sequence(name)));
  const attributes = explicit(0, sequence(oid('1.2.840.113549.1.9.14'), set(sequence(san))));
  const body = sequence(integer(0), whole(real, info[1]!), whole(real, info[2]!), attributes);
  return sequence(body, sequence(oid('1.2.840.10045.4.3.2')), bitString(Buffer.alloc(8)));
}

function csrCases(): Case[] {
  const path = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
  let n = 0;
  const csr = (what: string, spec: unknown, expect: Expect): Case => ({
    name: `CSR ${what}`,
    method: 'POST',
    path,
    contentType: 'application/json',
    body: JSON.stringify({ apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: `corpus-csr-${++n}` }, spec }),
    expect,
  });
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const good = { signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] };
  const invalidReq = (message: RegExp): Expect => ({ code: 422, reason: 'Invalid', message });
  return [
    csr('whose request is not base64', { ...good, request: '%%%not-base64%%%' }, badRequest(/illegal base64|base64/)),
    csr('whose request is not PEM', { ...good, request: b64('garbage') }, invalidReq(/spec.request: Invalid value: "\[\]byte\{\.\.\.\}": PEM block type must be CERTIFICATE REQUEST/)),
    csr('whose PEM is a CERTIFICATE REQUEST of garbage', { ...good, request: b64('-----BEGIN CERTIFICATE REQUEST-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE REQUEST-----\n') }, invalidReq(/spec.request/)),
    csr('whose PEM is 60 KB of open-ended ASN.1 sequences', { ...good, request: b64(`-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from('3080'.repeat(15000), 'hex').toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`) }, invalidReq(/spec.request/)),
    csr('nested 5,000 sequences deep', { ...good, request: b64(pemOf(deepSequence(5000))) }, invalidReq(/spec.request/)),
    csr('whose outer length claims 4 GB', { ...good, request: b64(pemOf(Buffer.from('3084ffffffff3000', 'hex'))) }, invalidReq(/spec.request/)),
    csr('that is a real request cut short', { ...good, request: b64(pemOf(Buffer.from(REAL_CSR_DER, 'base64').subarray(0, 150))) }, invalidReq(/spec.request/)),
    csr('with an IP address name of 5 bytes', { ...good, request: b64(pemOf(csrWithAltName(Buffer.from('870501020304ff', 'hex')))) }, invalidReq(/spec.request/)),
    csr('in 20,000 BEGIN lines and no END', { ...good, request: b64('-----BEGIN CERTIFICATE REQUEST-----\n'.repeat(20_000)) }, invalidReq(/spec.request/)),
    csr('without a signer', { request: b64('x'), usages: ['client auth'] }, invalidReq(/spec.signerName: Required value/)),
    csr('with a signer that is not a domain and path', { ...good, request: b64('x'), signerName: '__proto__' }, invalidReq(/spec.signerName/)),
    csr('with an unknown usage', { ...good, request: b64('x'), usages: ['root of all'] }, invalidReq(/spec.usages\[0\]: Unsupported value/)),
    csr('with usages as a string', { ...good, request: b64('x'), usages: 'client auth' }, badRequest(/\[\]string|usages/)),
    csr('with expirationSeconds 1', { ...good, request: b64('x'), expirationSeconds: 1 }, invalidReq(/spec.expirationSeconds/)),
  ];
}

/** CronJob schedules and time zones that do not parse: 422, never stored. */
function cronJobCases(): Case[] {
  const path = `/apis/batch/v1/namespaces/${NAMESPACE}/cronjobs`;
  let n = 0;
  const cronjob = (what: string, extra: Record<string, unknown>, expect: Expect): Case => ({
    name: `CronJob ${what}`,
    method: 'POST',
    path,
    contentType: 'application/json',
    body: JSON.stringify({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: `corpus-cron-${++n}` },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } }, ...extra },
    }),
    expect,
  });
  const invalid = (message: RegExp): Expect => ({ code: 422, reason: 'Invalid', message });
  return [
    cronjob('with six fields', { schedule: '* * * * * *' }, invalid(/spec.schedule: Invalid value: "\* \* \* \* \* \*": expected exactly 5 fields, found 6/)),
    cronjob('with minute 61', { schedule: '61 * * * *' }, invalid(/spec.schedule/)),
    cronjob('with TZ= in the schedule', { schedule: 'TZ=UTC * * * * *' }, invalid(/cannot use TZ or CRON_TZ in schedule/)),
    cronjob('with an unknown descriptor', { schedule: '@__proto__' }, invalid(/unrecognized descriptor: @__proto__/)),
    cronjob('with @every of nonsense', { schedule: '@every forever' }, invalid(/failed to parse duration/)),
    cronjob('with a 10,000-character schedule', { schedule: '*/1,'.repeat(2500) }, invalid(/spec.schedule/)),
    cronjob('in an unknown time zone', { timeZone: 'Mars/Olympus' }, invalid(/spec.timeZone: Invalid value: "Mars\/Olympus": unknown time zone Mars\/Olympus/)),
    cronjob('in a time zone named constructor', { timeZone: 'constructor' }, invalid(/unknown time zone constructor/)),
  ];
}

/** PodDisruptionBudgets with impossible budgets: 422 with Kubernetes' field paths. */
function budgetCases(): Case[] {
  const path = `/apis/policy/v1/namespaces/${NAMESPACE}/poddisruptionbudgets`;
  let n = 0;
  const pdb = (what: string, spec: Record<string, unknown>, expect: Expect): Case => ({
    name: `PodDisruptionBudget ${what}`,
    method: 'POST',
    path,
    contentType: 'application/json',
    body: JSON.stringify({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: `corpus-pdb-${++n}` }, spec: { selector: { matchLabels: { app: 'x' } }, ...spec } }),
    expect,
  });
  const invalid = (message: RegExp): Expect => ({ code: 422, reason: 'Invalid', message });
  return [
    pdb('with both minAvailable and maxUnavailable', { minAvailable: 1, maxUnavailable: 1 }, invalid(/minAvailable and maxUnavailable cannot be both set/)),
    pdb('with minAvailable -1', { minAvailable: -1 }, invalid(/spec.minAvailable: Invalid value: -1: must be greater than or equal to 0/)),
    pdb('with maxUnavailable 150%', { maxUnavailable: '150%' }, invalid(/spec.maxUnavailable: Invalid value: "150%": must not be greater than 100%/)),
    pdb('with minAvailable "half"', { minAvailable: 'half' }, invalid(/spec.minAvailable: Invalid value: "half": a valid percent string/)),
  ];
}

/** Bindings of the sentinel pod that must be refused before anything is written. */
function bindingCases(): Case[] {
  const pod = kinds.find((k) => k.plural === 'pods')!;
  const binding = (what: string, metadata: Record<string, unknown>, expect: Expect, target: Record<string, unknown> = { kind: 'Node', name: 'corpus-node' }): Case => ({
    name: `pod binding ${what}`,
    method: 'POST',
    path: `${objectPath(pod)}/binding`,
    contentType: 'application/json',
    body: `{"apiVersion":"v1","kind":"Binding","metadata":${JSON.stringify({ name: sentinelName(pod), ...metadata }).replace('"PROTO"', '"__proto__"')},"target":${JSON.stringify(target)}}`,
    expect,
  });
  const bad: Expect = { code: 400, reason: 'BadRequest', message: /metadata.annotations: expected a map of strings/ };
  const invalid = (message: RegExp): Expect => ({ code: 422, reason: 'Invalid', message });
  return [
    binding('with annotations that nest', { annotations: { a: { b: 'c' } } }, bad),
    binding('with annotations that are a list', { annotations: ['a'] }, bad),
    binding('with annotations that are a string', { annotations: 'a=b' }, bad),
    binding('with a number for an annotation', { annotations: { a: 1 } }, bad),
    binding('with a __proto__ annotation', { annotations: { PROTO: 'x' } }, invalid(/metadata.annotations: Invalid value: "__proto__"/)),
    binding('with an annotation key that is not a qualified name', { annotations: { 'bad key!': 'x' } }, invalid(/metadata.annotations: Invalid value: "bad key!"/)),
    binding('with 300 KB of annotations', { annotations: { big: 'x'.repeat(300 * 1024) } }, invalid(/metadata.annotations: Too long: may not be more than 262144 bytes/)),
    binding('with a stale resourceVersion', { resourceVersion: '1' }, { code: 409, reason: 'Conflict' }),
    binding("with another pod's uid", { uid: 'not-the-sentinel' }, { code: 409, reason: 'Conflict' }),
    binding('without a target node', {}, invalid(/target.name: Required value/), { kind: 'Node' }),
  ];
}

/** Workload specs Kubernetes refuses, with its field paths. */
function workloadCases(): Case[] {
  let n = 0;
  const template = (labels: Record<string, string> = { app: 'w' }) => ({ metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } });
  const post = (what: string, path: string, body: Record<string, unknown>, message: RegExp): Case => ({
    name: what,
    method: 'POST',
    path,
    contentType: 'application/json',
    body: JSON.stringify({ ...body, metadata: { name: `corpus-w-${++n}` } }),
    expect: { code: 422, reason: 'Invalid', message },
  });
  const jobs = `/apis/batch/v1/namespaces/${NAMESPACE}/jobs`;
  const job = (spec: Record<string, unknown>) => ({ apiVersion: 'batch/v1', kind: 'Job', spec: { template: template(), ...spec } });
  return [
    post('Job with parallelism -1', jobs, job({ parallelism: -1 }), /spec.parallelism: Invalid value: -1: must be greater than or equal to 0/),
    post('Job with completions -1', jobs, job({ completions: -1 }), /spec.completions: Invalid value: -1: must be greater than or equal to 0/),
    post('Job with backoffLimit -1', jobs, job({ backoffLimit: -1 }), /spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0/),
    post('Job with a manual selector the template does not match', jobs, job({ manualSelector: true, selector: { matchLabels: { app: 'other' } } }), /spec.template.metadata.labels: Invalid value: .*`selector` does not match template `labels`/),
    post('Job with restartPolicy Always', jobs, { apiVersion: 'batch/v1', kind: 'Job', spec: { template: { ...template(), spec: { ...template().spec, restartPolicy: 'Always' } } } }, /spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"/),
    post(
      'DaemonSet whose selector does not match its template',
      `/apis/apps/v1/namespaces/${NAMESPACE}/daemonsets`,
      { apiVersion: 'apps/v1', kind: 'DaemonSet', spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'y' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } },
      /spec.template.metadata.labels: Invalid value: .*`selector` does not match template `labels`/,
    ),
    post(
      'StatefulSet with replicas -1',
      `/apis/apps/v1/namespaces/${NAMESPACE}/statefulsets`,
      { apiVersion: 'apps/v1', kind: 'StatefulSet', spec: { replicas: -1, selector: { matchLabels: { app: 'w' } }, template: { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } },
      /spec.replicas: Invalid value: -1: must be greater than or equal to 0/,
    ),
  ];
}

/** Identity headers on the local port: impersonation is checked and then authorized as the target. */
function identityCases(): Case[] {
  const cm = kinds[0]!;
  const forbidden = (message: string | RegExp): Expect => ({ code: 403, reason: 'Forbidden', message });
  const as = (user: string, extra: Record<string, string> = {}) => ({ 'Impersonate-User': user, ...extra });
  const cannotGet = (user: string) => `configmaps "sentinel" is forbidden: User "${user}" cannot get resource "configmaps" in API group "" in the namespace "${NAMESPACE}"`;
  return [
    { name: 'impersonating a user with no roles', method: 'GET', path: objectPath(cm), headers: as('jane'), expect: forbidden(cannotGet('jane')) },
    { name: 'impersonating a service account', method: 'GET', path: objectPath(cm), headers: as(`system:serviceaccount:${NAMESPACE}:bot`), expect: forbidden(cannotGet(`system:serviceaccount:${NAMESPACE}:bot`)) },
    { name: 'impersonating system:anonymous', method: 'GET', path: objectPath(cm), headers: as('system:anonymous'), expect: forbidden(cannotGet('system:anonymous')) },
    { name: 'impersonating a user to write', method: 'DELETE', path: objectPath(cm), headers: as('jane'), expect: forbidden(/User "jane" cannot delete resource "configmaps"/) },
    { name: 'impersonating a user of 10,000 characters', method: 'GET', path: objectPath(cm), headers: as('u'.repeat(10_000)), expect: forbidden(/cannot get resource "configmaps"/) },
    { name: 'impersonating groups without a user', method: 'GET', path: objectPath(cm), headers: { 'Impersonate-Group': 'system:masters' }, expect: badRequest(/without impersonating a user/) },
    { name: 'impersonating an empty user name', method: 'GET', path: objectPath(cm), headers: { 'Impersonate-User': '', 'Impersonate-Group': 'system:masters' }, expect: badRequest(/without impersonating a user/) },
    { name: 'an extra key with a malformed escape', method: 'GET', path: objectPath(cm), headers: as('jane', { 'Impersonate-Extra-%zz': 'v' }), expect: badRequest(/Impersonate-Extra/) },
    { name: 'an extra key named __proto__', method: 'GET', path: objectPath(cm), headers: as('jane', { 'Impersonate-Extra-__proto__': 'v' }), expect: forbidden(cannotGet('jane')) },
    ...tokenRequestCases(),
    { name: 'a garbage bearer token on the local port (ignored there)', method: 'GET', path: `${objectPath(cm)}/bogus`, headers: { Authorization: 'Bearer garbage' }, expect: notFound },
  ];
}

/** Typed Secrets, claims and ephemeral volume templates: what their checks read (JSON inside base64, quantities, access modes) never gets past them. */
function storageAndSecretCases(): Case[] {
  const invalid = (message: string | RegExp): Expect => ({ code: 422, reason: 'Invalid', message });
  const post = (name: string, plural: string, body: Record<string, unknown>, expect: Expect): Case => ({
    name,
    method: 'POST',
    path: `/api/v1/namespaces/${NAMESPACE}/${plural}`,
    contentType: 'application/json',
    body: JSON.stringify(body),
    expect,
  });
  const secret = (type: string, data: Record<string, string>, annotations?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'typed', ...(annotations ? { annotations } : {}) }, type, data });
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const claim = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'claim' }, spec });
  const pod = (ephemeral: unknown) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'eph' }, spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'v', ephemeral }] } });
  return [
    post('a docker config nested 20,000 deep inside base64', 'secrets', secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('['.repeat(20_000)) }), invalid(/data\[\.dockerconfigjson\].*exceeded max depth/)),
    post('a docker config that is a JSON string, not an object', 'secrets', secret('kubernetes.io/dockercfg', { '.dockercfg': b64('"__proto__"') }), invalid('json: cannot unmarshal string into Go value of type map[string]interface {}')),
    post('a docker config with a bad escape', 'secrets', secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('{"a":"\\x"}') }), invalid(/data\[\.dockerconfigjson\]/)),
    post('a service-account token Secret naming no account', 'secrets', secret('kubernetes.io/service-account-token', {}), invalid('metadata.annotations[kubernetes.io/service-account.name]: Required value')),
    post('a claim with no access modes and no storage', 'persistentvolumeclaims', claim({}), invalid('spec.accessModes: Required value')),
    post('a claim for __proto__ access and negative storage', 'persistentvolumeclaims', claim({ accessModes: ['__proto__'], resources: { requests: { storage: '-1Gi' } } }), invalid(/Unsupported value: "__proto__"/)),
    post('an ephemeral volume without a template', 'pods', pod({}), invalid('spec.volumes[0].ephemeral.volumeClaimTemplate: Required value')),
    post('an ephemeral volume template naming its claim', 'pods', pod({ volumeClaimTemplate: { metadata: { name: 'other-claim', namespace: 'kube-system' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } }), invalid('cannot be set for an ephemeral volume')),
  ];
}

/** events.k8s.io/v1 Events, held to that version's stricter rules than core/v1's. */
function eventCases(): Case[] {
  const invalid = (message: RegExp): Expect => ({ code: 422, reason: 'Invalid', message });
  const post = (what: string, body: Record<string, unknown>, expect: Expect): Case => ({
    name: `events.k8s.io/v1 Event ${what}`,
    method: 'POST',
    path: `/apis/events.k8s.io/v1/namespaces/${NAMESPACE}/events`,
    contentType: 'application/json',
    body: JSON.stringify({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'corpus-event' },
      eventTime: '2026-12-07T10:00:00.000000Z',
      reportingController: 'example.com/corpus',
      reportingInstance: 'corpus-1',
      action: 'Testing',
      reason: 'Tested',
      regarding: { kind: 'Pod', namespace: NAMESPACE, name: 'p' },
      type: 'Normal',
      ...body,
    }),
    expect,
  });
  return [
    post('of type __proto__ with deprecated fields', { type: '__proto__', deprecatedCount: 3, deprecatedSource: { component: 'kubelet' } }, invalid(/type: Invalid value: "": has invalid value: __proto__, count: Invalid value: "": needs to be unset, source: Invalid value: "": needs to be unset/)),
    post('with a series of one', { series: { count: 1 } }, invalid(/series.count: Invalid value: "": should be at least 2, series.lastObservedTime: Required value/)),
    post('named as no DNS subdomain', { metadata: { name: 'Not_A.Subdomain' } }, invalid(/metadata.name: Invalid value: "Not_A.Subdomain"/)),
    post('with a series count of 2^31', { series: { count: 2 ** 31, lastObservedTime: '2026-12-07T10:00:00.000000Z' } }, { code: 400, reason: 'BadRequest', message: /int32/ }),
  ];
}

/** API extension objects Kubernetes refuses: definitions that could not be served, and APIServices without a name of their own. */
function extensionCases(): Case[] {
  const invalid = (message: RegExp): Expect => ({ code: 422, reason: 'Invalid', message });
  const schema = (props: Record<string, unknown>) => ({ openAPIV3Schema: { type: 'object', properties: props } });
  const crd = (what: string, name: string, spec: Record<string, unknown>, expect: Expect): Case => ({
    name: `CustomResourceDefinition ${what}`,
    method: 'POST',
    path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
    contentType: 'application/json',
    body: JSON.stringify({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name },
      spec: { group: 'corpus.example.com', scope: 'Namespaced', names: { plural: 'things', kind: 'Thing' }, versions: [{ name: 'v1', served: true, storage: true, schema: schema({}) }], ...spec },
    }),
    expect,
  });
  const apiservice = (what: string, name: string, spec: Record<string, unknown>, expect: Expect): Case => ({
    name: `APIService ${what}`,
    method: 'POST',
    path: '/apis/apiregistration.k8s.io/v1/apiservices',
    contentType: 'application/json',
    body: JSON.stringify({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name }, spec: { group: 'corpus.example.com', version: 'v1', groupPriorityMinimum: 100, versionPriority: 10, ...spec } }),
    expect,
  });
  return [
    crd('named for another plural', 'others.corpus.example.com', {}, invalid(/metadata.name: Invalid value: "others.corpus.example.com": must be spec.names.plural\+"."\+spec.group/)),
    crd('in a group without a dot', 'things.corpus', { group: 'corpus' }, invalid(/spec.group: Invalid value: "corpus": should be a domain with at least one dot/)),
    crd('with two storage versions', 'things.corpus.example.com', { versions: [{ name: 'v1', served: true, storage: true, schema: schema({}) }, { name: 'v2', served: true, storage: true, schema: schema({}) }] }, invalid(/must have exactly one version marked as storage version/)),
    crd('with a schema node that has no type', 'things.corpus.example.com', { versions: [{ name: 'v1', served: true, storage: true, schema: schema({ a: {} }) }] }, invalid(/properties\[a\].type: Required value/)),
    crd('with a pattern only a backtracking engine could run', 'things.corpus.example.com', { versions: [{ name: 'v1', served: true, storage: true, schema: schema({ a: { type: 'string', pattern: '(a)\\1' } }) }] }, invalid(/must be a valid regular expression/)),
    ...celRuleCases(crd, schema, invalid),
    crd('converted by a webhook it does not name', 'things.corpus.example.com', { conversion: { strategy: 'Webhook' } }, invalid(/spec.conversion.webhook: Required value/)),
    crd('converted by a webhook whose service is null', 'things.corpus.example.com', { conversion: { strategy: 'Webhook', webhook: { clientConfig: { service: null }, conversionReviewVersions: ['v1'] } } }, invalid(/spec.conversion.webhook.clientConfig: Required value: exactly one of url or service is required/)),
    crd('converted by a webhook at a URL with credentials', 'things.corpus.example.com', { conversion: { strategy: 'Webhook', webhook: { clientConfig: { url: 'https://u:p@127.0.0.1:1/c' }, conversionReviewVersions: ['v1'] } } }, invalid(/user information is not permitted in the URL/)),
    crd('converted by a webhook that speaks no review version of ours', 'things.corpus.example.com', { conversion: { strategy: 'Webhook', webhook: { clientConfig: { url: 'https://127.0.0.1:1/c' }, conversionReviewVersions: ['v7', 'v7'] } } }, invalid(/conversionReviewVersions\[1\]: Invalid value: "v7": duplicate version/)),
    crd('with a conversion that is a string', 'things.corpus.example.com', { conversion: 'Webhook' }, badRequest(/cannot unmarshal string into Go struct field CustomResourceDefinitionSpec.spec.conversion of type v1.CustomResourceConversion/)),
    crd('with a printer column of an unknown type', 'things.corpus.example.com', { versions: [{ name: 'v1', served: true, storage: true, schema: schema({}), additionalPrinterColumns: [{ name: 'X', type: 'object', jsonPath: '.spec' }] }] }, invalid(/additionalPrinterColumns\[0\].type: Unsupported value: "object"/)),
    crd('with an unparsable printer column path', 'things.corpus.example.com', { versions: [{ name: 'v1', served: true, storage: true, schema: schema({}), additionalPrinterColumns: [{ name: 'X', type: 'string', jsonPath: '.spec[' }] }] }, invalid(/must be a simple json path/)),
    crd('with nine selectable fields', 'things.corpus.example.com', { versions: [{ name: 'v1', served: true, storage: true, schema: schema({}), selectableFields: Array.from({ length: 9 }, (_, i) => ({ jsonPath: `.spec.f${i}` })) }] }, invalid(/selectableFields: Too many: 9: must have at most 8 items/)),
    apiservice('named for another version', 'v2.corpus.example.com', {}, invalid(/metadata.name: Invalid value: "v2.corpus.example.com": must be v1.corpus.example.com/)),
    apiservice('backed by a Service it cannot verify', 'v1.corpus.example.com', { service: { namespace: 'corpus', name: 's' } }, invalid(/spec.caBundle: Required value/)),
    apiservice('with priority 0', 'v1.corpus.example.com', { groupPriorityMinimum: 0 }, invalid(/spec.groupPriorityMinimum: Invalid value: 0/)),
  ];
}

/**
 * x-kubernetes-validations an attacker might write: expressions that never end (nested loops
 * over unbounded lists), patterns that backtrack, 5,000-deep expressions, Object.prototype's
 * member names as fields, and rules that are not CEL at all. Each is refused when the
 * definition is written, so nothing is left behind.
 */
function celRuleCases(
  crd: (what: string, name: string, spec: Record<string, unknown>, expect: Expect) => Case,
  schema: (props: Record<string, unknown>) => Record<string, unknown>,
  invalid: (message: RegExp) => Expect,
): Case[] {
  const withRule = (rule: unknown, props: Record<string, unknown> = { l: { type: 'array', items: { type: 'string' } }, s: { type: 'string' } }) => ({
    versions: [{ name: 'v1', served: true, storage: true, schema: schema({ spec: { type: 'object', properties: props, 'x-kubernetes-validations': [rule] } }) }],
  });
  const name = 'things.corpus.example.com';
  const forbidden = (message: RegExp): Expect => ({ code: 422, reason: 'Invalid', message });
  return [
    crd('with a rule whose loops never end', name, withRule({ rule: 'self.l.all(a, self.l.all(b, self.l.all(c, a + b + c != "")))' }), forbidden(/estimated rule cost exceeds budget by factor of more than 100x/)),
    crd('with a rule that matches a backreference', name, withRule({ rule: "self.s.matches('(a)\\\\1')" }), invalid(/invalid matches argument: error parsing regexp: invalid escape sequence/)),
    crd('with a rule nested 5,000 deep', name, withRule({ rule: `${'('.repeat(5000)}true${')'.repeat(5000)}` }), invalid(/compilation failed/)),
    crd('with a rule of 100,000 terms', name, withRule({ rule: Array.from({ length: 100_000 }, () => 'true').join(' && ') }), invalid(/compilation failed/)),
    crd('with a rule on a field named __proto__', name, withRule({ rule: 'self.__proto__ == ""' }), invalid(/undefined field '__proto__'/)),
    crd('with a rule on a field named constructor', name, withRule({ rule: 'self.constructor.name == ""' }), invalid(/undefined field 'constructor'/)),
    crd('with a rule that is a number', name, withRule({ rule: 42 }), invalid(/x-kubernetes-validations\[0\]/)),
    crd('with a rule that is not boolean', name, withRule({ rule: 'self.s' }), invalid(/cel expression must evaluate to a bool/)),
    crd('with a rule of bad escapes', name, withRule({ rule: 'self.s == "\\q\\x"' }), invalid(/compilation failed/)),
    crd('with a rule whose fieldPath climbs out', name, withRule({ rule: 'true', fieldPath: '..__proto__' }), invalid(/fieldPath must be a valid path/)),
  ];
}

/**
 * The kinds and input paths added with autoscaling, admission and limits: autoscaling/v1's
 * annotations that carry v2 fields (parsed JSON, typed as a body is), HPA metrics named after
 * Object.prototype's members, webhook configurations, LimitRanges and ResourceQuotas of the
 * wrong shapes. Every case is refused, so nothing is left behind.
 */
function admissionKindCases(): Case[] {
  let n = 0;
  const post = (what: string, path: string, body: string, expect: Expect): Case => ({ name: what, method: 'POST', path, contentType: 'application/json', body, expect });
  const hpaV1 = (what: string, annotation: string, value: string, expect: Expect) =>
    post(
      `autoscaling/v1 HPA with ${what}`,
      `/apis/autoscaling/v1/namespaces/${NAMESPACE}/horizontalpodautoscalers`,
      `{"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"corpus-hpa-${++n}","annotations":{"autoscaling.alpha.kubernetes.io/${annotation}":${JSON.stringify(value)}}},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"x"},"maxReplicas":2}}`,
      expect,
    );
  const cannotHandle = badRequest(/HorizontalPodAutoscaler in version "v1" cannot be handled as a HorizontalPodAutoscaler/);
  const hpaV2 = (what: string, metrics: string, expect: Expect) =>
    post(
      `autoscaling/v2 HPA with ${what}`,
      `/apis/autoscaling/v2/namespaces/${NAMESPACE}/horizontalpodautoscalers`,
      `{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"corpus-hpa-${++n}"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"x"},"maxReplicas":2,"metrics":${metrics}}}`,
      expect,
    );
  const webhooks = (what: string, body: string, expect: Expect) =>
    post(`ValidatingWebhookConfiguration with ${what}`, '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', `{"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingWebhookConfiguration","metadata":{"name":"corpus-webhook-${++n}"},${body}}`, expect);
  const hook = (extra: string) => `"webhooks":[{"name":"a.b.corpus","sideEffects":"None","admissionReviewVersions":["v1"],"clientConfig":{"url":"https://127.0.0.1:1/x"}${extra}}]`;
  const policy = (what: string, spec: string, expect: Expect) =>
    post(`ValidatingAdmissionPolicy with ${what}`, '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies', `{"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingAdmissionPolicy","metadata":{"name":"corpus-policy-${++n}"},"spec":${spec}}`, expect);
  const binding = (what: string, spec: string, expect: Expect) =>
    post(`ValidatingAdmissionPolicyBinding with ${what}`, '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings', `{"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingAdmissionPolicyBinding","metadata":{"name":"corpus-binding-${++n}"},"spec":${spec}}`, expect);
  const limitRange = (what: string, limits: string, expect: Expect) =>
    post(`LimitRange with ${what}`, `/api/v1/namespaces/${NAMESPACE}/limitranges`, `{"apiVersion":"v1","kind":"LimitRange","metadata":{"name":"corpus-limits-${++n}"},"spec":{"limits":${limits}}}`, expect);
  const quota = (what: string, spec: string, expect: Expect) =>
    post(`ResourceQuota with ${what}`, `/api/v1/namespaces/${NAMESPACE}/resourcequotas`, `{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"corpus-quota-${++n}"},"spec":${spec}}`, expect);
  return [
    hpaV1('a behavior annotation of the wrong types', 'behavior', '{"scaleUp":{"stabilizationWindowSeconds":"x","policies":"y"}}', cannotHandle),
    hpaV1('a behavior annotation with __proto__', 'behavior', '{"__proto__":{"polluted":"yes"},"scaleDown":{"policies":"no"}}', cannotHandle),
    hpaV1('a metrics annotation of nulls, strings and a wrongly typed metric', 'metrics', '[1,"x",null,{"type":"Resource","resource":{"name":5,"targetAverageUtilization":"abc"}}]', cannotHandle),
    hpaV1('a conditions annotation of the wrong types', 'conditions', '[{"type":5,"status":{}}]', cannotHandle),
    // Parsed without recursion trouble; its unknown depths would be dropped, its bad type refuses it.
    hpaV1('a behavior annotation nested 5,000 deep', 'behavior', `{"scaleDown":{"policies":"no"},"a":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`, cannotHandle),
    hpaV2('a metric typed "__proto__"', '[{"type":"__proto__"}]', invalid(/spec.metrics\[0\].type: Unsupported value: "__proto__"/)),
    hpaV2('a metric typed "constructor"', '[{"type":"constructor","resource":{"name":"cpu"}}]', invalid(/spec.metrics\[0\].type: Unsupported value: "constructor"/)),
    hpaV2('metrics that are not a list', '{"__proto__":{"polluted":"yes"}}', badRequest(/cannot be handled as a HorizontalPodAutoscaler/)),
    webhooks('webhooks that are not a list', '"webhooks":"x"', badRequest(/cannot be handled as a ValidatingWebhookConfiguration/)),
    webhooks('a webhook named by an object', '"webhooks":[{"name":{"__proto__":{"polluted":"yes"}}}]', badRequest(/cannot be handled as a ValidatingWebhookConfiguration/)),
    webhooks('a URL with a query', hook('').replace('/x"', '/x?q=1"'), invalid(/query parameters are not permitted in the URL/)),
    webhooks('rules of the wrong types', hook(',"rules":[{"operations":"CREATE"}]'), badRequest(/cannot be handled as a ValidatingWebhookConfiguration/)),
    webhooks('a match condition that does not compile', hook(',"matchConditions":[{"name":"a","expression":"object.metadata.name =="}]'), invalid(/matchConditions\[0\].expression: Invalid value: .*compilation failed: ERROR: <input>:1:\d+: Syntax error/)),
    webhooks('a match condition nested 5,000 deep', hook(`,"matchConditions":[{"name":"a","expression":"${'('.repeat(5000)}true${')'.repeat(5000)}"}]`), invalid(/compilation failed/)),
    webhooks('two match conditions named __proto__', hook(',"matchConditions":[{"name":"__proto__","expression":"true"},{"name":"__proto__","expression":"true"}]'), invalid(/matchConditions\[0\].name: Invalid value: "__proto__": must be a qualified name/)),
    policy('no validations', '{"matchConstraints":{"resourceRules":[{"apiGroups":["*"],"apiVersions":["*"],"operations":["*"],"resources":["*"]}]}}', invalid(/spec.validations: Required value: validations or auditAnnotations must contain at least one item/)),
    policy('an expression that does not compile', '{"matchConstraints":{"resourceRules":[{"apiGroups":[""],"apiVersions":["v1"],"operations":["CREATE"],"resources":["pods"]}]},"validations":[{"expression":"object.spec.containers.all(c, "}]}', invalid(/spec.validations\[0\].expression: Invalid value: .*compilation failed/)),
    policy('an expression of 100,000 terms', `{"matchConstraints":{"resourceRules":[{"apiGroups":[""],"apiVersions":["v1"],"operations":["CREATE"],"resources":["pods"]}]},"validations":[{"expression":"${Array.from({ length: 100_000 }, () => 'true').join(' && ')}"}]}`, invalid(/compilation failed/)),
    policy('a variable named __proto__ and a lookahead', '{"matchConstraints":{"resourceRules":[{"apiGroups":[""],"apiVersions":["v1"],"operations":["CREATE"],"resources":["pods"]}]},"variables":[{"name":"__proto__","expression":"1"}],"validations":[{"expression":"object.metadata.name.matches(\'^(?=a)\')"}]}', invalid(/invalid matches argument: error parsing regexp: invalid or unsupported Perl syntax/)),
    binding('both Deny and Warn', '{"policyName":"p","validationActions":["Deny","Warn"]}', invalid(/must not contain both Deny and Warn/)),
    binding('no actions and a paramRef with neither name nor selector', '{"policyName":"p","paramRef":{"parameterNotFoundAction":"Deny"}}', invalid(/one of name or selector must be set/)),
    limitRange('limits of the wrong types', '[{"type":"Container","max":"lots"}]', badRequest(/cannot be handled as a LimitRange/)),
    limitRange('min above max and an unknown type', '[{"type":"Container","min":{"cpu":"2"},"max":{"cpu":"1"}},{"type":"__proto__"}]', invalid(/min value 2 is greater than max value 1/)),
    quota('hard limits of the wrong types', '{"hard":["pods"]}', badRequest(/cannot be handled as a ResourceQuota/)),
    quota('a resource named __proto__ and a negative count', '{"hard":{"__proto__":"1","pods":"-1"}}', invalid(/spec.hard\[__proto__\]: Invalid value: "__proto__": must be a standard resource for quota/)),
    // A selector that cannot compile would make every request the webhook matches fail.
    webhooks('an object selector with an unknown operator', hook(',"objectSelector":{"matchExpressions":[{"key":"a","operator":"__proto__"}]}'), invalid(/objectSelector.matchExpressions\[0\].operator: Invalid value: "__proto__": not a valid selector operator/)),
    binding('a namespace selector with an unknown operator', '{"policyName":"p","validationActions":["Deny"],"matchResources":{"namespaceSelector":{"matchExpressions":[{"key":"a","operator":"Bogus"}]}}}', invalid(/not a valid selector operator/)),
    post('ClusterRole aggregating by an unknown operator', '/apis/rbac.authorization.k8s.io/v1/clusterroles', `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"corpus-role-${++n}"},"aggregationRule":{"clusterRoleSelectors":[{"matchExpressions":[{"key":"a","operator":"constructor"}]}]}}`, invalid(/not a valid selector operator/)),
    post('RoleBinding to a made-up kind for a made-up subject', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NAMESPACE}/rolebindings`, `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"corpus-binding-${++n}"},"roleRef":{"kind":"__proto__","name":"x"},"subjects":[{"kind":"toString","name":"u"}]}`, invalid(/roleRef.kind: Unsupported value: "__proto__"/)),
    post('Endpoints pointing at the link-local metadata address', `/api/v1/namespaces/${NAMESPACE}/endpoints`, `{"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"corpus-ep-${++n}"},"subsets":[{"addresses":[{"ip":"169.254.169.254"}],"ports":[{"port":80}]}]}`, invalid(/may not be in the link-local range/)),
    post('NetworkPolicy with an exception outside its block', `/apis/networking.k8s.io/v1/namespaces/${NAMESPACE}/networkpolicies`, `{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"corpus-np-${++n}"},"spec":{"podSelector":{},"ingress":[{"from":[{"ipBlock":{"cidr":"10.0.0.0/8","except":["0.0.0.0/0"]}}]}]}}`, invalid(/must be a strict subset of `cidr`/)),
    post('Node with a taint of an unknown effect', '/api/v1/nodes', `{"apiVersion":"v1","kind":"Node","metadata":{"name":"corpus-node-${++n}"},"spec":{"taints":[{"key":"k","effect":"__proto__"}]}}`, invalid(/metadata.taints\[0\].effect: Unsupported value: "__proto__"/)),
    post('PersistentVolume with two sources and a traversing path', '/api/v1/persistentvolumes', `{"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"corpus-pv-${++n}"},"spec":{"capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"],"hostPath":{"path":"/../etc"},"local":{"path":"/x"}}}`, invalid(/may not specify more than 1 volume type/)),
    post('Ingress with a traversing path', `/apis/networking.k8s.io/v1/namespaces/${NAMESPACE}/ingresses`, `{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"corpus-ing-${++n}"},"spec":{"rules":[{"http":{"paths":[{"path":"/a/%2f..","pathType":"Prefix","backend":{"service":{"name":"s","port":{"number":80}}}}]}}]}}`, invalid(/must not contain '%2f'/)),
    post('ConfigMap with a finalizer named __proto__', `/api/v1/namespaces/${NAMESPACE}/configmaps`, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"corpus-cm-${++n}","finalizers":["__proto__"]}}`, invalid(/name is neither a standard finalizer name nor is it fully qualified/)),
    // What the kubelet writes on the host and the proxy programs: paths, addresses, ranges.
    post('Pod projecting a Secret key out of its volume', `/api/v1/namespaces/${NAMESPACE}/pods`, `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"corpus-pod-${++n}"},"spec":{"containers":[{"name":"c","image":"i"}],"volumes":[{"name":"v","secret":{"secretName":"s","items":[{"key":"k","path":"../../etc/cron.d/x"}]}}]}}`, invalid(/volumes\[0\].secret.items\[0\].path: Invalid value: "..\/..\/etc\/cron.d\/x": must not contain '..'/)),
    post('Pod with a host path of a made-up type', `/api/v1/namespaces/${NAMESPACE}/pods`, `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"corpus-pod-${++n}"},"spec":{"containers":[{"name":"c","image":"i"}],"volumes":[{"name":"v","hostPath":{"path":"/x","type":"__proto__"}}]}}`, invalid(/hostPath.type: Unsupported value: "__proto__"/)),
    post('Pod with a downward API field the kubelet cannot fill', `/api/v1/namespaces/${NAMESPACE}/pods`, `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"corpus-pod-${++n}"},"spec":{"containers":[{"name":"c","image":"i","env":[{"name":"X","valueFrom":{"fieldRef":{"fieldPath":"constructor.prototype"}}}]}]}}`, invalid(/error converting fieldPath: field label not supported/)),
    post('Pod with a node affinity operator named constructor', `/api/v1/namespaces/${NAMESPACE}/pods`, `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"corpus-pod-${++n}"},"spec":{"containers":[{"name":"c","image":"i"}],"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"k","operator":"constructor"}]}]}}}}}`, invalid(/not a valid selector operator/)),
    post('Pod resolving names through a nameserver that is no address', `/api/v1/namespaces/${NAMESPACE}/pods`, `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"corpus-pod-${++n}"},"spec":{"containers":[{"name":"c","image":"i"}],"dnsPolicy":"None","dnsConfig":{"nameservers":["evil.example.com\\nnameserver 10.0.0.1"]}}}`, invalid(/must be a valid IP address/)),
    post('Service with the cloud metadata address as an external IP', `/api/v1/namespaces/${NAMESPACE}/services`, `{"apiVersion":"v1","kind":"Service","metadata":{"name":"corpus-svc-${++n}"},"spec":{"ports":[{"port":80}],"externalIPs":["169.254.169.254"]}}`, invalid(/externalIPs\[0\]: Invalid value: "169.254.169.254": may not be in the link-local range/)),
    post('Service with a client affinity of a billion seconds', `/api/v1/namespaces/${NAMESPACE}/services`, `{"apiVersion":"v1","kind":"Service","metadata":{"name":"corpus-svc-${++n}"},"spec":{"ports":[{"port":80}],"sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":1000000000}}}}`, invalid(/must be greater than 0 and less than 86400/)),
    post('FlowSchema naming a namespace __proto__', '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas', `{"apiVersion":"flowcontrol.apiserver.k8s.io/v1","kind":"FlowSchema","metadata":{"name":"corpus-fs-${++n}"},"spec":{"priorityLevelConfiguration":{"name":"global-default"},"rules":[{"subjects":[{"kind":"Group","group":{"name":"g"}}],"resourceRules":[{"verbs":["get"],"apiGroups":[""],"resources":["pods"],"namespaces":["__proto__"]}]}]}}`, invalid(/each member of this list must be '\*' or a DNS-1123 label/)),
  ];
}

export function buildCorpus(): Case[] {
  return [...kinds.flatMap(patchCases), ...kinds.flatMap(writeCases), ...valueCases(), ...parameterCases(), ...pathCases(), ...identityCases(), ...csrCases(), ...cronJobCases(), ...budgetCases(), ...bindingCases(), ...workloadCases(), ...extensionCases(), ...admissionKindCases(), ...storageAndSecretCases(), ...eventCases()];
}

#!/usr/bin/env node
// Writes api/protobuf/schema.generated.ts: the wire shape of every message the served kinds
// reach (field numbers and protobuf types from the upstream generated.proto files; JSON names,
// pointers, omitempty and inline embeddings from the Go struct tags beside them; the names of
// named Go types, for the decoder's error messages; enums' values, for OpenAPI). Field numbers
// are the wire format's facts, so they are read, not retyped.
//
//   node scripts/generate-protobuf-schema.mjs <kubernetes/api> <kubernetes/apimachinery> \
//     <kubernetes/apiextensions-apiserver> <kubernetes/kube-aggregator>
//
// Each argument is a git directory (a bare mirror works); the tag of the Kubernetes release this
// server reports (REF, v0.32.9 unless set) is read.
import { execFileSync } from 'node:child_process';
import console from 'node:console';
import process from 'node:process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [apiRepo, machineryRepo, extensionsRepo, aggregatorRepo] = process.argv.slice(2);
if (!aggregatorRepo) {
  console.error('usage: generate-protobuf-schema.mjs <api> <apimachinery> <apiextensions-apiserver> <kube-aggregator>');
  process.exit(2);
}

const REF = process.env.REF ?? 'v0.32.9';
const git = (repo, ...args) => execFileSync('git', ['--git-dir', repo.endsWith('.git') || repo.endsWith('/repo') ? repo : join(repo, '.git'), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
const files = (repo, dir) => git(repo, 'ls-tree', '--name-only', REF, `${dir}/`).split('\n').filter(Boolean);
const show = (repo, path) => git(repo, 'show', `${REF}:${path}`);

/** The API packages read, with the kinds they serve (`<apiVersion>/<Kind>` → message). */
const PACKAGES = [
  [apiRepo, 'core/v1', 'v1'],
  [apiRepo, 'admissionregistration/v1', 'admissionregistration.k8s.io/v1'],
  [apiRepo, 'apps/v1', 'apps/v1'],
  [apiRepo, 'authentication/v1', 'authentication.k8s.io/v1'],
  [apiRepo, 'authorization/v1', 'authorization.k8s.io/v1'],
  [apiRepo, 'autoscaling/v1', 'autoscaling/v1'],
  [apiRepo, 'autoscaling/v2', 'autoscaling/v2'],
  [apiRepo, 'batch/v1', 'batch/v1'],
  [apiRepo, 'certificates/v1', 'certificates.k8s.io/v1'],
  [apiRepo, 'coordination/v1', 'coordination.k8s.io/v1'],
  [apiRepo, 'discovery/v1', 'discovery.k8s.io/v1'],
  [apiRepo, 'events/v1', 'events.k8s.io/v1'],
  [apiRepo, 'flowcontrol/v1', 'flowcontrol.apiserver.k8s.io/v1'],
  [apiRepo, 'networking/v1', 'networking.k8s.io/v1'],
  [apiRepo, 'node/v1', 'node.k8s.io/v1'],
  [apiRepo, 'policy/v1', 'policy/v1'],
  [apiRepo, 'rbac/v1', 'rbac.authorization.k8s.io/v1'],
  [apiRepo, 'scheduling/v1', 'scheduling.k8s.io/v1'],
  [apiRepo, 'storage/v1', 'storage.k8s.io/v1'],
  [extensionsRepo, 'pkg/apis/apiextensions/v1', 'apiextensions.k8s.io/v1'],
  [aggregatorRepo, 'pkg/apis/apiregistration/v1', 'apiregistration.k8s.io/v1'],
  [machineryRepo, 'pkg/apis/meta/v1', undefined],
  [machineryRepo, 'pkg/runtime', undefined],
  [machineryRepo, 'pkg/api/resource', undefined],
  [machineryRepo, 'pkg/util/intstr', undefined],
];

/** The top-level kinds served (and their lists); everything they reach is written. */
const SERVED = {
  v1: ['Binding', 'ComponentStatus', 'ConfigMap', 'Endpoints', 'Event', 'LimitRange', 'Namespace', 'Node', 'PersistentVolumeClaim', 'PersistentVolume', 'Pod', 'PodTemplate', 'ReplicationController', 'ResourceQuota', 'Secret', 'ServiceAccount', 'Service'],
  'apps/v1': ['ControllerRevision', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'],
  'authentication.k8s.io/v1': ['SelfSubjectReview', 'TokenReview', 'TokenRequest'],
  'authorization.k8s.io/v1': ['LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview'],
  'autoscaling/v1': ['HorizontalPodAutoscaler', 'Scale'],
  'autoscaling/v2': ['HorizontalPodAutoscaler'],
  'batch/v1': ['CronJob', 'Job'],
  'certificates.k8s.io/v1': ['CertificateSigningRequest'],
  'coordination.k8s.io/v1': ['Lease'],
  'discovery.k8s.io/v1': ['EndpointSlice'],
  'events.k8s.io/v1': ['Event'],
  'flowcontrol.apiserver.k8s.io/v1': ['FlowSchema', 'PriorityLevelConfiguration'],
  'networking.k8s.io/v1': ['IngressClass', 'Ingress', 'NetworkPolicy'],
  'node.k8s.io/v1': ['RuntimeClass'],
  'policy/v1': ['PodDisruptionBudget', 'Eviction'],
  'rbac.authorization.k8s.io/v1': ['ClusterRoleBinding', 'ClusterRole', 'RoleBinding', 'Role'],
  'scheduling.k8s.io/v1': ['PriorityClass'],
  'storage.k8s.io/v1': ['CSIDriver', 'CSINode', 'CSIStorageCapacity', 'StorageClass', 'VolumeAttachment'],
  'apiextensions.k8s.io/v1': ['CustomResourceDefinition'],
  'apiregistration.k8s.io/v1': ['APIService'],
  'admissionregistration.k8s.io/v1': ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'],
};
/** meta/v1 kinds any group version carries. */
const META_KINDS = ['Status', 'DeleteOptions', 'WatchEvent', 'APIResourceList', 'APIGroupList', 'APIGroup', 'APIVersions', 'PartialObjectMetadata', 'PartialObjectMetadataList'];
/** Messages written as JSON values of their own (see schema.ts), not as objects of fields. */
const SPECIAL = new Set([
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time',
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Duration',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'k8s.io.apimachinery.pkg.api.resource.Quantity',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString',
  'k8s.io.apimachinery.pkg.runtime.RawExtension',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSON',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray',
]);
const SCALARS = new Set(['string', 'bytes', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'double', 'float']);

/** proto messages: FQN → { fields: [{ no, protoName, type, repeated, map }] } */
const messages = new Map();
/** Go structs: `<package FQN>.<Name>` → Map(field number → { json, omitempty, pointer }); `slices` names Go slice types. */
const goFields = new Map();
const goSlices = new Set();
/** Go import path → module root of each repository read. */
const MODULES = new Map([[apiRepo, 'k8s.io/api'], [machineryRepo, 'k8s.io/apimachinery'], [extensionsRepo, 'k8s.io/apiextensions-apiserver'], [aggregatorRepo, 'k8s.io/kube-aggregator']]);
/** `<Go import path>.<Name>` of every struct type, and of every other named type, declared in the packages read. */
const goStructs = new Set();
const goNamed = new Set();
/** Per proto message: Go field (JSON name) → its Go type text and the file's imports, rendered once all types are known. */
const goFieldTypes = new Map();
/** `<Go import path>.<Name>` of each string type marked `+enum` → the values of its constants. */
const goEnumTypes = new Set();
const goConstants = new Map();
const GO_BUILTINS = new Set(['string', 'bool', 'byte', 'int', 'int8', 'int16', 'int32', 'int64', 'uint', 'uint8', 'uint16', 'uint32', 'uint64', 'float32', 'float64']);

for (const [repo, dir] of PACKAGES) {
  const names = files(repo, dir);
  const protoPath = names.find((n) => n.endsWith('/generated.proto'));
  if (!protoPath) throw new Error(`no generated.proto in ${dir}`);
  const proto = show(repo, protoPath).replace(/\/\/.*$/gm, '');
  const pkg = /^package\s+([\w.]+);/m.exec(proto)[1];
  for (const m of proto.matchAll(/^message\s+(\w+)\s*\{([^}]*)\}/gm)) {
    const fields = [];
    for (const f of m[2].matchAll(/^\s*(optional|repeated)?\s*(map<\s*([\w.]+)\s*,\s*([\w.]+)\s*>|[\w.]+)\s+(\w+)\s*=\s*(\d+)/gm)) {
      const resolve = (t) => (SCALARS.has(t) ? t : t.includes('.') ? t.replace(/^\./, '') : `${pkg}.${t}`);
      fields.push(
        f[3]
          ? { no: Number(f[6]), protoName: f[5], map: [resolve(f[3]), resolve(f[4])] }
          : { no: Number(f[6]), protoName: f[5], type: resolve(f[2]), repeated: f[1] === 'repeated' },
      );
    }
    messages.set(`${pkg}.${m[1]}`, { fields });
  }
  const goPath = `${MODULES.get(repo)}/${dir}`;
  for (const goFile of names.filter((n) => /\.go$/.test(n) && !/_test\.go$|zz_generated|generated\.pb\.go/.test(n))) {
    const src = show(repo, goFile);
    for (const s of src.matchAll(/^type\s+(\w+)\s+\[\]/gm)) goSlices.add(`${pkg}.${s[1]}`);
    for (const s of src.matchAll(/^type\s+(\w+)\s+(struct\b)?/gm)) (s[2] ? goStructs : goNamed).add(`${goPath}.${s[1]}`);
    // Enums, as Kubernetes' OpenAPI publishes them: a string type whose comment says +enum, and its constants.
    for (const e of src.matchAll(/((?:^\/\/.*\n)+)^type\s+(\w+)\s+string\b/gm)) if (/^\/\/\s*\+enum\s*$/m.test(e[1])) goEnumTypes.add(`${goPath}.${e[2]}`);
    for (const c of src.matchAll(/^\s*\w+\s+(\w+)\s*=\s*"([^"]*)"/gm)) {
      const key = `${goPath}.${c[1]}`;
      if (!goConstants.has(key)) goConstants.set(key, new Set());
      goConstants.get(key).add(c[2]);
    }
    // The file's imports: alias (or the path's last element) → import path.
    const imports = new Map();
    for (const block of src.matchAll(/^import\s*(?:\(([\s\S]*?)^\)|(.*)$)/gm)) {
      for (const i of (block[1] ?? block[2]).matchAll(/^\s*(\w+\s+)?"([^"]+)"/gm)) imports.set(i[1]?.trim() ?? i[2].split('/').pop(), i[2]);
    }
    // A struct's body runs from its line to the next `}` line; `struct{}` on one line has none
    // (matching it as a body swallowed the structs after it: meta/v1's Patch took LabelSelector).
    for (const s of src.matchAll(/^type\s+(\w+)\s+struct\s*\{[ \t]*\n([\s\S]*?)^\}/gm)) {
      const byNumber = new Map();
      // The comment above a field says +optional where its tag has no omitempty (OpenAPI's `required`).
      let comment = '';
      for (const line of s[2].split('\n')) {
        if (/^\s*\/\//.test(line)) {
          comment += `${line}\n`;
          continue;
        }
        const optional = /^\s*\/\/\s*\+optional\b/m.test(comment);
        comment = '';
        const field = /^\s*(?:(\w+)\s+)?([*[\]\w.]+)\s+`([^`]*)`/.exec(line);
        if (!field) continue;
        const tags = field[3];
        const pb = /protobuf:"(\w+),(\d+),/.exec(tags);
        if (!pb) continue;
        const json = /json:"([^"]*)"/.exec(tags)?.[1] ?? field[1] ?? '';
        const [jsonName, ...opts] = json.split(',');
        const strategy = /patchStrategy:"([^"]*)"/.exec(tags)?.[1] ?? '';
        const mergeKey = /patchMergeKey:"([^"]*)"/.exec(tags)?.[1] ?? '';
        if (field[1] && jsonName) {
          if (!goFieldTypes.has(`${pkg}.${s[1]}`)) goFieldTypes.set(`${pkg}.${s[1]}`, new Map());
          goFieldTypes.get(`${pkg}.${s[1]}`).set(jsonName, { type: field[2], goPath, imports });
        }
        byNumber.set(Number(pb[2]), {
          json: jsonName,
          omitempty: opts.includes('omitempty'),
          pointer: field[2].startsWith('*'),
          inline: opts.includes('inline') || (jsonName === '' && !field[1]),
          optional,
          merge: strategy.split(',').includes('merge'),
          mergeKey,
        });
      }
      goFields.set(`${pkg}.${s[1]}`, byNumber);
    }
  }
}

const kindMessage = {};
const apiPackage = (apiVersion) => {
  const [repo, dir] = PACKAGES.find((p) => p[2] === apiVersion);
  const proto = show(repo, files(repo, dir).find((n) => n.endsWith('/generated.proto')));
  return /^package\s+([\w.]+);/m.exec(proto)[1];
};
for (const [apiVersion, kinds] of Object.entries(SERVED)) {
  const pkg = apiPackage(apiVersion);
  for (const kind of kinds) {
    for (const k of [kind, `${kind}List`]) if (messages.has(`${pkg}.${k}`)) kindMessage[`${apiVersion}/${k}`] = `${pkg}.${k}`;
  }
}
for (const k of META_KINDS) kindMessage[`meta/${k}`] = `k8s.io.apimachinery.pkg.apis.meta.v1.${k}`;

// Everything reachable from the kinds (special messages included, by name only).
const reached = new Set();
const visit = (name) => {
  if (reached.has(name) || SCALARS.has(name)) return;
  const m = messages.get(name);
  if (!m) throw new Error(`message ${name} is not defined in the packages read`);
  reached.add(name);
  if (SPECIAL.has(name)) return;
  for (const f of m.fields) for (const t of f.map ?? [f.type]) visit(t);
};
for (const name of Object.values(kindMessage)) visit(name);

/**
 * One field: [number, JSON name, type, flags, merge key?]; flags: r repeated, p pointer,
 * o omitempty, q optional by its comment only (+optional without omitempty), i inline, m map
 * (type is [key, value]), s strategic merge (by the merge key when one is given).
 */
const out = {};
for (const name of [...reached].sort()) {
  const { fields } = messages.get(name);
  const go = goFields.get(name);
  if (SPECIAL.has(name)) continue;
  if (!go && goSlices.has(name)) {
    // A named Go slice (authentication's ExtraValue): the message wraps it as `items`; JSON is the array.
    out[name] = { array: fields.find((f) => f.protoName === 'items').type };
    continue;
  }
  out[name] = fields.map((f) => {
    const tag = go?.get(f.no);
    let flags = '';
    if (f.repeated) flags += 'r';
    if (f.map) flags += 'm';
    if (tag?.pointer) flags += 'p';
    if (tag?.omitempty) flags += 'o';
    if (tag?.optional && !tag.omitempty) flags += 'q';
    if (tag?.inline) flags += 'i';
    if (tag?.merge) flags += 's';
    const field = [f.no, tag?.json || f.protoName, f.map ?? f.type, flags];
    return tag?.mergeKey ? [...field, tag.mergeKey] : field;
  });
}

/**
 * A Go type as reflect writes it in the decoder's errors (package name, not path: v1.RestartPolicy),
 * and whether it names a type that is neither built in nor a struct (a named string, map or slice).
 */
function renderGoType(t, goPath, imports) {
  if (t.startsWith('*')) return renderGoType(t.slice(1), goPath, imports);
  if (t === '[]byte') return { text: '[]uint8', named: false };
  if (t.startsWith('[]')) {
    const item = renderGoType(t.slice(2), goPath, imports);
    return { text: `[]${item.text}`, named: item.named };
  }
  const map = /^map\[([^\]]+)\](.+)$/.exec(t);
  if (map) {
    const [k, v] = [renderGoType(map[1], goPath, imports), renderGoType(map[2], goPath, imports)];
    return { text: `map[${k.text}]${v.text}`, named: k.named || v.named };
  }
  if (GO_BUILTINS.has(t)) return { text: t, named: false };
  const [alias, name] = t.includes('.') ? t.split('.') : [undefined, t];
  const path = alias ? imports.get(alias) ?? alias : goPath;
  return { text: `${path.split('/').pop()}.${name}`, named: !goStructs.has(`${path}.${name}`) };
}

/** The enum type a field holds (itself or as a list's items), as `<Go import path>.<Name>`. */
function enumOf(t, goPath, imports) {
  const base = t.replace(/^(\*|\[\])+/, '');
  const [alias, name] = base.includes('.') ? base.split('.') : [undefined, base];
  const key = `${alias ? imports.get(alias) ?? alias : goPath}.${name}`;
  return goEnumTypes.has(key) && goConstants.has(key) ? [...goConstants.get(key)].sort() : undefined;
}

/** Fields whose Go type is named but not a struct: message → JSON name → the type as reflect writes it. */
const goTypeNames = {};
/** Fields of an enum type (or lists of one): message → JSON name → its values, for OpenAPI. */
const enums = {};
for (const name of Object.keys(out)) {
  for (const [json, f] of goFieldTypes.get(name) ?? []) {
    const r = renderGoType(f.type, f.goPath, f.imports);
    if (r.named) (goTypeNames[name] ??= {})[json] = r.text;
    const values = enumOf(f.type, f.goPath, f.imports);
    if (values) (enums[name] ??= {})[json] = values;
  }
}

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, '..', 'api', 'protobuf', 'schema.generated.ts');
const lines = [
  '// Generated by scripts/generate-protobuf-schema.mjs from the upstream generated.proto files and',
  `// Go sources (field numbers, protobuf types, JSON names, named Go types, enums) of Kubernetes ${REF}. Do not edit; regenerate.`,
  "import type { GeneratedSchema } from './schema.js';",
  '',
  'export const generated: GeneratedSchema = {',
  `  kinds: ${JSON.stringify(kindMessage)},`,
  '  messages: {',
  ...Object.entries(out).map(([name, fields]) => `    ${JSON.stringify(name)}: ${JSON.stringify(fields)},`),
  '  },',
  '  goTypeNames: {',
  ...Object.entries(goTypeNames).map(([name, fields]) => `    ${JSON.stringify(name)}: ${JSON.stringify(fields)},`),
  '  },',
  '  enums: {',
  ...Object.entries(enums).map(([name, fields]) => `    ${JSON.stringify(name)}: ${JSON.stringify(fields)},`),
  '  },',
  '};',
  '',
];
writeFileSync(target, lines.join('\n'));
console.log(`${Object.keys(out).length} messages, ${Object.keys(kindMessage).length} kinds → ${target}`);

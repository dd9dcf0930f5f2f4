// Unmodified kubectl (1.32, and 1.27 / 1.33 installed beside it) against the apiserver: the
// whole acceptance list runs with each version, each against its own apiserver.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { KUBECTL_VERSIONS, kubectlFor } from '../harness/kubectl.js';


const deployment = (replicas: number, image = 'busybox:1.36') => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
        ports: [{containerPort: 80}]
        env: [{name: MODE, value: test}]
`;

describe.each(['1.32', '1.27', '1.33'])('kubectl %s', (version) => {
  let api: ApiServerHandle;
  beforeAll(async () => {
    api = await startApiServer({ etcd: inject('etcdEndpoint') });
  });
  afterAll(async () => {
    await api?.stop();
  });
  const kubectl = () => kubectlFor(api.url, KUBECTL_VERSIONS[version]);

  it('lists API resources from discovery', async () => {
    const out = await kubectl().ok(['api-resources']);
    expect(out).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(out).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    expect(out).toMatch(/^horizontalpodautoscalers\s+hpa\s+autoscaling\/v2\s+true\s+HorizontalPodAutoscaler$/m);
    expect(out).not.toContain("couldn't get resource list");
  });

  it('explains built-in kinds down to nested fields, with their types', async () => {
    const k = kubectl();
    const top = await k.ok(['explain', 'deployment']);
    expect(top).toMatch(/DESCRIPTION:\s+Declarative updates of a set of identical pods/);
    // Fields of Go struct types are named schemas, as Kubernetes publishes them: kubectl prints the type.
    expect(top).toMatch(/spec\s+<DeploymentSpec>\n\s+The desired state of the object/);
    const containers = await k.ok(['explain', 'deployment.spec.template.spec.containers']);
    expect(containers).toMatch(/KIND:\s+Deployment/);
    expect(containers).toMatch(/FIELD: containers <\[\]Container>/);
    expect(containers).toMatch(/image\s+<string>/);
    expect(containers).toMatch(/ports\s+<\[\]ContainerPort>/);
    // Fields Go requires (no omitempty, no +optional) are marked, as kubectl prints them.
    expect(containers).toMatch(/name\s+<string> -required-/);
    expect(containers).not.toMatch(/image\s+<string> -required-/);
    expect(await k.ok(['explain', 'deployment.spec'])).toMatch(/selector\s+<LabelSelector> -required-/);
    expect(await k.ok(['explain', 'pod.metadata.ownerReferences'])).toMatch(/FIELD: ownerReferences <\[\]OwnerReference>/);
    expect(await k.ok(['explain', 'pod.spec.terminationGracePeriodSeconds'])).toMatch(/FIELD: terminationGracePeriodSeconds <integer>/);
    // Named primitive types (IntOrString, Quantity) print as their primitive, as kubectl's v3 explain does.
    expect(await k.ok(['explain', 'service.spec.ports.targetPort'])).toMatch(/FIELD: targetPort <string>/);
    expect(await k.ok(['explain', 'pod.spec.containers.resources.limits'])).toMatch(/FIELD: limits <map\[string\]string>/);
    // Enums, with the values Kubernetes' Go types give them: on fields, in templates, on a list's
    // items (kubectl 1.27 prints no enums; its schema has them all the same).
    const v3 = (await (await fetch(`${api.url}/openapi/v3/api/v1`)).json()) as { components: { schemas: Record<string, any> } };
    const core = v3.components.schemas;
    expect(core['io.k8s.api.core.v1.Pod'].properties.spec.allOf).toEqual([{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }]);
    expect(core['io.k8s.api.core.v1.PodSpec'].properties.restartPolicy).toEqual({ type: 'string', enum: ['Always', 'Never', 'OnFailure'], description: expect.stringContaining('OnFailure') });
    expect(core['io.k8s.api.core.v1.PersistentVolumeClaimSpec'].properties.accessModes.items).toEqual({ type: 'string', enum: ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'] });
    if (version !== '1.27') {
      expect(await k.ok(['explain', 'pod.spec.restartPolicy'])).toMatch(/FIELD: restartPolicy <string>\nENUM:\n\s+Always\n\s+Never\n\s+OnFailure\n/);
      expect(await k.ok(['explain', 'deployment.spec.strategy.type'])).toMatch(/ENUM:\n\s+Recreate\n\s+RollingUpdate\n/);
      expect(await k.ok(['explain', 'deployment.spec.template.spec.containers.imagePullPolicy'])).toMatch(/ENUM:\n\s+Always\n\s+IfNotPresent\n\s+Never\n/);
      expect(await k.ok(['explain', 'service.spec.type'])).toMatch(/ENUM:\n\s+ClusterIP\n\s+ExternalName\n\s+LoadBalancer\n\s+NodePort\n/);
    }
    expect(await k.ok(['explain', 'pod.spec.containers.image'])).not.toContain('ENUM');
    // Descriptions reach the less common fields too; an ephemeral container's fields read as a container's.
    expect(await k.ok(['explain', 'pod.spec.topologySpreadConstraints.maxSkew'])).toMatch(/DESCRIPTION:\n\s+How unevenly matching pods may be spread/);
    const containerImage = (await k.ok(['explain', 'pod.spec.containers.image'])).split('DESCRIPTION:')[1]!;
    expect(containerImage.trim()).not.toBe('');
    expect((await k.ok(['explain', 'pod.spec.ephemeralContainers.image'])).split('DESCRIPTION:')[1]).toBe(containerImage);
    expect(await k.ok(['explain', 'pod.spec.ephemeralContainers.ports'])).toMatch(/Not allowed for ephemeral containers/);
    expect(await k.ok(['explain', 'pod.spec.ephemeralContainers'])).toMatch(/targetContainerName\s+<string>\n\s+A container of the pod/);
    // What the fields mean (our words), on plain and on typed fields, as kubectl explain prints them.
    expect(await k.ok(['explain', 'deployment.spec.replicas'])).toMatch(/DESCRIPTION:\n\s+How many pods are wanted/);
    expect(await k.ok(['explain', 'pod.spec'])).toMatch(/tolerations\s+<\[\]Toleration>\n\s+The node taints this pod tolerates\./);
    expect(await k.ok(['explain', 'service.metadata.resourceVersion'])).toMatch(/optimistic\s+concurrency/);
    expect(await k.ok(['explain', 'cronjob.spec.schedule'])).toMatch(/cron\s+syntax/);
  });

  it('serves OpenAPI v2 as JSON with every kind, and as the protobuf kubectl reads (explain --output=plaintext-openapiv2)', async () => {
    const json = await fetch(`${api.url}/openapi/v2`, { headers: { Accept: 'application/json' } });
    const doc = (await json.json()) as { swagger: string; definitions: Record<string, any> };
    expect(doc.swagger).toBe('2.0');
    expect(doc.definitions['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    expect(JSON.stringify(doc)).not.toContain('#/components/');
    const proto = await fetch(`${api.url}/openapi/v2`, { headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    expect(proto.headers.get('content-type')).toBe('application/octet-stream');
    // kubectl parses that document into its models: nested objects, arrays, maps, references.
    const k = kubectl();
    const v2 = (path: string) => k.ok(['explain', path, '--output=plaintext-openapiv2']);
    expect(await v2('deployment.spec.replicas')).toMatch(/FIELD:\s+replicas <integer>/);
    const ports = await v2('pods.spec.containers.ports');
    expect(ports).toMatch(/RESOURCE: ports <\[\]Object>/);
    expect(ports).toMatch(/containerPort\s+<integer>/);
    expect(await v2('pods.spec.nodeSelector')).toMatch(/nodeSelector <map\[string\]string>/);
    expect(await v2('pods.metadata.creationTimestamp')).toMatch(/creationTimestamp <string>/);
  });

  it('lists every operation in OpenAPI v2 and v3, as Kubernetes names them, with parameters, bodies and answers', async () => {
    const v2 = (await (await fetch(`${api.url}/openapi/v2`)).json()) as { paths: Record<string, any>; definitions: Record<string, unknown> };
    const list = v2.paths['/api/v1/namespaces/{namespace}/pods']!.get;
    expect(list.operationId).toBe('listCoreV1NamespacedPod');
    expect(list['x-kubernetes-action']).toBe('list');
    expect(list.tags).toEqual(['core_v1']);
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['labelSelector', 'fieldSelector', 'limit', 'continue', 'watch', 'resourceVersion']));
    expect(list.parameters.every((p: { description?: string }) => !!p.description)).toBe(true);
    expect(list.responses['200'].schema).toEqual({ $ref: '#/definitions/io.k8s.api.core.v1.PodList' });
    expect(v2.paths['/api/v1/pods']!.get.operationId).toBe('listCoreV1PodForAllNamespaces');
    const scale = v2.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']!.patch;
    expect(scale.operationId).toBe('patchAppsV1NamespacedDeploymentScale');
    expect(scale['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    expect(scale.consumes).toContain('application/strategic-merge-patch+json');
    expect(v2.paths['/apis/rbac.authorization.k8s.io/v1/clusterroles']!.delete.operationId).toBe('deleteRbacAuthorizationV1CollectionClusterRole');
    expect(v2.paths['/api/v1/namespaces/{namespace}/pods/{name}']!.delete.responses['200'].schema).toEqual({ $ref: '#/definitions/io.k8s.api.core.v1.Pod' });
    expect(v2.paths['/api/v1/namespaces/{namespace}/configmaps/{name}']!.delete.responses['200'].schema).toEqual({ $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Status' });
    expect(v2.paths['/api/v1/nodes/{name}/proxy/{path}']!.get.operationId).toBe('connectCoreV1GetNodeProxyWithPath');
    // Every reference resolves.
    const refs = [...JSON.stringify(v2).matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.filter((r) => !(r in v2.definitions))).toEqual([]);
    const v3 = (await (await fetch(`${api.url}/openapi/v3/apis/apps/v1`)).json()) as { paths: Record<string, any>; components: { schemas: Record<string, any> } };
    const patch = v3.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']!.patch;
    expect(Object.keys(patch.requestBody.content).sort()).toEqual(['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);
    expect(patch.parameters.map((p: { name: string }) => p.name)).toEqual(['dryRun', 'fieldManager', 'fieldValidation', 'force']);
    // Go's patch strategies, which kubectl computes its patches from.
    expect(v3.components.schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties.strategy['x-kubernetes-patch-strategy']).toBe('retainKeys');
  });

  it('applies a change of Deployment strategy, clearing what the old one defaulted (retainKeys), as kubectl does on Kubernetes', async () => {
    const k = kubectl();
    const strategy = (spec: unknown) => JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'retain' }, spec: { selector: { matchLabels: { app: 'retain' } }, ...(spec ? { strategy: spec } : {}), template: { metadata: { labels: { app: 'retain' } }, spec: { volumes: [{ name: 'v', emptyDir: {} }], containers: [{ name: 'c', image: 'busybox:1.36', volumeMounts: [{ name: 'v', mountPath: '/v' }] }] } } } });
    await k.ok(['apply', '-f', '-'], strategy(undefined));
    expect(await k.ok(['get', 'deploy', 'retain', '-o', 'jsonpath={.spec.strategy.rollingUpdate.maxSurge}'])).toBe('25%');
    const recreate = JSON.parse(strategy({ type: 'Recreate' }));
    recreate.spec.template.spec.volumes = [{ name: 'v', hostPath: { path: '/tmp/retain' } }];
    expect(await k.ok(['apply', '-f', '-'], JSON.stringify(recreate))).toBe('deployment.apps/retain configured\n');
    expect(await k.ok(['get', 'deploy', 'retain', '-o', 'jsonpath={.spec.strategy} {.spec.template.spec.volumes[0]}'])).toBe('{"type":"Recreate"} {"hostPath":{"path":"/tmp/retain","type":""},"name":"v"}');
    await k.ok(['delete', 'deploy', 'retain']);
  });

  it('applies with default validation: created, unchanged, configured', async () => {
    const k = kubectl();
    expect(await k.ok(['apply', '-f', '-'], deployment(2))).toBe('deployment.apps/web created\n');
    expect(await k.ok(['apply', '-f', '-'], deployment(2))).toBe('deployment.apps/web unchanged\n');
    expect(await k.ok(['apply', '-f', '-'], deployment(3))).toBe('deployment.apps/web configured\n');
    expect(await k.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].env[0].value}'])).toBe('3 test');
  });

  it('rejects an unknown field under the default strict validation', async () => {
    const res = await kubectl().run(['apply', '-f', '-'], deployment(1).replace('replicas: 1', 'replicas: 1\n  bogus: true'));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('strict decoding error: unknown field "spec.bogus"');
  });

  it('prints Kubernetes columns for get, -o wide, -A, -l and --show-labels', async () => {
    const k = kubectl();
    await k.ok(['create', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: p1, labels: {tier: db}}\nspec: {containers: [{name: c, image: busybox}]}\n');
    const wide = await k.ok(['get', 'pods', '-o', 'wide']);
    expect(wide.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    expect(wide).toMatch(/^p1\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+<none>\s+<none>\s+<none>$/m);
    const deploy = await k.ok(['get', 'deploy', '-o', 'wide']);
    expect(deploy.split('\n')[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
    expect(deploy).toMatch(/^web\s+0\/3\s+0\s+0\s+\S+\s+web\s+busybox:1\.36\s+app=web$/m);
    const all = await k.ok(['get', 'ns', '-A']);
    expect(all).toMatch(/^kube-system\s+Active/m);
    expect(await k.ok(['get', 'pods', '-A', '-l', 'tier=db'])).toMatch(/^default\s+p1\s/m);
    expect(await k.ok(['get', 'pods', '-l', 'tier=web'])).toBe('');
    expect(await k.ok(['get', 'pods', '--show-labels'])).toMatch(/tier=db$/m);
    expect(JSON.parse(await k.ok(['get', 'pod', 'p1', '-o', 'json'])).spec.containers[0].image).toBe('busybox');
    expect(await k.ok(['get', 'pod', 'p1', '-o', 'yaml'])).toContain('restartPolicy: Always');
    const none = await k.run(['get', 'configmaps', '-n', 'kube-public']);
    expect(none.stderr).toContain('No resources found in kube-public namespace.');
  });

  it('patches with strategic, merge and json types, labels, annotates and scales', async () => {
    const k = kubectl();
    await k.ok(['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"busybox:1.37"}]}}}}']);
    // A strategic merge keeps the container's other fields.
    expect(await k.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].name}'])).toBe('busybox:1.37 MODE');
    await k.ok(['patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"paused":true}}']);
    await k.ok(['patch', 'deploy', 'web', '--type=json', '-p', '[{"op":"add","path":"/spec/minReadySeconds","value":5}]']);
    await k.ok(['label', 'deploy', 'web', 'tier=front']);
    await k.ok(['annotate', 'deploy', 'web', 'note=hello']);
    expect(await k.ok(['scale', 'deploy/web', '--replicas=5'])).toBe('deployment.apps/web scaled\n');
    // The scale subresource prints as Kubernetes' Scale printer does (no controller here: none available).
    expect(await k.ok(['get', 'deploy', 'web', '--subresource=scale'])).toMatch(/^NAME\s+DESIRED\s+AVAILABLE\nweb\s+5\s+0\n$/);
    expect(JSON.parse(await k.ok(['get', 'deploy', 'web', '--subresource=scale', '-o', 'json']))).toMatchObject({ kind: 'Scale', spec: { replicas: 5 } });
    const d = JSON.parse(await k.ok(['get', 'deploy', 'web', '-o', 'json']));
    expect(d.spec).toMatchObject({ paused: true, minReadySeconds: 5, replicas: 5 });
    expect(d.metadata.labels.tier).toBe('front');
    expect(d.metadata.annotations.note).toBe('hello');
    await k.ok(['set', 'image', 'deploy/web', 'web=busybox:1.38']);
    expect(await k.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[*].image}'])).toBe('busybox:1.38');
  });

  it('applies server-side, creating and then merging', async () => {
    const k = kubectl();
    const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa}\ndata: {key: "${v}"}\n`;
    expect(await k.ok(['apply', '--server-side', '-f', '-'], cm('one'))).toBe('configmap/ssa serverside-applied\n');
    expect(await k.ok(['apply', '--server-side', '-f', '-'], cm('two'))).toBe('configmap/ssa serverside-applied\n');
    expect(await k.ok(['get', 'cm', 'ssa', '-o', 'jsonpath={.data.key}'])).toBe('two');
  });

  it('moves an object from client-side to server-side apply without conflicts, as kubectl expects', async () => {
    const k = kubectl();
    const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: csa-to-ssa}\ndata: {key: "${v}"}\n`;
    expect(await k.ok(['apply', '-f', '-'], cm('one'))).toBe('configmap/csa-to-ssa created\n');
    // kubectl diff --server-side and apply --server-side (manager "kubectl") take over what the annotation still describes.
    const diff = await k.run(['diff', '--server-side', '-f', '-'], cm('two'));
    expect(diff.code, diff.stderr).toBe(1);
    expect(diff.stdout).toContain('+  key: two');
    expect(await k.ok(['apply', '--server-side', '-f', '-'], cm('two'))).toBe('configmap/csa-to-ssa serverside-applied\n');
    const lastApplied = JSON.parse(await k.ok(['get', 'cm', 'csa-to-ssa', '-o', 'jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}']));
    expect(lastApplied.data).toEqual({ key: 'two' });
    // A value someone else changed since is still a conflict.
    await k.ok(['patch', 'cm', 'csa-to-ssa', '--type=merge', '-p', '{"data":{"key":"hotfix"}}', '--field-manager=hotfixer']);
    const conflict = await k.run(['apply', '--server-side', '-f', '-'], cm('three'));
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('conflict with "hotfixer"');
  });

  it('dry-runs on the server without storing anything', async () => {
    const k = kubectl();
    const out = await k.ok(['apply', '--dry-run=server', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dry}\ndata: {a: b}\n');
    expect(out).toBe('configmap/dry created (server dry run)\n');
    expect((await k.run(['get', 'cm', 'dry'])).stderr).toContain('configmaps "dry" not found');
  });

  it("sees another client's change with get -w", async () => {
    const k = kubectl();
    await k.ok(['create', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched}\ndata: {a: b}\n');
    const watching = k.run(['get', 'cm', 'watched', '-w', '--request-timeout=4s']);
    await new Promise((r) => setTimeout(r, 1500));
    await kubectl().ok(['label', 'cm', 'watched', 'changed=yes']);
    const out = (await watching).stdout;
    const rows = out.trim().split('\n').filter((l) => l.startsWith('watched'));
    expect(rows.length).toBeGreaterThanOrEqual(2);
  });

  it('prints server errors the way Kubernetes errors print', async () => {
    const k = kubectl();
    const missing = await k.run(['get', 'cm', 'nope']);
    expect(missing.stderr.trim()).toBe('Error from server (NotFound): configmaps "nope" not found');
    const invalid = await k.run(['create', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n');
    expect(invalid.stderr).toContain('The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"');
    const dup = await k.run(['create', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched}\n');
    expect(dup.stderr).toContain('Error from server (AlreadyExists): error when creating "STDIN": configmaps "watched" already exists');
  });

  it("creates with kubectl's generators, which send protobuf", async () => {
    const k = kubectl();
    expect(await k.ok(['create', 'namespace', 'gen'])).toBe('namespace/gen created\n');
    const n = ['-n', 'gen'];
    // kubectl also asks for protobuf back: what it prints with -o json is what it decoded from
    // the server's protobuf answer, which must be the object the JSON API serves.
    const created = new Map<string, Record<string, unknown>>();
    const create = async (resource: string, args: string[]) => {
      const end = args.includes('--') ? args.indexOf('--') : args.length;
      created.set(resource, JSON.parse(await k.ok([...args.slice(0, end), '-o', 'json', ...args.slice(end)])));
    };
    await create('deploy/web', [...n, 'create', 'deployment', 'web', '--image=busybox:1.36', '--replicas=0', '--port=80', '--', 'sleep', '3600']);
    await create('cm/cm', [...n, 'create', 'configmap', 'cm', '--from-literal=k=v']);
    await create('secret/sec', [...n, 'create', 'secret', 'generic', 'sec', '--from-literal=a=b']);
    await create('svc/svc', [...n, 'create', 'service', 'nodeport', 'svc', '--tcp=80:8080']);
    await create('job/job', [...n, 'create', 'job', 'job', '--image=busybox', '--', 'echo', 'hi']);
    await create('cronjob/cron', [...n, 'create', 'cronjob', 'cron', '--image=busybox', '--schedule=*/5 * * * *']);
    await create('sa/sa', [...n, 'create', 'serviceaccount', 'sa']);
    await create('role/reader', [...n, 'create', 'role', 'reader', '--verb=get,list', '--resource=pods']);
    await create('rolebinding/rb', [...n, 'create', 'rolebinding', 'rb', '--role=reader', '--serviceaccount=gen:sa']);
    await create('ingress/ing', [...n, 'create', 'ingress', 'ing', '--class=nginx', '--rule=foo.example.com/bar*=svc:8080,tls=secret1', '--default-backend=svc:http']);
    const pc = `pc-${Date.now()}`;
    await k.ok(['create', 'priorityclass', pc, '--value=1000', '--description=high', '--preemption-policy=Never']);
    expect(JSON.parse(await k.ok(['get', 'priorityclass', pc, '-o', 'json']))).toMatchObject({ value: 1000, description: 'high', preemptionPolicy: 'Never' });
    // A quota's scope must fit what it limits (BestEffort limits only pods), as Kubernetes checks.
    await create('quota/q', [...n, 'create', 'quota', 'q', '--hard=pods=10,requests.cpu=2', '--scopes=NotBestEffort']);
    await create('hpa/web', [...n, 'autoscale', 'deployment', 'web', '--min=1', '--max=5', '--cpu-percent=50']);
    // A typed Go object printed writes zero values JSON leaves out: null times, a status of zeros.
    const zeroStatus = (x: unknown) => !!x && typeof x === 'object' && Object.values(x).every((y) => y === 0 || y === '' || y === null);
    const goZeroesDropped = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(goZeroesDropped);
      if (!v || typeof v !== 'object') return v;
      const kept = Object.entries(v).filter(([key, x]) => x !== null && !(key === 'status' && zeroStatus(x)));
      return Object.fromEntries(kept.map(([key, x]) => [key, goZeroesDropped(x)]));
    };
    // Fields newer than the client: its Go types drop them when decoding protobuf, as they would
    // from a real cluster of this version (a Job's podReplacementPolicy came in Kubernetes 1.28).
    const newerThanClient = (v: any) => {
      if (version === '1.27') {
        delete v?.spec?.podReplacementPolicy;
        delete v?.spec?.jobTemplate?.spec?.podReplacementPolicy;
      }
      return v;
    };
    for (const [resource, printed] of created) {
      // kubectl autoscale writes autoscaling/v1 (1.27) or v2: read back in the version it wrote.
      const [kind, name] = resource.split('/');
      const versioned = kind === 'hpa' ? `horizontalpodautoscalers.${String(printed.apiVersion).split('/')[1]}.autoscaling/${name}` : resource;
      expect(goZeroesDropped(printed), resource).toEqual(goZeroesDropped(newerThanClient(JSON.parse(await k.ok([...n, 'get', versioned, '-o', 'json'])))));
    }
    const ing = JSON.parse(await k.ok([...n, 'get', 'ingress', 'ing', '-o', 'json']));
    expect(ing.spec).toEqual({
      ingressClassName: 'nginx',
      defaultBackend: { service: { name: 'svc', port: { name: 'http' } } },
      rules: [{ host: 'foo.example.com', http: { paths: [{ path: '/bar', pathType: 'Prefix', backend: { service: { name: 'svc', port: { number: 8080 } } } }] } }],
      tls: [{ hosts: ['foo.example.com'], secretName: 'secret1' }],
    });
    expect(JSON.parse(await k.ok([...n, 'get', 'quota', 'q', '-o', 'json'])).spec).toEqual({ hard: { pods: '10', 'requests.cpu': '2' }, scopes: ['NotBestEffort'] });
    expect(JSON.parse(await k.ok([...n, 'get', 'hpa', 'web', '-o', 'json'])).spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, minReplicas: 1, maxReplicas: 5 });
    const d = JSON.parse(await k.ok([...n, 'get', 'deploy', 'web', '-o', 'json']));
    // replicas=0 is a deliberate zero and must survive decoding.
    expect(d.spec.replicas).toBe(0);
    expect(d.spec.selector).toEqual({ matchLabels: { app: 'web' } });
    expect(d.spec.template.spec.containers[0]).toMatchObject({ name: 'busybox', image: 'busybox:1.36', command: ['sleep', '3600'], ports: [{ containerPort: 80, protocol: 'TCP' }] });
    // The template's metadata as Go writes an ObjectMeta nobody stamped: creationTimestamp null.
    expect(d.spec.template.metadata).toEqual({ creationTimestamp: null, labels: { app: 'web' } });
    expect(await k.ok([...n, 'get', 'cm', 'cm', '-o', 'jsonpath={.data.k}'])).toBe('v');
    expect(await k.ok([...n, 'get', 'secret', 'sec', '-o', 'jsonpath={.type} {.data.a}'])).toBe(`Opaque ${Buffer.from('b').toString('base64')}`);
    expect(JSON.parse(await k.ok([...n, 'get', 'svc', 'svc', '-o', 'jsonpath={.spec}']))).toMatchObject({ type: 'NodePort', ports: [{ name: '80-8080', port: 80, targetPort: 8080, protocol: 'TCP' }] });
    expect(await k.ok([...n, 'get', 'cronjob', 'cron', '-o', 'jsonpath={.spec.schedule}'])).toBe('*/5 * * * *');
    expect(JSON.parse(await k.ok([...n, 'get', 'rolebinding', 'rb', '-o', 'json'])).subjects).toEqual([{ kind: 'ServiceAccount', name: 'sa', namespace: 'gen' }]);
    expect(JSON.parse(await k.ok([...n, 'get', 'role', 'reader', '-o', 'json'])).rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
  });

  it('deletes promptly and reads raw health', async () => {
    const k = kubectl();
    expect(await k.ok(['delete', 'deploy', 'web'])).toBe('deployment.apps "web" deleted\n');
    expect(await k.ok(['delete', 'pod', 'p1'])).toBe('pod "p1" deleted\n');
    expect(await k.ok(['get', 'deploy'])).toBe('');
    expect(await k.ok(['get', '--raw', '/healthz/etcd'])).toBe('ok');
  });
});

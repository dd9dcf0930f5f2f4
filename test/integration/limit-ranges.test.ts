// The LimitRanger admission plugin against the apiserver process and real etcd, driven by
// unmodified kubectl: a namespace's LimitRange gives new pods' containers their default
// requests and limits and refuses pods and claims outside its bounds.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { kubectlFor } from '../harness/kubectl.js';

let api: ApiServerHandle;
let kubectl: ReturnType<typeof kubectlFor>;

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
  kubectl = kubectlFor(api.url);
  await kubectl.ok(['create', 'namespace', 'limited']);
  await kubectl.ok(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'bounds', namespace: 'limited' },
    spec: {
      limits: [
        { type: 'Container', max: { cpu: '1', memory: '512Mi' }, min: { cpu: '50m' }, defaultRequest: { cpu: '100m' } },
        { type: 'PersistentVolumeClaim', max: { storage: '2Gi' } },
      ],
    },
  }));
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

describe('LimitRanger', () => {
  it('a LimitRange is stored with Kubernetes\' defaults filled in', async () => {
    const lr = JSON.parse(await kubectl.ok(['get', 'limitrange', 'bounds', '-n', 'limited', '-o', 'json']));
    expect(lr.spec.limits[0]).toMatchObject({ default: { cpu: '1', memory: '512Mi' }, defaultRequest: { cpu: '100m', memory: '512Mi' } });
  });

  it('gives a pod\'s containers the requests and limits they leave out, and notes it on the pod', async () => {
    await kubectl.ok(['run', 'plain', '-n', 'limited', '--image=busybox:1.36']);
    const pod = JSON.parse(await kubectl.ok(['get', 'pod', 'plain', '-n', 'limited', '-o', 'json']));
    expect(pod.spec.containers[0].resources).toEqual({ limits: { cpu: '1', memory: '512Mi' }, requests: { cpu: '100m', memory: '512Mi' } });
    expect(pod.metadata.annotations['kubernetes.io/limit-ranger']).toBe('LimitRanger plugin set: cpu, memory request for container plain; cpu, memory limit for container plain');
  });

  it('refuses a pod or a claim beyond the bounds, with the reasons', async () => {
    const big = await kubectl.run(['run', 'big', '-n', 'limited', '--image=busybox:1.36', '--overrides', JSON.stringify({ spec: { containers: [{ name: 'big', image: 'busybox:1.36', resources: { limits: { cpu: '2', memory: '1Gi' } } }] } })]);
    expect(big.code).not.toBe(0);
    expect(big.stderr).toContain('pods "big" is forbidden: [maximum cpu usage per Container is 1, but limit is 2, maximum memory usage per Container is 512Mi, but limit is 1Gi]');
    const claim = await kubectl.run(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'huge', namespace: 'limited' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
    }));
    expect(claim.code).not.toBe(0);
    expect(claim.stderr).toContain('persistentvolumeclaims "huge" is forbidden: maximum storage usage per PersistentVolumeClaim is 2Gi, but limit is 5Gi');
    // Other namespaces are not bound.
    await kubectl.ok(['run', 'big', '-n', 'default', '--image=busybox:1.36', '--overrides', JSON.stringify({ spec: { containers: [{ name: 'big', image: 'busybox:1.36', resources: { limits: { cpu: '2' } } }] } })]);
  });
});

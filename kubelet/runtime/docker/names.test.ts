import { describe, expect, it } from 'vitest';
import { containerName, parseName, sandboxName } from './names.js';

describe('Docker container names', () => {
  const pod = { name: 'web-7d4b9c-x2x9z', namespace: 'kube-system', uid: '0b5c3a4e-1f2d-4c1b-9e7a-2d3c4b5a6f70', attempt: 2 };

  it('parse back into the metadata they were made from', () => {
    expect(parseName(`/${sandboxName(pod)}`)).toEqual({ container: 'POD', pod: pod.name, namespace: pod.namespace, uid: pod.uid, attempt: 2 });
    expect(parseName(containerName(pod, { name: 'app', attempt: 7 }))).toEqual({ container: 'app', pod: pod.name, namespace: pod.namespace, uid: pod.uid, attempt: 7 });
  });

  it('are not confused with names someone else gave', () => {
    for (const name of ['/nginx', 'k8s_app_pod_ns_uid', 'k8s_app_pod_ns_uid_x', 'x8s_app_pod_ns_uid_1', 'k8s_a_b_c_d_e_1']) expect(parseName(name)).toBeUndefined();
  });
});

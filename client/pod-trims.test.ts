import { describe, expect, it } from 'vitest';
import type { ContainerStatus, Volume } from '../api/types/pod.js';
import { claimVolumes, trimContainerStatuses, trimContainers } from './pod-trims.js';

const serviceAccountVolume: Volume = {
  name: 'kube-api-access-x1',
  projected: {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  },
};

describe('pod trims for informers', () => {
  it('keep the volumes that are claims, whole, and drop the kubelet’s (projected, host paths, ...)', () => {
    const claim: Volume = { name: 'data', persistentVolumeClaim: { claimName: 'data-0', readOnly: true } };
    const ephemeral: Volume = { name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'] } } } };
    const host: Volume = { name: 'logs', hostPath: { path: '/var/log', type: 'Directory' } };
    expect(claimVolumes([serviceAccountVolume, claim, ephemeral, host])).toEqual([claim, ephemeral]);
  });

  it('keep what control loops read of containers: name, image, resources, ports, a sidecar’s restart policy', () => {
    const trimmed = trimContainers([
      { name: 'c', image: 'registry.invalid/web:1', command: ['serve'], env: [{ name: 'A', value: 'x' }], ports: [{ containerPort: 80 }], resources: { requests: { cpu: '10m' } }, volumeMounts: [{ name: 'kube-api-access-x1', mountPath: '/var/run/secrets' }], restartPolicy: 'Always' },
    ]);
    expect(trimmed).toEqual([{ name: 'c', image: 'registry.invalid/web:1', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '10m' } }, restartPolicy: 'Always' }]);
  });

  it('keep how a container runs and ended, not its image or runtime IDs', () => {
    const status: ContainerStatus = { name: 'c', ready: false, started: false, restartCount: 3, image: 'registry.invalid/web:1', imageID: 'docker-pullable://web@sha256:00', containerID: 'docker://abc', state: { terminated: { exitCode: 42, reason: 'Error' } }, lastState: { terminated: { exitCode: 1 } } };
    expect(trimContainerStatuses([status])).toEqual([{ name: 'c', ready: false, started: false, restartCount: 3, state: { terminated: { exitCode: 42, reason: 'Error' } }, lastState: { terminated: { exitCode: 1 } } }]);
  });
});

describe('pod trims on malformed objects', () => {
  it('pass what is not an object through rather than throw (an informer must keep running)', () => {
    const junk = [null, 5, 'x'] as unknown[];
    expect(trimContainers(junk as never)).toEqual(junk);
    expect(trimContainerStatuses(junk as never)).toEqual(junk);
    expect(claimVolumes(junk as never)).toEqual([]);
  });
});

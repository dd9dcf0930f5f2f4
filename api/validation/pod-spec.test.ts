import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../types/meta.js';
import { podCreateCauses } from '../../test/harness/pod-validation.js';

const probe = { exec: { command: ['true'] } };

function pod(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...spec } };
}

describe("a container's restartPolicy", () => {
  it('makes an init container a sidecar, which may have probes and hooks', () => {
    const sidecar = { name: 's', image: 'busybox:1.36', restartPolicy: 'Always', readinessProbe: probe, livenessProbe: probe, startupProbe: probe, lifecycle: { preStop: probe } };
    expect(podCreateCauses(pod({ initContainers: [sidecar] }))).toEqual([]);
  });

  it('takes only Always on an init container and nothing on a regular or ephemeral one', () => {
    expect(podCreateCauses(pod({ initContainers: [{ name: 'i', image: 'busybox:1.36', restartPolicy: 'OnFailure' }] }))).toEqual([
      'spec.initContainers[0].restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    ]);
    expect(podCreateCauses(pod({ containers: [{ name: 'c', image: 'busybox:1.36', restartPolicy: 'Always' }] }))).toEqual([
      'spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers',
    ]);
  });

  it('refuses probes and hooks on init containers that run to completion', () => {
    const init = { name: 'i', image: 'busybox:1.36', livenessProbe: probe, readinessProbe: probe, startupProbe: probe, lifecycle: { postStart: probe } };
    expect(podCreateCauses(pod({ initContainers: [init] }))).toEqual([
      'spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always',
      'spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
      'spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
      'spec.initContainers[0].startupProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
    ]);
  });
});

describe('volume mounts with sub paths', () => {
  const withMount = (mount: Record<string, unknown>) =>
    pod({ volumes: [{ name: 'v', emptyDir: {} }], containers: [{ name: 'c', image: 'busybox:1.36', volumeMounts: [{ name: 'v', mountPath: '/m', ...mount }] }] });

  it('takes relative paths that stay inside the volume', () => {
    expect(podCreateCauses(withMount({ subPath: 'logs/a' }))).toEqual([]);
    expect(podCreateCauses(withMount({ subPathExpr: 'logs/$(POD_NAME)' }))).toEqual([]);
  });

  it('refuses absolute paths, paths with .., and both fields at once', () => {
    expect(podCreateCauses(withMount({ subPath: '/etc' }))).toEqual(['spec.containers[0].volumeMounts[0].subPath: Invalid value: "/etc": must be a relative path']);
    expect(podCreateCauses(withMount({ subPathExpr: 'a/../../b' }))).toEqual(['spec.containers[0].volumeMounts[0].subPathExpr: Invalid value: "a/../../b": must not contain \'..\'']);
    expect(podCreateCauses(withMount({ subPath: 'a', subPathExpr: 'b' }))).toEqual(['spec.containers[0].volumeMounts[0].subPathExpr: Invalid value: "b": subPathExpr and subPath are mutually exclusive']);
  });
});

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

describe('lifecycle hooks', () => {
  const withHooks = (lifecycle: Record<string, unknown>, grace?: number) =>
    pod({ ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}), containers: [{ name: 'c', image: 'busybox:1.36', lifecycle }] });

  it('takes one action per hook, a sleep among them', () => {
    expect(podCreateCauses(withHooks({ preStop: { sleep: { seconds: 5 } }, postStart: { exec: { command: ['true'] } } }))).toEqual([]);
  });

  it('refuses hooks without an action or with two, and sleeps outside the grace period', () => {
    expect(podCreateCauses(withHooks({ preStop: {} }))).toEqual(['spec.containers[0].lifecycle.preStop: Required value: must specify a handler type']);
    expect(podCreateCauses(withHooks({ preStop: { exec: { command: ['true'] }, sleep: { seconds: 1 } } }))).toEqual([
      'spec.containers[0].lifecycle.preStop.sleep: Forbidden: may not specify more than 1 handler type',
    ]);
    expect(podCreateCauses(withHooks({ preStop: { sleep: { seconds: 60 } } }))).toEqual([
      'spec.containers[0].lifecycle.preStop.sleep: Invalid value: 60: must be greater than 0 and less than terminationGracePeriodSeconds (30). Please enable PodLifecycleSleepActionAllowZero feature gate if you need a sleep of zero duration.',
    ]);
    expect(podCreateCauses(withHooks({ preStop: { sleep: { seconds: 0 } } }, 10))[0]).toContain('less than terminationGracePeriodSeconds (10)');
  });
});

import { describe, expect, it } from 'vitest';
import { dropGoOmittedZeros, goJSON, goObject, sortedKeys } from './go-json.js';
import { applyDefaults } from '../defaults.js';
import type { KubeObject } from '../types/meta.js';

describe('an object as Kubernetes\' Go types write it', () => {
  it('drops unknown fields and omitempty zeros, and writes what Go always writes', () => {
    const template = {
      metadata: { labels: { app: 'a' } },
      spec: {
        containers: [{ name: 'c', image: 'x', resources: {}, ports: [], stdin: false, unknownField: 1, env: [{ name: 'A', value: '' }] }],
        securityContext: {},
        affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'h', namespaces: [], labelSelector: { matchLabels: { app: 'a' } } }] } },
        hostNetwork: false,
        terminationGracePeriodSeconds: 30,
      },
    };
    expect(goJSON('k8s.io.api.core.v1.PodTemplateSpec', template)).toEqual({
      // A zero time is written as null: metadata is a struct held by value, creationTimestamp too.
      metadata: { labels: { app: 'a' }, creationTimestamp: null },
      spec: {
        // resources is a struct held by value: never left out; env's empty value is.
        containers: [{ name: 'c', image: 'x', resources: {}, env: [{ name: 'A' }] }],
        securityContext: {},
        affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'h', labelSelector: { matchLabels: { app: 'a' } } }] } },
        terminationGracePeriodSeconds: 30,
      },
    });
  });

  it('writes the fields of a value Go always writes (a ReplicaSet status without omitempty on replicas)', () => {
    expect(goJSON('k8s.io.api.apps.v1.ReplicaSetStatus', {})).toEqual({ replicas: 0 });
    expect(goJSON('k8s.io.api.core.v1.ObjectReference', { kind: 'Pod', bogus: 'x' })).toEqual({ kind: 'Pod' });
  });

  it('orders keys as Go writes a map, at every level', () => {
    expect(JSON.stringify(sortedKeys({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 3 } }))).toBe('{"a":{"c":3,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('writes a built-in object with its kind and apiVersion first, quantities canonical; a custom resource as it is', () => {
    const pod = goObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: {} }, spec: { containers: [{ resources: { limits: { cpu: 0.5, memory: '1024Mi' } }, name: 'c' }], volumes: [{ name: 'v', emptyDir: { sizeLimit: '2048Ki' } }] } });
    expect(Object.keys(pod)).toEqual(['kind', 'apiVersion', 'metadata', 'spec', 'status']);
    expect(pod.metadata).toEqual({ name: 'p', creationTimestamp: null });
    expect(pod.spec.containers).toEqual([{ name: 'c', resources: { limits: { cpu: '500m', memory: '1Gi' } } }]);
    expect(pod.spec.volumes).toEqual([{ name: 'v', emptyDir: { sizeLimit: '2Mi' } }]);
    const custom = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', labels: {} }, spec: { enabled: false } };
    expect(goObject(custom)).toBe(custom);
  });
});

describe('zeros Go cannot tell from no value', () => {
  it('are dropped before defaulting, so they take the default, and nothing else moves', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', generation: 0 },
      spec: {
        dnsPolicy: '',
        hostNetwork: false,
        containers: [{ name: 'c', image: 'i', readinessProbe: { exec: { command: ['true'] }, periodSeconds: 0, failureThreshold: 0 }, env: [] }],
        // A pointer in Go: its zero is a value, kept.
        activeDeadlineSeconds: 0,
        securityContext: { runAsUser: 0 },
      },
    } as unknown as KubeObject;
    dropGoOmittedZeros(pod);
    applyDefaults(pod);
    const spec = pod.spec as Record<string, any>;
    expect(spec.dnsPolicy).toBe('ClusterFirst');
    expect(spec.containers[0].readinessProbe).toMatchObject({ periodSeconds: 10, failureThreshold: 3 });
    expect('hostNetwork' in spec).toBe(false);
    expect(spec.activeDeadlineSeconds).toBe(0);
    expect(spec.securityContext).toEqual({ runAsUser: 0 });
    // Only zeros go: an empty list is left to storing.
    expect(spec.containers[0].env).toEqual([]);
  });
});

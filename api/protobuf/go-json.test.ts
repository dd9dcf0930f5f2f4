import { describe, expect, it } from 'vitest';
import { goJSON, sortedKeys } from './go-json.js';

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
});

import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import { containerEnv, ContainerConfigError, expandVars, type EnvSources } from './env.js';

const pod: Pod = {
  metadata: { name: 'web', namespace: 'prod', uid: 'u1', labels: { app: 'web' }, annotations: { team: 'a' } },
  spec: { nodeName: 'node-1', serviceAccountName: 'default', containers: [] },
};
const sources = (over: Partial<EnvSources> = {}): EnvSources => ({
  configMaps: new Map([['cfg', { metadata: { name: 'cfg' }, data: { color: 'blue', 'bad key': 'x', size: '3' } }]]),
  secrets: new Map([['sec', { metadata: { name: 'sec' }, data: { token: Buffer.from('t0ps3cret').toString('base64') } }]]),
  podIP: '172.18.0.9',
  hostIP: '127.0.0.1',
  nodeAllocatable: { cpu: '2', memory: '4Gi' },
  ...over,
});

describe('expandVars', () => {
  it('expands defined $(VAR), keeps undefined ones, and unescapes $$', () => {
    const vars = new Map([['A', '1']]);
    expect(expandVars('x-$(A)-$(B)-$$(A)-$', vars)).toBe('x-1-$(B)-$(A)-$');
  });
});

describe('containerEnv', () => {
  it('builds env from envFrom, values, fields, resources, ConfigMaps and Secrets, later entries winning', () => {
    const { env } = containerEnv(
      pod,
      {
        name: 'c',
        image: 'x',
        resources: { limits: { memory: '64Mi' } },
        envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CM_' }, { secretRef: { name: 'sec' } }],
        env: [
          { name: 'CM_color', value: 'red' },
          { name: 'GREETING', value: 'hi $(CM_color) from $(POD)' },
          { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
          { name: 'SIZE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'size' } } },
          { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'sec', key: 'token' } } },
        ],
      },
      sources(),
    );
    expect(env).toEqual([
      'CM_color=red',
      'CM_size=3',
      'token=t0ps3cret',
      'GREETING=hi red from $(POD)',
      'POD=web',
      'APP=web',
      'IP=172.18.0.9',
      'MEM=64',
      'CPU=2',
      'SIZE=3',
      'TOKEN=t0ps3cret',
    ]);
  });

  it('fails with the kubelet message for a missing ConfigMap or key, unless optional', () => {
    const c = (ref: object) => ({ name: 'c', image: 'x', env: [{ name: 'X', valueFrom: { configMapKeyRef: ref as { name: string; key: string } } }] });
    expect(() => containerEnv(pod, c({ name: 'nope', key: 'k' }), sources())).toThrow(new ContainerConfigError('configmap "nope" not found'));
    expect(() => containerEnv(pod, c({ name: 'cfg', key: 'k' }), sources())).toThrow("couldn't find key k in ConfigMap prod/cfg");
    expect(containerEnv(pod, c({ name: 'nope', key: 'k', optional: true }), sources()).env).toEqual([]);
  });
});

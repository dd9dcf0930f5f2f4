// Objects of realistic size for benchmarks: a ConfigMap of about 1 KiB and a Pod like the
// ones Deployments create (two containers, env, probes, resources, owner reference).

export function configMap(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels: { app: 'bench', tier: name.length % 2 ? 'a' : 'b' } },
    data: { 'settings.conf': 'key = value\n'.repeat(80) },
  };
}

export function pod(name: string) {
  const container = (n: string, image: string) => ({
    name: n,
    image,
    ports: [{ containerPort: 8080, name: 'http' }],
    env: Array.from({ length: 6 }, (_, i) => ({ name: `SETTING_${i}`, value: `value-${i}` })),
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 5 },
    livenessProbe: { httpGet: { path: '/live', port: 8080 }, periodSeconds: 10 },
    volumeMounts: [{ name: 'config', mountPath: '/etc/app' }],
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels: { app: 'bench', 'pod-template-hash': '5d8f7c9b6' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'bench-5d8f7c9b6', uid: '7b3c2f52-8a51-4c8b-9d1e-2f6a4b0c9e11', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      containers: [container('app', 'registry.example/app:1.4.2'), container('sidecar', 'registry.example/proxy:2.0')],
      volumes: [{ name: 'config', configMap: { name: 'bench-config' } }],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
    },
  };
}

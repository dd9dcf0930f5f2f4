// The bindings the seeds create for kubelet TLS bootstrap, made once the apiserver is up
// (through the local admin port): the bootstrap user's group may file CSRs
// (system:node-bootstrapper), and its requests and nodes' renewals are approved by the
// controller-manager (the nodeclient and selfnodeclient roles).
const BINDINGS = [
  { name: 'kubelet-bootstrap', role: 'system:node-bootstrapper', group: 'system:bootstrappers' },
  { name: 'node-autoapprove-bootstrap', role: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', group: 'system:bootstrappers' },
  { name: 'node-autoapprove-certificate-rotation', role: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', group: 'system:nodes' },
];

export async function ensureBootstrapBindings(server: string): Promise<void> {
  for (const b of BINDINGS) {
    const res = await fetch(`${server}/apis/rbac.authorization.k8s.io/v1/clusterrolebindings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: b.name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: b.role },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: b.group }],
      }),
    });
    if (!res.ok && res.status !== 409) throw new Error(`cannot create ClusterRoleBinding ${b.name}: HTTP ${res.status} ${await res.text()}`);
  }
}

// The bindings the seeds create for kubelet TLS bootstrap, made once the apiserver is up
// (through the local admin port): the bootstrap user's group may file CSRs
// (system:node-bootstrapper), and its requests and nodes' renewals are approved by the
// controller-manager (the nodeclient and selfnodeclient roles). Also the apiserver's own
// identity towards kubelets gets the kubelet API (logs, exec), as kubeadm binds it.
// Approval before permission to ask: a request filed between the two would never be approved
// (the approver judges a request once).
const BINDINGS = [
  { name: 'node-autoapprove-bootstrap', role: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', kind: 'Group', subject: 'system:bootstrappers' },
  { name: 'kubelet-bootstrap', role: 'system:node-bootstrapper', kind: 'Group', subject: 'system:bootstrappers' },
  { name: 'node-autoapprove-certificate-rotation', role: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', kind: 'Group', subject: 'system:nodes' },
  { name: 'kube-apiserver-kubelet-client', role: 'system:kubelet-api-admin', kind: 'User', subject: 'kube-apiserver-kubelet-client' },
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
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: b.kind, name: b.subject }],
      }),
    });
    if (!res.ok && res.status !== 409) throw new Error(`cannot create ClusterRoleBinding ${b.name}: HTTP ${res.status} ${await res.text()}`);
  }
}

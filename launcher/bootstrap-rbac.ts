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

/**
 * Creates the bindings (those present are kept). Started with the apiserver, as Compose does, it
 * waits for it: a refused connection or a 5xx (still starting) is tried again every 100 ms until
 * `waitMs` has passed.
 */
export async function ensureBootstrapBindings(server: string, waitMs = 0): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (const b of BINDINGS) {
    for (;;) {
      const res = await createBinding(server, b).catch((err: Error) => err);
      if (res instanceof Response && (res.ok || res.status === 409)) break;
      const why = res instanceof Response ? `HTTP ${res.status} ${await res.text()}` : res.message;
      if ((res instanceof Response && res.status < 500) || Date.now() >= deadline) throw new Error(`cannot create ClusterRoleBinding ${b.name}: ${why}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function createBinding(server: string, b: (typeof BINDINGS)[number]): Promise<Response> {
  return fetch(`${server}/apis/rbac.authorization.k8s.io/v1/clusterrolebindings`, {
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
}

// The bindings the seeds create for kubelet TLS bootstrap, made once the apiserver is up
// (through the local admin port): the bootstrap user's group may file CSRs
// (system:node-bootstrapper), and its requests and nodes' renewals are approved by the
// controller-manager (the nodeclient and selfnodeclient roles). Also the apiserver's own
// identity towards kubelets gets the kubelet API (logs, exec), as kubeadm binds it.
// Approval before permission to ask: a request filed between the two would never be approved
// (the approver judges a request once).
type Binding = { name: string; role: string; kind: 'Group' | 'User'; subject: string };
const APPROVALS: Binding[] = [
  { name: 'node-autoapprove-bootstrap', role: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', kind: 'Group', subject: 'system:bootstrappers' },
  { name: 'node-autoapprove-certificate-rotation', role: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', kind: 'Group', subject: 'system:nodes' },
  { name: 'kube-apiserver-kubelet-client', role: 'system:kubelet-api-admin', kind: 'User', subject: 'kube-apiserver-kubelet-client' },
];
const PERMISSION_TO_ASK: Binding = { name: 'kubelet-bootstrap', role: 'system:node-bootstrapper', kind: 'Group', subject: 'system:bootstrappers' };

/**
 * Creates the bindings (those present are kept). Started with the apiserver, as Compose does, it
 * waits for it: a refused connection or a 5xx (still starting) is tried again every 100 ms until
 * `waitMs` has passed.
 */
export async function ensureBootstrapBindings(server: string, waitMs = 0): Promise<void> {
  const deadline = Date.now() + waitMs;
  // The approvals (and the apiserver's kubelet binding) together, then the permission to ask:
  // two round trips on a cold start's busy etcd instead of four.
  const approvals = await Promise.allSettled(APPROVALS.map((b) => ensureBinding(server, b, deadline)));
  const failed = approvals.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  await ensureBinding(server, PERMISSION_TO_ASK, deadline);
}

async function ensureBinding(server: string, b: Binding, deadline: number): Promise<void> {
  for (;;) {
    const res = await createBinding(server, b).catch((err: Error) => err);
    if (res instanceof Response && (res.ok || res.status === 409)) return;
    const why = res instanceof Response ? `HTTP ${res.status} ${await res.text()}` : res.message;
    if ((res instanceof Response && res.status < 500) || Date.now() >= deadline) throw new Error(`cannot create ClusterRoleBinding ${b.name}: ${why}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function createBinding(server: string, b: Binding): Promise<Response> {
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

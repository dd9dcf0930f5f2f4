// The bindings kubeadm makes for kubelet TLS bootstrap, made by the apiserver itself when
// started with --kubelet-bootstrap-bindings (Compose and the launcher do): the bootstrap
// tokens' group may file CSRs (system:node-bootstrapper), the controller-manager approves
// those requests and nodes' renewals (the nodeclient and selfnodeclient roles), and the
// apiserver's own identity towards kubelets gets the kubelet API (logs, exec). Made with the
// bootstrap policy, before the server says it is ready: a kubelet waiting with its bootstrap
// token gets its certificate without a separate job to start (on a cluster's first start
// that job cost a container and a Node process, and came ~0.5 s after the apiserver).
// Bindings present are kept as they are: an operator's change survives restarts.
import { findResource } from '../../api/resources.js';
import { StatusError } from '../../api/status.js';
import type { Registry } from '../registry/registry.js';

type Binding = { name: string; role: string; kind: 'Group' | 'User'; subject: string };

/** The approvals (and the apiserver's kubelet binding), made before the permission to ask. */
const APPROVALS: readonly Binding[] = [
  { name: 'node-autoapprove-bootstrap', role: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', kind: 'Group', subject: 'system:bootstrappers' },
  { name: 'node-autoapprove-certificate-rotation', role: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', kind: 'Group', subject: 'system:nodes' },
  { name: 'kube-apiserver-kubelet-client', role: 'system:kubelet-api-admin', kind: 'User', subject: 'kube-apiserver-kubelet-client' },
];
const PERMISSION_TO_ASK: Binding = { name: 'kubelet-bootstrap', role: 'system:node-bootstrapper', kind: 'Group', subject: 'system:bootstrappers' };

async function ensure(registry: Registry, b: Binding): Promise<void> {
  const store = registry.storeFor(findResource('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings')!);
  try {
    await store.create(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: b.name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: b.role },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: b.kind, name: b.subject }],
      },
      false,
    );
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 409)) throw err;
  }
}

/**
 * Creates the bindings that are missing. Approval before permission to ask: a request filed
 * between the two would never be approved (the approver judges a request once).
 */
export async function ensureKubeletBootstrapBindings(registry: Registry): Promise<void> {
  await Promise.all(APPROVALS.map((b) => ensure(registry, b)));
  await ensure(registry, PERMISSION_TO_ASK);
}

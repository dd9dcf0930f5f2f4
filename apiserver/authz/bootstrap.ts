// Creates the bootstrap roles and bindings that are missing, and puts back permissions and
// subjects removed from those still marked autoupdate, as Kubernetes' apiserver reconciles its
// bootstrap policy at every start. Aggregated roles (admin, edit, view) get the union of the
// rules of the roles they aggregate.
import { canonical } from '../../api/canonical.js';
import { findResource } from '../../api/resources.js';
import { StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Registry } from '../registry/registry.js';
import { BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES, type BootstrapClusterRole } from './bootstrap-policy.js';
import type { PolicyRule, Subject } from './rbac.js';

const AUTOUPDATE = 'rbac.authorization.kubernetes.io/autoupdate';
const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const rbac = (plural: string) => findResource('rbac.authorization.k8s.io', 'v1', plural)!;

function aggregatedRules(role: BootstrapClusterRole): PolicyRule[] {
  if (!role.aggregateFrom) return role.rules;
  const out: PolicyRule[] = [];
  const seen = new Set<string>();
  for (const other of BOOTSTRAP_CLUSTER_ROLES) {
    const labels = other.labels ?? {};
    if (!role.aggregateFrom.some((sel) => Object.entries(sel).every(([k, v]) => labels[k] === v))) continue;
    for (const r of aggregatedRules(other)) {
      const key = canonical(r);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(r);
    }
  }
  return out;
}

/** Items of `want` that `have` lacks (by value). */
function missing<T>(have: T[], want: T[]): T[] {
  const present = new Set(have.map((x) => canonical(x)));
  return want.filter((x) => !present.has(canonical(x)));
}

async function reconcile(registry: Registry, plural: string, desired: KubeObject, field: 'rules' | 'subjects', namespace?: string): Promise<void> {
  const store = registry.storeFor(rbac(plural));
  try {
    await store.create(structuredClone(desired), false);
    return;
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 409)) throw err;
  }
  await store.update(namespace, desired.metadata.name!, {
    dryRun: false,
    mutate: (current) => {
      if (current.metadata.annotations?.[AUTOUPDATE] === 'false') return current;
      const have = (current[field] as unknown[] | undefined) ?? [];
      const add = missing(have, desired[field] as unknown[]);
      if (!add.length && canonical(current.aggregationRule ?? null) === canonical(desired.aggregationRule ?? null)) return current;
      return { ...current, [field]: [...have, ...add], ...(desired.aggregationRule ? { aggregationRule: desired.aggregationRule } : {}) };
    },
  });
}

export async function reconcileBootstrapPolicy(registry: Registry): Promise<void> {
  const meta = (name: string, labels?: Record<string, string>) => ({ name, labels: { ...BOOTSTRAP_LABELS, ...(labels ?? {}) }, annotations: { [AUTOUPDATE]: 'true' } });
  const reader = 'extension-apiserver-authentication-reader';
  // Independent objects, reconciled together: etcd takes the ~70 writes of a first start in a
  // few batches instead of one round trip after another, while the other components start.
  await Promise.all([
    ...BOOTSTRAP_CLUSTER_ROLES.map((role) =>
      reconcile(
        registry,
        'clusterroles',
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: meta(role.name, role.labels),
          rules: aggregatedRules(role),
          ...(role.aggregateFrom ? { aggregationRule: { clusterRoleSelectors: role.aggregateFrom.map((matchLabels) => ({ matchLabels })) } } : {}),
        },
        'rules',
      ),
    ),
    // In kube-system: who may read how aggregated servers authenticate this apiserver's front proxy.
    reconcile(
      registry,
      'roles',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { ...meta(reader), namespace: 'kube-system' },
        rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['extension-apiserver-authentication'] }],
      },
      'rules',
      'kube-system',
    ),
    reconcile(
      registry,
      'rolebindings',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { ...meta(`system::${reader}`), namespace: 'kube-system' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: reader },
        subjects: ['system:kube-controller-manager', 'system:kube-scheduler'].map((name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name })),
      },
      'subjects',
      'kube-system',
    ),
    ...BOOTSTRAP_CLUSTER_ROLE_BINDINGS.map((b) => {
      const subjects: Subject[] = b.subjects.map((s) => (s.kind === 'ServiceAccount' ? s : { apiGroup: 'rbac.authorization.k8s.io', ...s }));
      return reconcile(
        registry,
        'clusterrolebindings',
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: meta(b.name), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: b.role }, subjects },
        'subjects',
      );
    }),
  ]);
}

// v1 ComponentStatus (deprecated since 1.19, still served): `kubectl get componentstatuses`
// asks the apiserver to probe the scheduler, the controller-manager and etcd there and then.
// Nothing is stored; apiserver/registry/component-statuses.ts does the probing.
import { col, nameCol } from '../../printers.js';
import { list, obj, str } from '../../schema/dsl.js';
import { kind } from '../../schema/meta.js';
import type { KubeObject } from '../../types/meta.js';
import type { KindModule } from '../kind.js';

interface Condition {
  type?: string;
  status?: string;
  message?: string;
  error?: string;
}

const healthy = (o: KubeObject): Condition | undefined => ((o as { conditions?: Condition[] }).conditions ?? []).find((c) => c?.type === 'Healthy');

export const componentStatus: KindModule = {
  group: '',
  version: 'v1',
  kind: 'ComponentStatus',
  plural: 'componentstatuses',
  namespaced: false,
  shortNames: ['cs'],
  verbs: ['get', 'list'],
  computed: { warning: 'v1 ComponentStatus is deprecated in v1.19+' },
  schema: kind({ conditions: list(obj({ type: str, status: str, message: str, error: str }), 'type') }),
  // kubectl's columns: the Healthy condition as Healthy / Unhealthy, its message and error.
  columns: [
    nameCol,
    col('Status', (o) => {
      const c = healthy(o);
      return c ? (c.status === 'True' ? 'Healthy' : 'Unhealthy') : 'Unknown';
    }),
    col('Message', (o) => healthy(o)?.message ?? ''),
    col('Error', (o) => healthy(o)?.error ?? ''),
  ],
};

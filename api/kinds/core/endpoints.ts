// v1 Endpoints: the addresses behind a Service, written by the endpoints controller.
import { setIfMissing } from '../../defaulting.js';
import { ageCol, col, nameCol } from '../../printers.js';
import { list, obj, str } from '../../schema/dsl.js';
import { kind, objectReference } from '../../schema/meta.js';
import { endpointPort } from '../../schema/workloads.js';
import type { KubeObject, Unstructured } from '../../types/meta.js';
import { defaultStrategy } from '../strategy.js';
import { validateEndpoints } from '../../validation/endpoints.js';
import type { KindModule } from '../kind.js';

const endpointAddress = obj({ ip: str, hostname: str, nodeName: str, targetRef: objectReference });
const endpointSubset = obj({ addresses: list(endpointAddress), notReadyAddresses: list(endpointAddress), ports: list(endpointPort) });

function formatEndpoints(o: KubeObject): string {
  const out: string[] = [];
  let total = 0;
  for (const s of (o.subsets as Unstructured[]) ?? []) {
    const ports: any[] = s.ports?.length ? s.ports : [{}];
    for (const a of s.addresses ?? []) {
      for (const p of ports) {
        total++;
        if (out.length < 3) out.push(p.port ? `${a.ip}:${p.port}` : a.ip);
      }
    }
  }
  if (total === 0) return '<none>';
  return total > 3 ? `${out.join(',')} + ${total - 3} more...` : out.join(',');
}

export const endpoints: KindModule = {
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  plural: 'endpoints',
  shortNames: ['ep'],
  schema: kind({ subsets: list(endpointSubset) }),
  columns: [nameCol, col('Endpoints', formatEndpoints), ageCol],
  defaults(o) {
    for (const s of (o.subsets as Unstructured[]) ?? []) for (const p of s.ports ?? []) setIfMissing(p, 'protocol', 'TCP');
  },
  validate: validateEndpoints,
  strategy: { ...defaultStrategy, allowCreateOnUpdate: true },
};

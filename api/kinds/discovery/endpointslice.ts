// discovery.k8s.io/v1 EndpointSlice: a Service's endpoints in slices, with conditions.
import type { Unstructured } from '../../types/meta.js';
import { asText } from '../../codec/values.js';
import { ageCol, col, nameCol } from '../../printers.js';
import { bool, list, obj, str, stringMap, strings } from '../../schema/dsl.js';
import { kind, objectReference } from '../../schema/meta.js';
import { endpointPort } from '../../schema/workloads.js';
import { defaultStrategy } from '../strategy.js';
import { validateEndpointSlice, validateEndpointSliceUpdate } from '../../validation/endpoints.js';
import type { KindModule } from '../kind.js';

const sliceEndpoint = obj({
  addresses: strings,
  conditions: obj({ ready: bool, serving: bool, terminating: bool }),
  hostname: str,
  targetRef: objectReference,
  deprecatedTopology: stringMap,
  nodeName: str,
  zone: str,
  hints: obj({ forZones: list(obj({ name: str })), forNodes: list(obj({ name: str })) }),
});

export const endpointSlice: KindModule = {
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  generation: true,
  schema: kind({ addressType: str, endpoints: list(sliceEndpoint), ports: list(endpointPort) }),
  columns: [
    nameCol,
    col('AddressType', (o) => asText(o.addressType)),
    col('Ports', (o) => ((o.ports as Unstructured[]) ?? []).map((p) => p.port).join(',') || '<unset>'),
    col('Endpoints', (o) => {
      const addrs = ((o.endpoints as Unstructured[]) ?? []).flatMap((e) => e.addresses ?? []);
      if (addrs.length === 0) return '<unset>';
      return addrs.length > 3 ? `${addrs.slice(0, 3).join(',')} + ${addrs.length - 3} more...` : addrs.join(',');
    }),
    ageCol,
  ],
  // As Kubernetes defaults them: every port has a name ("" for an unnamed Service port; kubectl's
  // describe dereferences it) and a protocol.
  defaults(o) {
    if (!Array.isArray(o.ports)) return;
    o.ports = (o.ports as unknown[]).map((p) => {
      if (!p || typeof p !== 'object' || Array.isArray(p)) return p;
      const port = p as Unstructured;
      return { ...port, name: port.name ?? '', protocol: port.protocol ?? 'TCP', port: port.port };
    });
  },
  validate: validateEndpointSlice,
  validateUpdate: validateEndpointSliceUpdate,
  strategy: { ...defaultStrategy, allowCreateOnUpdate: true },
};

// discovery.k8s.io/v1 EndpointSlice, as the endpoint slice controller writes it and the proxy
// and DNS read it.
import type { KubeObject, ObjectReference } from './meta.js';

export interface Endpoint {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  nodeName?: string;
  zone?: string;
  targetRef?: ObjectReference;
}

export interface EndpointSlicePort {
  name?: string;
  port?: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  appProtocol?: string;
}

export interface EndpointSlice extends KubeObject<never, never> {
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints: Endpoint[];
  ports?: EndpointSlicePort[];
}

// coordination.k8s.io/v1 Lease: node heartbeats and leader election.
import type { KubeObject } from './meta.js';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export type Lease = KubeObject<LeaseSpec, never>;

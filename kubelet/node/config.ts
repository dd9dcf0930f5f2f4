// What the kubelet is told about its node (from its flags).
import type { Taint } from '../../api/types/core.js';

import type { Threshold } from '../eviction/thresholds.js';

export interface NodeConfig {
  nodeName: string;
  nodeIP: string;
  port: number;
  labels: Record<string, string>;
  taints: Taint[];
  maxPods: number;
  /** Resources held back from pods (--system-reserved). */
  reserved: Record<string, string>;
  /** The Lease's duration (--node-lease-duration-seconds); it is renewed every quarter of it. */
  leaseDurationSeconds: number;
  /** How often node status is computed and, when changed, written (--node-status-update-frequency). */
  statusUpdateMs: number;
  /** Pods' local storage lives here: its filesystem is the node's ephemeral-storage. */
  rootDir?: string;
  /** Eviction thresholds: the hard ones' amounts are held back from allocatable memory and storage. */
  evictionThresholds?: Threshold[];
}

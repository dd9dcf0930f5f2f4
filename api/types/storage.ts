// PersistentVolumes, their claims and StorageClasses, with the fields the volume binder, the
// provisioner, the scheduler and the kubelet use.
import type { Condition, KubeObject, LabelSelector } from './meta.js';
import type { NodeSelectorTerm } from './pod.js';

export interface PersistentVolumeClaimSpec {
  accessModes?: string[];
  resources?: { requests?: Record<string, string> };
  storageClassName?: string | null;
  volumeName?: string;
  selector?: LabelSelector;
  volumeMode?: string;
}

export interface PersistentVolumeClaimStatus {
  phase?: string;
  accessModes?: string[];
  capacity?: Record<string, string>;
  conditions?: Condition[];
  /** What the volume is being grown to (kept once it has grown). */
  allocatedResources?: Record<string, string>;
  /** Where a resize of each resource is: ControllerResizeInProgress, NodeResizePending, ... */
  allocatedResourceStatuses?: Record<string, string>;
}

export interface PersistentVolumeClaim extends KubeObject<PersistentVolumeClaimSpec, PersistentVolumeClaimStatus> {
  spec: PersistentVolumeClaimSpec;
}

export interface PersistentVolumeSpec {
  capacity?: Record<string, string>;
  accessModes?: string[];
  storageClassName?: string;
  persistentVolumeReclaimPolicy?: 'Retain' | 'Delete' | 'Recycle';
  claimRef?: { kind?: string; apiVersion?: string; namespace?: string; name?: string; uid?: string; resourceVersion?: string };
  hostPath?: { path: string; type?: string };
  local?: { path: string };
  nodeAffinity?: { required?: { nodeSelectorTerms: NodeSelectorTerm[] } };
  volumeMode?: string;
}

export interface PersistentVolume extends KubeObject<PersistentVolumeSpec, { phase?: string; message?: string; reason?: string }> {
  spec: PersistentVolumeSpec;
}

export interface StorageClass extends KubeObject<never, never> {
  provisioner: string;
  reclaimPolicy?: 'Retain' | 'Delete';
  volumeBindingMode?: 'Immediate' | 'WaitForFirstConsumer';
  parameters?: Record<string, string>;
  allowVolumeExpansion?: boolean;
}

export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';

// Owner references: which object controls another (controllers adopt, release and find their
// objects by it; the garbage collector follows it).
import type { KubeObject, OwnerReference } from './types/meta.js';

/** The owner that controls `obj` (its ownerReferences entry with controller: true), if any. */
export function controllerRef(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller);
}

/** A controlling reference to `owner`, blocking the owner's foreground deletion until `obj` goes. */
export function controllerRefTo(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

// Docker container names carry the CRI metadata, as dockershim's did:
// k8s_<container>_<pod>_<namespace>_<pod uid>_<attempt>, with "POD" as the sandbox's container
// name. None of the parts can hold "_" (DNS names and UIDs), so the name parses back; and the
// uid and attempt make it unique on the engine.
import type { ContainerMetadata, PodSandboxMetadata } from '../runtime.js';

export interface ParsedName {
  container: string;
  pod: string;
  namespace: string;
  uid: string;
  attempt: number;
}

export function sandboxName(m: PodSandboxMetadata): string {
  return `k8s_POD_${m.name}_${m.namespace}_${m.uid}_${m.attempt}`;
}

export function containerName(sandbox: PodSandboxMetadata, c: ContainerMetadata): string {
  return `k8s_${c.name}_${sandbox.name}_${sandbox.namespace}_${sandbox.uid}_${c.attempt}`;
}

/** The metadata in a name we gave; undefined for any other name. */
export function parseName(name: string): ParsedName | undefined {
  const parts = name.replace(/^\//, '').split('_');
  if (parts.length !== 6 || parts[0] !== 'k8s') return undefined;
  const [, container, pod, namespace, uid, attempt] = parts as [string, string, string, string, string, string];
  if (!/^\d+$/.test(attempt)) return undefined;
  return { container, pod, namespace, uid, attempt: Number(attempt) };
}

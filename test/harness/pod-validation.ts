// What a pod create is refused for, validated in-process as the apiserver validates it (defaults
// applied first): the causes of the 422 as "field: message", none when the pod is valid.
import { expect } from 'vitest';
import { applyDefaults } from '../../api/defaults.js';
import { StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import { validateCreate } from '../../api/validation/kinds.js';

const podTarget = { apiVersion: 'v1', kind: 'Pod', group: '', namespaced: true };

export function podCreateCauses(obj: KubeObject): string[] {
  applyDefaults(obj);
  try {
    validateCreate(podTarget, obj);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).code).toBe(422);
    return (err as StatusError).details!.causes!.map((c) => `${c.field}: ${c.message}`);
  }
}

// Defaulting, applied to every object written (create, update, patch result) in its stored
// version: each kind's module says how (api/kinds/).
import { kindOf } from './kinds/registry.js';
import type { KubeObject } from './types/meta.js';

/** Defaults `obj` in place. `apiVersion` and `kind` name its (stored) version. */
export function applyDefaults(obj: KubeObject): void {
  kindOf(obj.apiVersion ?? '', obj.kind ?? '')?.defaults?.(obj);
}

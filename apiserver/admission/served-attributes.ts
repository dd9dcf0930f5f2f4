// What webhooks and policies see of a request to a version that is not the stored one (a
// multi-version custom resource, autoscaling/v1 HorizontalPodAutoscalers): its objects in the
// request's version, as the review's kind says, not in the stored form. What a mutating
// webhook changes there is carried back into the stored object.
import { fromStorageAsync, inServedVersion, toStorageAsync } from '../../api/conversion.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { AdmissionAttributes } from './webhooks/matching.js';

export interface ServedView {
  attrs: AdmissionAttributes;
  /** Puts what mutating steps did to the served object into `stored` (in place). */
  carryBack(stored: KubeObject | undefined): Promise<void>;
}

export async function servedView(r: ResourceInfo, attrs: AdmissionAttributes): Promise<ServedView> {
  const needs = (o: KubeObject | undefined) => !!o && !inServedVersion(r, () => o.apiVersion);
  if (!needs(attrs.object) && !needs(attrs.oldObject)) return { attrs, carryBack: async () => undefined };
  const [object, oldObject] = await Promise.all([
    needs(attrs.object) ? fromStorageAsync(r, [attrs.object!]).then(([o]) => structuredClone(o!)) : attrs.object,
    needs(attrs.oldObject) ? fromStorageAsync(r, [attrs.oldObject!]).then(([o]) => o!) : attrs.oldObject,
  ]);
  const before = object ? JSON.stringify(object) : undefined;
  const view = { ...attrs, object, oldObject };
  return {
    attrs: view,
    carryBack: async (stored) => {
      if (!stored || !view.object || JSON.stringify(view.object) === before) return;
      const next = await toStorageAsync(r, view.object);
      for (const k of Object.keys(stored)) delete (stored as Record<string, unknown>)[k];
      Object.assign(stored, next);
    },
  };
}

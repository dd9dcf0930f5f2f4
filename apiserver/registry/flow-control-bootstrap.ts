// API Priority and Fairness' bootstrap configuration, kept as Kubernetes' apiserver keeps it, at
// start and every minute after:
// - every mandatory and suggested object that is missing is made (again, if someone deleted it);
// - a mandatory object (exempt, catch-all) is kept as shipped, but for the exempt level's two
//   concurrency fields, which are the operator's;
// - a suggested object is brought back to what ships while its `apf.kubernetes.io/autoupdate-spec`
//   annotation says true. Without the annotation, an object never changed since it was made
//   (generation 1) is taken as auto-updated and one that was changed is not, and the annotation is
//   written so: an operator's edits are kept once they turned auto-update off.
import { deepEqual } from '../../api/codec/values.js';
import { MANDATORY_FLOW_SCHEMAS } from '../../api/kinds/flowcontrol/flowschema.js';
import { MANDATORY_PRIORITY_LEVELS } from '../../api/kinds/flowcontrol/prioritylevelconfiguration.js';
import { AUTOUPDATE_ANNOTATION, SUGGESTED_FLOW_SCHEMAS, SUGGESTED_PRIORITY_LEVELS } from '../../api/kinds/flowcontrol/suggested-configuration.js';
import { findResource } from '../../api/resources.js';
import { StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Registry } from './registry.js';
import type { FieldTracking, ResourceStore } from './store.js';

/** Go's strconv.ParseBool, which Kubernetes reads the annotation with; undefined when it does not parse. */
function parseBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

/** Whether a suggested object's spec follows what ships (see the top of this file). */
export function autoUpdated(current: KubeObject): boolean {
  const value = current.metadata.annotations?.[AUTOUPDATE_ANNOTATION];
  const parsed = value === undefined ? undefined : parseBool(value);
  return parsed ?? current.metadata.generation === 1;
}

/**
 * What `current` should become for `wanted` (a bootstrap object, with its kind's defaults
 * applied), or undefined when it is already right.
 */
export function maintained(current: KubeObject, wanted: KubeObject, mandatory: boolean): KubeObject | undefined {
  const auto = mandatory || autoUpdated(current);
  let spec = wanted.spec as Record<string, unknown>;
  // The exempt level's concurrency fields are the operator's to set.
  if (mandatory && wanted.kind === 'PriorityLevelConfiguration' && spec.type === 'Exempt' && current.spec?.type === 'Exempt' && current.spec.exempt) spec = { ...spec, exempt: current.spec.exempt };
  const specChanges = auto && !deepEqual(current.spec, spec);
  const annotations = current.metadata.annotations ?? {};
  const annotation = annotations[AUTOUPDATE_ANNOTATION];
  // Kept as is when it says what is decided; written otherwise (missing, unparsable, or a mandatory object's false).
  const annotationChanges = annotation === undefined || parseBool(annotation) !== auto;
  if (!specChanges && !annotationChanges) return undefined;
  return {
    ...current,
    metadata: { ...current.metadata, annotations: { ...annotations, [AUTOUPDATE_ANNOTATION]: String(auto) } },
    ...(specChanges ? { spec: structuredClone(spec) } : {}),
  };
}

/** The field manager Kubernetes' apiserver writes these objects as. */
const TRACKING: FieldTracking = { manager: 'api-priority-and-fairness-config-producer-v1', apiVersion: 'flowcontrol.apiserver.k8s.io/v1' };

async function ensure(store: ResourceStore, bootstrap: readonly KubeObject[], mandatory: boolean): Promise<void> {
  await Promise.all(
    bootstrap.map(async (object) => {
      const name = object.metadata.name!;
      const wanted = structuredClone(object);
      store.info.module.defaults?.(wanted);
      const current = store.getCached(undefined, name)?.obj;
      try {
        if (!current) {
          await store.create(wanted, false, TRACKING);
          return;
        }
        if (current.metadata.deletionTimestamp || !maintained(current, wanted, mandatory)) return;
        await store.update(undefined, name, {
          dryRun: false,
          tracking: TRACKING,
          mutate: (latest) => maintained(latest, wanted, mandatory) ?? latest,
        });
      } catch (err) {
        // Another apiserver made or changed it meanwhile; the next round looks again.
        if (!(err instanceof StatusError && (err.code === 409 || err.code === 404))) throw err;
      }
    }),
  );
}

/** Makes and keeps the mandatory and suggested levels and schemas (levels first: schemas refer to them). */
export async function ensureFlowControlBootstrap(registry: Registry): Promise<void> {
  const store = (plural: string) => registry.storeFor(findResource('flowcontrol.apiserver.k8s.io', 'v1', plural)!);
  const levels = store('prioritylevelconfigurations');
  await Promise.all([ensure(levels, MANDATORY_PRIORITY_LEVELS, true), ensure(levels, SUGGESTED_PRIORITY_LEVELS, false)]);
  const schemas = store('flowschemas');
  await Promise.all([ensure(schemas, MANDATORY_FLOW_SCHEMAS, true), ensure(schemas, SUGGESTED_FLOW_SCHEMAS, false)]);
}

interface Logger {
  warn(obj: object, msg: string): void;
}

/** Runs ensureFlowControlBootstrap each minute, as Kubernetes' apiserver does; returns the function that stops it. */
export function keepFlowControlBootstrap(registry: Registry, log: Logger): () => void {
  const timer = setInterval(() => {
    void ensureFlowControlBootstrap(registry).catch((err: Error) => log.warn({ err: err.message }, 'could not keep the flow-control configuration'));
  }, 60_000);
  return () => clearInterval(timer);
}

// Template history as DaemonSets and StatefulSets keep it: each template is a ControllerRevision
// named <owner>-<hash> holding what `kubectl rollout undo` applies back (the template, replacing
// the current one), numbered in the order templates were current; a template that comes back
// is renumbered the newest. Revisions beyond revisionHistoryLimit go, oldest first, unless a
// pod still runs one.
import { controllerRefTo } from '../../api/owners.js';
import { StatusError } from '../../api/status.js';
import type { ControllerRevision } from '../../api/types/apps.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { PodTemplateSpec } from '../../api/types/pod.js';
import type { ApiClient } from '../../client/api-client.js';
import { resource } from '../../client/rest.js';
import { templateHash } from './workload-arithmetic.js';

const POD_TEMPLATE_SPEC = 'k8s.io.api.core.v1.PodTemplateSpec';

const revisions = resource('apps/v1/controllerrevisions');
export const REVISION_HASH = 'controller-revision-hash';

/**
 * What a revision holds: the patch that puts its template back, written as Kubernetes' controllers
 * write it (the template as Go encodes it, every key in order), which is what kubectl compares
 * its own encoding of the current template with to skip a rollback to the revision in place.
 */
export async function revisionData(template: PodTemplateSpec): Promise<{ spec: { template: Record<string, unknown> } }> {
  // On first use: the Go type schema is large, and a controller-manager without DaemonSets or
  // StatefulSets should not load it as it starts.
  const { goJSON, sortedKeys } = await import('../../api/protobuf/go-json.js');
  const data = { spec: { template: { ...(goJSON(POD_TEMPLATE_SPEC, template) as Record<string, unknown>), $patch: 'replace' } } };
  return sortedKeys(data) as typeof data;
}

export interface RecordedRevision {
  name: string;
  hash: string;
}

export async function recordRevision(
  client: ApiClient,
  owner: KubeObject & { spec: { template: PodTemplateSpec; revisionHistoryLimit?: number } },
  kind: 'DaemonSet' | 'StatefulSet',
  history: ControllerRevision[],
  inUse: Set<string>,
): Promise<RecordedRevision> {
  const template = owner.spec.template;
  const hash = templateHash(template);
  const name = `${owner.metadata.name}-${hash}`;
  const max = history.reduce((m, r) => Math.max(m, Number(r.revision) || 0), 0);
  const mine = history.find((r) => r.metadata.name === name);
  try {
    if (!mine) {
      await client.create<ControllerRevision>(revisions, owner.metadata.namespace, {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: {
          name,
          namespace: owner.metadata.namespace,
          labels: { ...(template.metadata?.labels ?? {}), [REVISION_HASH]: hash },
          ...(owner.metadata.annotations?.['kubernetes.io/change-cause'] ? { annotations: { 'kubernetes.io/change-cause': owner.metadata.annotations['kubernetes.io/change-cause'] } } : {}),
          ownerReferences: [controllerRefTo(owner, 'apps/v1', kind)],
        },
        data: await revisionData(template),
        revision: max + 1,
      });
    } else if (Number(mine.revision) < max) {
      await client.update<ControllerRevision>(revisions, { ...structuredClone(mine), revision: max + 1 });
    }
  } catch (err) {
    if (!(err instanceof StatusError && (err.code === 409 || err.code === 404))) throw err;
  }
  const limit = owner.spec.revisionHistoryLimit ?? 10;
  const old = history.filter((r) => r.metadata.name !== name && !inUse.has(r.metadata.name!)).sort((a, b) => a.revision - b.revision);
  for (const r of old.slice(0, Math.max(0, old.length - limit))) {
    await client.delete(revisions, r.metadata.namespace, r.metadata.name!).catch((err) => {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    });
  }
  return { name, hash };
}

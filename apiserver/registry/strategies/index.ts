// The strategy of each kind, keyed by `<storage groupVersion>/<Kind>`.
import type { KubeObject } from '../../../api/types/meta.js';
import { clone } from '../../../api/codec/values.js';
import { bumpGenerationOnSpecChange, defaultStrategy, withStatus, type Strategy } from '../strategy.js';
import { podStrategy, type PodStrategyOptions } from './pod.js';

const namespaceStrategy: Strategy = withStatus({
  prepareForCreate(ns: KubeObject) {
    ns.metadata.generation = 1;
    ns.status = { phase: 'Active' };
  },
  prepareForUpdate(next, prev) {
    next.status = clone(prev.status);
    // spec.finalizers change only through the finalize subresource.
    next.spec = { ...(next.spec ?? {}), finalizers: prev.spec?.finalizers };
    bumpGenerationOnSpecChange(next, prev);
  },
  beginDelete(ns) {
    ns.status = { ...(ns.status ?? {}), phase: 'Terminating' };
    return (ns.spec?.finalizers ?? []).length > 0;
  },
  // A namespace goes only once the namespace controller has emptied it and cleared spec.finalizers.
  readyToRemove: (ns) => (ns.spec?.finalizers ?? []).length === 0,
  returnDeletedObject: true,
});

const usesNodePorts = (type: string | undefined) => type === 'NodePort' || type === 'LoadBalancer';

/**
 * A Service changed away from NodePort/LoadBalancer drops the node ports it still carries (they
 * are freed), as Kubernetes does, rather than failing validation on them.
 */
const serviceStrategy: Strategy = withStatus({
  returnDeletedObject: true,
  prepareForUpdate(next, prev) {
    if (prev.status !== undefined) next.status = clone(prev.status);
    else delete next.status;
    if (usesNodePorts(prev.spec?.type) && !usesNodePorts(next.spec?.type)) {
      for (const p of (next.spec?.ports ?? []) as Array<Record<string, unknown>>) {
        const was = ((prev.spec?.ports ?? []) as Array<Record<string, unknown>>).find((o) => o.nodePort === p.nodePort);
        if (was) delete p.nodePort;
      }
    }
    if (next.spec?.type === 'ExternalName' && prev.spec?.type !== 'ExternalName' && next.spec.clusterIP === prev.spec?.clusterIP) {
      delete next.spec.clusterIP;
      delete next.spec.clusterIPs;
    }
    bumpGenerationOnSpecChange(next, prev);
  },
});

/** A Job gets a selector on its own uid unless the user manages it (spec.manualSelector). */
const jobStrategy: Strategy = withStatus({
  prepareForCreate(job) {
    job.metadata.generation = 1;
    delete job.status;
    const spec = (job.spec ??= {});
    if (spec.manualSelector) return;
    const uid = job.metadata.uid!;
    const name = job.metadata.name!;
    spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
    const template = (spec.template ??= {});
    const meta = (template.metadata ??= {});
    meta.labels = {
      ...(meta.labels ?? {}),
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': name,
      'controller-uid': uid,
      'job-name': name,
    };
  },
});

/** Nodes may report status when they register. */
const nodeStrategy: Strategy = withStatus({
  prepareForCreate(node) {
    node.metadata.generation = 1;
  },
});

const createOnUpdate: Strategy = { ...defaultStrategy, allowCreateOnUpdate: true };

export function strategies(opts: PodStrategyOptions): Record<string, Strategy> {
  const statusKinds = [
    'v1/ReplicationController',
    'v1/PersistentVolumeClaim',
    'v1/PersistentVolume',
    'v1/ResourceQuota',
    'apps/v1/Deployment',
    'apps/v1/ReplicaSet',
    'apps/v1/StatefulSet',
    'apps/v1/DaemonSet',
    'batch/v1/CronJob',
    'autoscaling/v2/HorizontalPodAutoscaler',
    'networking.k8s.io/v1/Ingress',
    'policy/v1/PodDisruptionBudget',
  ];
  return {
    ...Object.fromEntries(statusKinds.map((k) => [k, withStatus()])),
    'v1/Pod': podStrategy(opts),
    'v1/Namespace': namespaceStrategy,
    'v1/Node': nodeStrategy,
    'v1/Service': serviceStrategy,
    'batch/v1/Job': jobStrategy,
    'coordination.k8s.io/v1/Lease': createOnUpdate,
    'v1/Endpoints': createOnUpdate,
    'discovery.k8s.io/v1/EndpointSlice': createOnUpdate,
  };
}

export function strategyFor(table: Record<string, Strategy>, apiVersion: string, kind: string): Strategy {
  return table[`${apiVersion}/${kind}`] ?? defaultStrategy;
}

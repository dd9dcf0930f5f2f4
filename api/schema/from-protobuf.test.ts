import { describe, expect, it } from 'vitest';
import { checkSchema } from './check.js';
import { child, type ArraySchema } from './dsl.js';
import { schemaFor } from './kinds.js';

describe('hand-described kinds completed from Kubernetes\' shape', () => {
  it('know every field Kubernetes has where the hand left them open', () => {
    const namespace = schemaFor('v1', 'Namespace');
    expect(child(child(namespace, 'status'), 'phase')).toEqual({ t: 'string' });
    const daemonSet = schemaFor('apps/v1', 'DaemonSet');
    expect(child(child(daemonSet, 'status'), 'numberMisscheduled')).toEqual({ t: 'int32' });
    expect(child(child(schemaFor('v1', 'Node'), 'status'), 'nodeInfo')).toMatchObject({ t: 'object' });
  });

  it('report and drop fields Kubernetes does not have, as its decoder does', () => {
    const ns = { status: { phase: 'Active', bogus: 1 }, spec: { finalizers: ['kubernetes'] } };
    expect(checkSchema(ns, schemaFor('v1', 'Namespace')).unknownFields).toEqual(['status.bogus']);
    expect(ns.status).toEqual({ phase: 'Active' });
    const ds = { spec: { selector: {}, minReadySeconds: 5, templat: {} } };
    expect(checkSchema(ds, schemaFor('apps/v1', 'DaemonSet')).unknownFields).toEqual(['spec.templat']);
  });

  it('keep what the hand wrote: merge keys and free-form parts', () => {
    const containers = child(child(schemaFor('v1', 'Pod'), 'spec'), 'containers') as ArraySchema;
    expect(child(child(containers.items, 'resources'), 'claims')).toMatchObject({ t: 'array', mergeKey: 'name' });
    expect(child(schemaFor('apps/v1', 'ControllerRevision'), 'data')).toEqual({ t: 'any' });
  });
});

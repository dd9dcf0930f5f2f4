// The schema a body of `<groupVersion>/<Kind>` is checked against: the kind module's (api/kinds/),
// or for bodies that are not resources of their own (Scale, Eviction) the ones below.
import { kindOf } from '../kinds/registry.js';
import { int32, obj, str, type Schema } from './dsl.js';
import { deleteOptions, kind } from './meta.js';
import { loose } from './workloads.js';

const bodies: Record<string, Schema> = {
  'autoscaling/v1/Scale': kind({ spec: obj({ replicas: int32 }), status: obj({ replicas: int32, selector: str }) }),
  'policy/v1/Eviction': kind({ deleteOptions }),
  'meta.k8s.io/v1/DeleteOptions': deleteOptions,
};

export function schemaFor(apiVersion: string, kindName: string): Schema {
  return kindOf(apiVersion, kindName)?.schema ?? bodies[`${apiVersion}/${kindName}`] ?? loose;
}

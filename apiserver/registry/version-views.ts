// The other served versions of a stored resource, as managedFields need them: the entries a
// write in autoscaling/v1 (or a custom resource's other version) makes name fields as that
// version shapes them, and later writes are compared in it (api/managed-fields). Versions that
// only a conversion webhook converts get no view: their entries are kept in the stored shape.
import { clone } from '../../api/codec/values.js';
import type { KindModule } from '../../api/kinds/kind.js';
import type { VersionView, VersionViews } from '../../api/managed-fields/managed-fields.js';
import { shapeOfKind } from '../../api/managed-fields/shapes.js';
import type { Shape } from '../../api/managed-fields/field-set.js';
import { groupVersion, type ResourceInfo, type ResourceTable } from '../../api/resources.js';

/** Shapes by kind module: a custom resource's changed definition brings new modules, so new shapes. */
const shapes = new WeakMap<KindModule, Shape>();

export function versionViews(table: ResourceTable, stored: ResourceInfo): VersionViews {
  const storedVersion = groupVersion(stored);
  return (apiVersion: string): VersionView | undefined => {
    if (apiVersion === storedVersion) return undefined;
    const slash = apiVersion.indexOf('/');
    const r = table.find(slash < 0 ? '' : apiVersion.slice(0, slash), apiVersion.slice(slash + 1), stored.plural);
    const conversion = r?.module.conversion;
    if (!r || r.storage !== stored.storage || r.storageVersion || !conversion || conversion.remote) return undefined;
    let shape = shapes.get(r.module);
    if (!shape) shapes.set(r.module, (shape = shapeOfKind(r.module)));
    return { shape, convert: (o) => conversion.fromStorage(clone(o)) };
  };
}

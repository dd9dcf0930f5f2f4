// The other served versions of a stored resource, as managedFields need them: the entries a
// write in autoscaling/v1 (or a custom resource's other version) makes name fields as that
// version shapes them, and later writes are compared in it (api/managed-fields); server-side apply
// in a served version sees those managers through appliedVersionViews. Versions that
// only a conversion webhook converts get no view: their entries are kept in the stored shape.
import { clone } from '../../api/codec/values.js';
import { convertsRemotely, toStorage } from '../../api/conversion.js';
import type { KindModule } from '../../api/kinds/kind.js';
import type { VersionView, VersionViews } from '../../api/managed-fields/managed-fields.js';
import { shapeOfKind } from '../../api/managed-fields/shapes.js';
import type { Shape } from '../../api/managed-fields/field-set.js';
import { groupVersion, type ResourceInfo, type ResourceTable } from '../../api/resources.js';
import type { ResourceStore } from './store.js';

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

/**
 * The views server-side apply in `written` (a served version of `r`) sees other versions'
 * managers through: the applier's object converted to each manager's version, by way of the
 * stored one. None when `written` converts only through a webhook.
 */
export function appliedVersionViews(r: ResourceInfo, store: ResourceStore, written: string): VersionViews | undefined {
  const views = store.versionViews;
  if (!views || convertsRemotely(r)) return undefined;
  const stored = store.target.apiVersion;
  return (apiVersion) => {
    if (apiVersion === written) return undefined;
    if (apiVersion === stored) return { shape: store.shape, convert: (o) => toStorage(r, clone(o)) };
    const view = views(apiVersion);
    return view && { shape: view.shape, convert: (o) => view.convert(toStorage(r, clone(o))) };
  };
}

// An object's metadata without managedFields, for readers that never use them (informers, the
// watch cache's parsed objects, diffs of what a write changed). Built anew rather than with
// `delete`: deleting a property that is not an object's last one turns it into a
// dictionary-mode object, about three times the memory of a plain one and slower to read.
import type { ObjectMeta } from '../types/meta.js';

export function metadataWithoutManagedFields(meta: ObjectMeta): ObjectMeta {
  if (meta.managedFields === undefined) return meta;
  const { managedFields: _dropped, ...rest } = meta;
  return rest;
}

// metadata.managedFields as Kubernetes keeps them: who set which field. Every write records
// its manager (Update: the fields it changed move to it; Apply: exactly the fields of the
// applied configuration), and server-side apply merges a configuration into the live object,
// refuses (409) to change fields another manager set to another value unless forced, and
// removes the fields an applier stopped sending when nobody else owns them.
import { clone, deepEqual, isObject, own, setOwn } from '../codec/values.js';
import { StatusError } from '../status.js';
import type { KubeObject } from '../types/meta.js';
import { conflictAllowance, syncLastApplied } from './last-applied.js';
import { metadataWithoutManagedFields } from './without-managed-fields.js';
import { ancestorsOf, belowAny, changedFields, describePath, fieldsOf, fieldsOfCreate, fieldsV1Of, fromFieldsV1, hasKeys, keyValue, removeAt, SEP, shapeStep, toFieldsV1, unkey, valueAt, type FieldSet, type Shape } from './field-set.js';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export interface Writer {
  manager: string;
  /** The group version the request was made in. */
  apiVersion: string;
  subresource?: string;
  now: string;
}

/** Metadata fields someone owns; the rest (name, uid, resourceVersion, ...) are the server's, as in Kubernetes. */
const METADATA_TRACKED = new Set(['generateName', 'labels', 'annotations', 'finalizers', 'ownerReferences']);

/**
 * Whether ownership covers a top-level field (and, under metadata, the field below it) for a
 * write: no envelope, little metadata, status only through /status.
 */
function covers(top: string, metadataField: string | undefined, hasStatus: boolean, subresource: string | undefined): boolean {
  if (top === 'apiVersion' || top === 'kind') return false;
  if (subresource === 'status') return top === 'status';
  if (hasStatus && top === 'status') return false;
  return top !== 'metadata' || METADATA_TRACKED.has(metadataField ?? '');
}

/** The fields of `set` ownership covers for a write. */
function tracked(set: FieldSet, hasStatus: boolean, subresource: string | undefined): FieldSet {
  const out: FieldSet = new Set();
  for (const k of set) {
    // Top-level path elements are `f:` fields: the object is a struct.
    const cut = k.indexOf(SEP);
    const top = (cut < 0 ? k : k.slice(0, cut)).slice(2);
    const next = cut < 0 ? -1 : k.indexOf(SEP, cut + 1);
    const second = cut < 0 ? undefined : k.slice(cut + 3, next < 0 ? undefined : next);
    if (covers(top, second, hasStatus, subresource)) out.add(k);
  }
  return out;
}

/** The part of an object ownership covers for a write, as an object: what a create's writer owns. */
function trackedPart(obj: KubeObject, hasStatus: boolean, subresource: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const o = obj as unknown as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== 'metadata') {
      if (covers(k, undefined, hasStatus, subresource)) setOwn(out, k, o[k]);
      continue;
    }
    const meta = o.metadata;
    if (!isObject(meta)) continue;
    const kept: Record<string, unknown> = {};
    for (const mk of Object.keys(meta)) if (covers(k, mk, hasStatus, subresource)) kept[mk] = meta[mk];
    if (hasKeys(kept)) out.metadata = kept;
  }
  return out;
}

/** The entries of an object, as (entry, set) pairs; malformed ones are dropped. */
function parse(entries: unknown): Array<{ entry: ManagedFieldsEntry; set: FieldSet }> {
  if (!Array.isArray(entries)) return [];
  return entries
    .filter((e): e is ManagedFieldsEntry => isObject(e) && typeof e.manager === 'string' && (e.operation === 'Apply' || e.operation === 'Update') && (e.apiVersion === undefined || typeof e.apiVersion === 'string'))
    // An entry a client wrote without a version is read as Go reads it: the empty version.
    .map((entry) => ({ entry: { ...entry, apiVersion: entry.apiVersion ?? '' }, set: fromFieldsV1(entry.fieldsV1) }));
}

function serialize(list: Array<{ entry: ManagedFieldsEntry; set: FieldSet }>): ManagedFieldsEntry[] {
  return list
    .filter((x) => x.set.size > 0)
    .map(({ entry, set }) => ({
      manager: entry.manager,
      operation: entry.operation,
      // Go omits an empty version when it encodes the entry.
      apiVersion: (entry.apiVersion || undefined) as string,
      time: entry.time,
      fieldsType: 'FieldsV1' as const,
      fieldsV1: toFieldsV1(set),
      ...(entry.subresource ? { subresource: entry.subresource } : {}),
    }));
}

const sameSlot = (e: ManagedFieldsEntry, w: Writer, operation: 'Apply' | 'Update') =>
  e.manager === w.manager && e.operation === operation && (operation === 'Apply' || e.apiVersion === w.apiVersion) && (e.subresource ?? '') === (w.subresource ?? '');

/**
 * An object as a version other than the stored one shapes it, for entries recorded in that
 * version: Kubernetes names each manager's fields as the version it wrote in does (an
 * autoscaling/v1 writer owns `spec.targetCPUUtilizationPercentage`, which the stored v2 object
 * does not have), and compares objects in that version to see what a later write took from it.
 */
export interface VersionView {
  shape: Shape;
  /** The stored object in this version; must not change its argument. */
  convert(stored: KubeObject): KubeObject;
}

/** The view of a version other than the stored one; undefined for the stored version and for versions only a webhook converts. */
export type VersionViews = (apiVersion: string) => VersionView | undefined;

/**
 * The managedFields after an Update-style write (create, update, any patch but apply):
 * the fields it added or changed belong to `w` now, removed ones to nobody. `requested` are
 * managedFields the client sent that differ from the live ones (kubectl moving ownership
 * from client-side to server-side apply); they replace the live ones first. `prev` and `next`
 * are stored objects; `views` shows them in the versions of entries made in other versions.
 */
export function recordUpdate(
  prev: KubeObject | undefined,
  next: KubeObject,
  shape: Shape,
  hasStatus: boolean,
  w: Writer,
  requested?: unknown,
  views?: VersionViews,
): ManagedFieldsEntry[] {
  // A version the objects do not convert to (a conversion that throws on them) is seen in the stored shape.
  const viewOf = (apiVersion: string): { view: VersionView; prev?: KubeObject; next: KubeObject } | undefined => {
    const view = views?.(apiVersion);
    if (!view) return undefined;
    try {
      return { view, prev: prev && view.convert(prev), next: view.convert(next) };
    } catch {
      return undefined;
    }
  };
  const writerView = viewOf(w.apiVersion);
  if (!prev && requested === undefined) {
    // A create: every tracked field is the writer's, so its entry is the object's own fields.
    const own = writerView ? writerView.next : next;
    const fieldsV1 = fieldsV1Of(trackedPart(own, hasStatus, w.subresource), writerView?.view.shape ?? shape);
    if (fieldsV1 !== undefined) {
      if (!hasKeys(fieldsV1)) return [];
      return [{ manager: w.manager, operation: 'Update', apiVersion: w.apiVersion, time: w.now, fieldsType: 'FieldsV1', fieldsV1, ...(w.subresource ? { subresource: w.subresource } : {}) }];
    }
  }
  const base = requested !== undefined ? requested : prev?.metadata.managedFields;
  const list = parse(base);
  // What the write changed and removed, as each version an entry was made in sees it (once per
  // version; versions without a view share the stored shape's answer).
  type Diff = { changed: FieldSet; removed: FieldSet };
  const diffOf = (v: ReturnType<typeof viewOf>): Diff => {
    const sh = v?.view.shape ?? shape;
    const after = withoutManaged(v ? v.next : next);
    if (!prev) return { changed: tracked(fieldsOfCreate(after, sh), hasStatus, w.subresource), removed: new Set() };
    const diff = changedFields(withoutManaged(v?.prev ?? prev), after, sh);
    return { changed: tracked(diff.changed, hasStatus, w.subresource), removed: tracked(diff.removed, hasStatus, w.subresource) };
  };
  const diffs = new Map<string, Diff>();
  let storedDiff: Diff | undefined;
  const diffIn = (apiVersion: string): Diff => {
    let d = diffs.get(apiVersion);
    if (!d) {
      const v = apiVersion === w.apiVersion ? writerView : viewOf(apiVersion);
      d = v ? diffOf(v) : (storedDiff ??= diffOf(undefined));
      diffs.set(apiVersion, d);
    }
    return d;
  };
  const { changed, removed } = diffIn(w.apiVersion);
  if (changed.size === 0 && removed.size === 0) return requested !== undefined ? serialize(list) : ((prev?.metadata.managedFields as ManagedFieldsEntry[] | undefined) ?? []);
  for (const x of list) {
    const d = diffIn(x.entry.apiVersion);
    for (const k of [...d.changed, ...d.removed]) x.set.delete(k);
  }
  let mine = list.find((x) => sameSlot(x.entry, w, 'Update'));
  if (!mine) list.push((mine = { entry: { manager: w.manager, operation: 'Update', apiVersion: w.apiVersion, time: w.now, fieldsType: 'FieldsV1', fieldsV1: {}, ...(w.subresource ? { subresource: w.subresource } : {}) }, set: new Set() }));
  for (const k of changed) mine.set.add(k);
  mine.entry = { ...mine.entry, time: w.now };
  return serialize(list);
}

function withoutManaged(o: KubeObject): KubeObject {
  return { ...o, metadata: metadataWithoutManagedFields(o.metadata) };
}

/**
 * Merges an applied configuration into the live object, field by field as the shape says.
 * Iterative: configurations may nest as deep as request bodies do.
 */
export function mergeApplied(live: unknown, config: unknown, shape: Shape): unknown {
  const root: { value: unknown } = { value: undefined };
  // Each task fills `set` with the merge of (live, config) under `shape`.
  const tasks: Array<{ live: unknown; config: unknown; shape: Shape; set: (v: unknown) => void }> = [{ live, config, shape, set: (v) => (root.value = v) }];
  while (tasks.length) {
    const t = tasks.pop()!;
    const { config: c, shape: s } = t;
    if (s.kind === 'struct' && isObject(c)) {
      const out: Record<string, unknown> = isObject(t.live) ? clone(t.live) : {};
      t.set(out);
      for (const k of Object.keys(c)) {
        const v = c[k];
        if (v === null) delete out[k];
        else tasks.push({ live: own(out, k), config: v, shape: shapeStep(s, `f:${k}`), set: (x) => setOwn(out, k, x) });
      }
    } else if (s.kind === 'listMap' && Array.isArray(c)) {
      const out: unknown[] = Array.isArray(t.live) ? clone(t.live) : [];
      t.set(out);
      // Items found by their keys through a map (a scan per item was quadratic in long lists);
      // an item lacking a key, or keyed by objects, is matched by a scan as before.
      const keyed = new Map<string, number>();
      const keysOf = (x: unknown): string | undefined => {
        if (!isObject(x)) return undefined;
        const values = s.keys.map((k) => keyValue(x, k));
        return values.every((v) => v !== undefined && (v === null || typeof v !== 'object')) ? JSON.stringify(values) : undefined;
      };
      out.forEach((x, i) => {
        const k = keysOf(x);
        if (k !== undefined && !keyed.has(k)) keyed.set(k, i);
      });
      for (const item of c) {
        let i = -1;
        if (isObject(item) && s.keys.length) {
          const k = keysOf(item);
          i = k !== undefined ? (keyed.get(k) ?? -1) : out.findIndex((x) => isObject(x) && s.keys.every((n) => deepEqual(keyValue(x, n), keyValue(item, n))));
        }
        if (i >= 0) {
          const at = i;
          tasks.push({ live: out[at], config: item, shape: s.item, set: (x) => (out[at] = x) });
        } else {
          const k = keysOf(item);
          if (k !== undefined && s.keys.length && !keyed.has(k)) keyed.set(k, out.length);
          out.push(clone(item));
        }
      }
    } else if (s.kind === 'set' && Array.isArray(c)) {
      const out: unknown[] = Array.isArray(t.live) ? clone(t.live) : [];
      // Scalars (what sets hold: finalizers, names) by a Set; anything else by a scan.
      const scalar = (x: unknown) => x === null || typeof x !== 'object';
      const held = new Set(out.filter(scalar));
      for (const item of c) {
        if (scalar(item) ? held.has(item) : out.some((x) => deepEqual(x, item))) continue;
        out.push(clone(item));
        if (scalar(item)) held.add(item);
      }
      t.set(out);
    } else {
      t.set(clone(c));
    }
  }
  return root.value;
}


export interface ApplyResult {
  object: KubeObject;
  managedFields: ManagedFieldsEntry[];
}

/**
 * Server-side apply of `config` by `w` onto `live` (undefined: the object is being created).
 * Throws 409 Conflict naming every field another manager set to another value, unless `force`.
 */
export function applyConfiguration(
  live: KubeObject | undefined,
  config: KubeObject,
  shape: Shape,
  hasStatus: boolean,
  w: Writer,
  force: boolean,
  otherVersions?: VersionViews,
): ApplyResult {
  const applied = tracked(fieldsOf(config, shape), hasStatus, w.subresource);
  const list = parse(live?.metadata.managedFields);
  const conflicts: Array<{ manager: string; apiVersion: string; path: string; subresource?: string }> = [];
  // kubectl moving an object from client-side apply takes over what the last-applied configuration still describes.
  const allowance = conflictAllowance(live, w.manager);
  const takenOver: Array<() => void> = [];
  // Each test below is a set look-up: configurations of tens of thousands of fields are applied.
  const appliedAncestors = ancestorsOf(applied);
  const leaves = [...applied].filter((k) => !appliedAncestors.has(k));
  // Managers of another version: their fields are compared in their version, once the result is known.
  const elsewhere: Array<{ x: (typeof list)[number]; view: VersionView }> = [];
  for (const x of list) {
    if (x.entry.manager === w.manager) continue;
    const view = live && x.entry.apiVersion !== w.apiVersion ? otherVersions?.(x.entry.apiVersion) : undefined;
    if (view) {
      elsewhere.push({ x, view });
      continue;
    }
    for (const k of leaves) {
      if (!x.set.has(k)) continue;
      const path = unkey(k);
      const now = valueAt(live, path);
      const want = valueAt(config, path);
      if (now.found && deepEqual(now.value, want.value)) continue;
      if (force) x.set.delete(k);
      else if (allowance?.(path)) takenOver.push(() => x.set.delete(k));
      else conflicts.push({ manager: x.entry.manager, apiVersion: x.entry.apiVersion, path: describePath(path), ...(x.entry.subresource ? { subresource: x.entry.subresource } : {}) });
    }
  }
  const object = (live ? mergeApplied(live, config, shape) : clone(config)) as KubeObject;
  // What this applier owned and no longer sends goes, unless someone else owns it (or below it).
  const mine = list.find((x) => sameSlot(x.entry, w, 'Apply'));
  const dropped = [...(mine?.set ?? [])].filter((k) => !applied.has(k));
  const others = list.filter((x) => x !== mine).map((x) => x.set);
  let othersAncestors: Set<string> | undefined;
  const ownedByOthers = (k: string) => others.some((set) => set.has(k)) || (othersAncestors ??= ancestorsOf(others.flatMap((set) => [...set]))).has(k);
  // A node (an object or list an Update added, `.`) stays while anything applied now is below it.
  const holdsApplied = (k: string) => appliedAncestors.has(k);
  // Outermost first (an item goes whole, found by its keys before they are removed), and
  // nothing below what is already gone.
  const gone = new Set<string>();
  // A field another version's manager owns under its own name stays too: removing it would
  // take something from that manager, seen in its version.
  const ownedElsewhere = (k: string) => {
    if (elsewhere.length === 0) return false;
    const trial = clone(object) as KubeObject;
    removeAt(trial, unkey(k));
    return elsewhere.some(({ x, view }) => {
      try {
        const diff = changedFields(withoutManaged(view.convert(object)), withoutManaged(view.convert(trial)), view.shape);
        return [...x.set].some((f) => diff.removed.has(f) || diff.changed.has(f));
      } catch {
        return false;
      }
    });
  };
  const depth = new Map(dropped.map((k) => [k, unkey(k).length]));
  for (const k of dropped.sort((a, b) => depth.get(a)! - depth.get(b)!)) {
    if (belowAny(k, gone) || ownedByOthers(k) || holdsApplied(k) || ownedElsewhere(k)) continue;
    removeAt(object, unkey(k));
    gone.add(k);
  }
  // What the apply changes of another version's manager's fields, seen in that version: a
  // conflict unless forced (then theirs no more); what it removes is theirs no more.
  for (const { x, view } of elsewhere) {
    let diff: { changed: FieldSet; removed: FieldSet };
    try {
      diff = changedFields(withoutManaged(view.convert(live!)), withoutManaged(view.convert(object)), view.shape);
    } catch {
      continue;
    }
    for (const k of [...x.set]) {
      if (diff.removed.has(k)) x.set.delete(k);
      else if (!diff.changed.has(k)) continue;
      else if (force) x.set.delete(k);
      else conflicts.push({ manager: x.entry.manager, apiVersion: x.entry.apiVersion, path: describePath(unkey(k)), ...(x.entry.subresource ? { subresource: x.entry.subresource } : {}) });
    }
  }
  if (conflicts.length) throw conflictError(conflicts, config);
  for (const take of takenOver) take();
  const entry: ManagedFieldsEntry = { manager: w.manager, operation: 'Apply', apiVersion: w.apiVersion, time: w.now, fieldsType: 'FieldsV1', fieldsV1: {}, ...(w.subresource ? { subresource: w.subresource } : {}) };
  // An unchanged ownership keeps its time: a repeated apply is a no-op.
  const unchanged = mine && mine.set.size === applied.size && [...applied].every((k) => mine.set.has(k)) && mine.entry.apiVersion === w.apiVersion;
  const updated = { entry: unchanged ? mine.entry : entry, set: applied };
  // The applier's entry keeps its place in the list.
  const ordered = mine ? list.map((x) => (x === mine ? updated : x)) : [...list, updated];
  syncLastApplied(object, config, w.manager);
  return { object, managedFields: serialize(ordered) };
}

function conflictError(conflicts: Array<{ manager: string; apiVersion: string; path: string; subresource?: string }>, config: KubeObject): StatusError {
  const n = conflicts.length;
  const byManager = new Map<string, string[]>();
  conflicts.sort((a, b) => (a.manager === b.manager ? (a.path < b.path ? -1 : 1) : a.manager < b.manager ? -1 : 1));
  for (const c of conflicts) {
    const k = `conflict with "${c.manager}"${c.subresource ? ` with subresource "${c.subresource}"` : ''} using ${c.apiVersion}`;
    const paths = byManager.get(k);
    if (paths) paths.push(c.path);
    else byManager.set(k, [c.path]);
  }
  const parts = [...byManager].map(([who, paths]) => (paths.length === 1 ? `${who}: ${paths[0]}` : `${who.replace(/^conflict/, 'conflicts')}:\n${paths.map((p) => `- ${p}`).join('\n')}`));
  const message = `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${parts.join('\n')}`;
  return new StatusError(409, 'Conflict', message, {
    name: config.metadata?.name,
    kind: config.kind,
    causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"${c.subresource ? ` with subresource "${c.subresource}"` : ''} using ${c.apiVersion}`, field: c.path })),
  });
}


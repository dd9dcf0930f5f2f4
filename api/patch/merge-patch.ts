// RFC 7386 JSON Merge Patch: objects merge recursively, null deletes, anything else replaces.

export function applyMergePatch(original: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const base: Record<string, unknown> =
    original && typeof original === 'object' && !Array.isArray(original) ? structuredClone(original as Record<string, unknown>) : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete base[key];
    else base[key] = applyMergePatch(base[key], value);
  }
  return base;
}

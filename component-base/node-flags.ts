// Parsers for the list-valued flags that describe a node (--register-with-taints,
// --node-labels, --system-reserved), shared by the kubelet and the simulated nodes.
import type { Taint } from '../api/types/core.js';

/** Parses "key=value:Effect,key:Effect" (--register-with-taints). */
export function parseTaints(spec: string): Taint[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [kv, effectText] = s.split(':');
      const effect = effectText as Taint['effect'] | undefined;
      if (!effect || !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect)) throw new Error(`invalid taint ${s}: effect must be NoSchedule, PreferNoSchedule or NoExecute`);
      const [key, value] = kv!.split('=');
      return { key: key!, ...(value !== undefined ? { value } : {}), effect };
    });
}

/** Parses "k=v,k2=v2" (--node-labels, --system-reserved). */
export function parseKeyValues(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`invalid key=value pair ${part}`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

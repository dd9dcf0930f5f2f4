// Go's `%+v` of a value decoded from JSON into interface{}: how Kubernetes shows a patch it
// could not apply (maps with sorted keys, slices with spaces, strings bare, nil as <nil>).

/** Go's %v of a float64: shortest digits, exponent form below 1e-4 and from 1e21, two-digit exponents. */
function goFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    const [mantissa, exponent] = n.toExponential().split('e');
    const sign = exponent!.startsWith('-') ? '-' : '+';
    const digits = exponent!.replace(/^[-+]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(n);
}

export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') {
    const entries = Object.keys(v).sort().map((k) => `${k}:${goValue((v as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  if (typeof v === 'number') return goFloat(v);
  return String(v);
}

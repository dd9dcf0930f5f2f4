// metav1.Time on the wire: RFC 3339 with second precision.

export function rfc3339(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime on the wire: RFC 3339 with microseconds (Leases use it). */
export function microTime(date: Date = new Date()): string {
  return date.toISOString().replace('Z', '000Z');
}

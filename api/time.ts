// metav1.Time on the wire: RFC 3339 with second precision.

// Every write stamps the current second, often thousands of times within it: the last
// second's text is kept.
let lastSecond = NaN;
let lastText = '';

export function rfc3339(date: Date = new Date()): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastSecond) {
    lastText = date.toISOString().replace(/\.\d{3}Z$/, 'Z'); // an invalid date throws here, as before
    lastSecond = second;
  }
  return lastText;
}

/** metav1.MicroTime on the wire: RFC 3339 with microseconds (Leases use it). */
export function microTime(date: Date = new Date()): string {
  return date.toISOString().replace('Z', '000Z');
}

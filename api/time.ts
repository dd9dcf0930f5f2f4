// metav1.Time on the wire: RFC 3339 with second precision, written as Kubernetes writes it and
// read as Go's time.Parse(time.RFC3339, ...) reads it, which is how every Kubernetes client
// decodes one: a stored value it cannot parse would make whole lists of the kind undecodable
// for Go clients, so the apiserver refuses such a value as Kubernetes does.

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

const LAYOUT = '2006-01-02T15:04:05Z07:00';
const MICRO_LAYOUT = '2006-01-02T15:04:05.000000Z07:00';

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/**
 * A time as the apiserver keeps it: what Go writes back after decoding it (UTC; whole seconds
 * for a Time, six digits of microseconds for a MicroTime), or `absent` for Go's zero time,
 * which Kubernetes writes as null; or Go's error for a value it cannot decode.
 */
export type DecodedTime = { value: string } | { absent: true } | { error: string };

/**
 * Decodes `value` as Kubernetes decodes a metav1.Time (`micros` false: Go's time.RFC3339
 * layout, any fraction read and dropped) or a metav1.MicroTime (`micros`: exactly six
 * fractional digits, as Go's "2006-01-02T15:04:05.000000Z07:00" demands).
 */
export function decodeTime(value: string, micros = false): DecodedTime {
  const layout = micros ? MICRO_LAYOUT : LAYOUT;
  const cannot = (at: number, element: string) => ({ error: `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(value.slice(at))} as ${JSON.stringify(element)}` });
  const outOfRange = (what: string) => ({ error: `parsing time ${JSON.stringify(value)}: ${what} out of range` });
  const digits = (at: number, n: number) => {
    for (let i = at; i < at + n; i++) if (!isDigit(value[i])) return undefined;
    return Number(value.slice(at, at + n));
  };
  // Each element of the layout in turn, at cursor `at`.
  let at = 0;
  const fixed = (n: number, element: string): number | { error: string } => {
    const v = digits(at, n);
    if (v === undefined) return cannot(at, element);
    at += n;
    return v;
  };
  const literal = (c: string): { error: string } | undefined => {
    if (value[at] !== c) return cannot(at, c);
    at++;
    return undefined;
  };
  const year = fixed(4, '2006');
  if (typeof year !== 'number') return year;
  let bad = literal('-');
  if (bad) return bad;
  const month = fixed(2, '01');
  if (typeof month !== 'number') return month;
  if (month < 1 || month > 12) return outOfRange('month');
  if ((bad = literal('-'))) return bad;
  const day = fixed(2, '02');
  if (typeof day !== 'number') return day;
  if ((bad = literal('T'))) return bad;
  // Go's "15" reads one or two digits.
  const hour = fixed(isDigit(value[at + 1]) ? 2 : 1, '15');
  if (typeof hour !== 'number') return hour;
  if (hour > 23) return outOfRange('hour');
  if ((bad = literal(':'))) return bad;
  const minute = fixed(2, '04');
  if (typeof minute !== 'number') return minute;
  if (minute > 59) return outOfRange('minute');
  if ((bad = literal(':'))) return bad;
  const second = fixed(2, '05');
  if (typeof second !== 'number') return second;
  if (second > 59) return outOfRange('second');
  const fractionAt = at;
  if (micros) {
    // ".000000" takes exactly a separator and six digits.
    if ((value[at] !== '.' && value[at] !== ',') || digits(at + 1, 6) === undefined) return cannot(at, '.000000');
    at += 7;
  } else if ((value[at] === '.' || value[at] === ',') && isDigit(value[at + 1])) {
    // Go reads fractional seconds after the seconds even when the layout has none.
    at++;
    while (isDigit(value[at])) at++;
  }
  const fractionEnd = at;
  let offsetMinutes = 0;
  if (value[at] === 'Z') at++;
  else if ((value[at] === '+' || value[at] === '-') && digits(at + 1, 2) !== undefined && value[at + 3] === ':' && digits(at + 4, 2) !== undefined) {
    const offsetHour = digits(at + 1, 2)!;
    const offsetMinute = digits(at + 4, 2)!;
    if (offsetHour > 24) return outOfRange('time zone offset hour');
    if (offsetMinute > 60) return outOfRange('time zone offset minute');
    offsetMinutes = (value[at] === '-' ? -1 : 1) * (offsetHour * 60 + offsetMinute);
    at += 6;
  } else return cannot(at, 'Z07:00');
  if (at !== value.length) return { error: `parsing time ${JSON.stringify(value)}: extra text: ${JSON.stringify(value.slice(at))}` };
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day < 1 || day > DAYS_IN_MONTH[month - 1]! || (month === 2 && day === 29 && !leap)) return outOfRange('day');

  // What Go writes back. Most values already are that, and are kept as sent. Go keeps nine
  // fractional digits (a zero time is one with all nine zero).
  const fraction = value.slice(fractionAt + 1, fractionEnd);
  const zeroFraction = !/[1-9]/.test(fraction.slice(0, 9));
  if (value.length === (micros ? 27 : 20) && offsetMinutes === 0 && value[fractionAt] !== ',') {
    return isZeroTime(year, month, day, hour, minute, second) && zeroFraction ? { absent: true } : { value };
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMinutes, second, 0);
  const utc = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ for years 0 to 9999
  // A time the offset moves out of RFC 3339's four-digit years stays as sent.
  if (utc.length !== 24) return { value };
  if (isZeroTime(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()) && zeroFraction) return { absent: true };
  return { value: micros ? `${utc.slice(0, 19)}.${fraction}Z` : `${utc.slice(0, 19)}Z` };
}

/** Go's zero time, January 1 of year 1 at midnight UTC: what an unset Time decodes to. */
function isZeroTime(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  return year === 1 && month === 1 && day === 1 && hour === 0 && minute === 0 && second === 0;
}

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

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** Why `value` is not an RFC 3339 time in Go's words, or undefined when it is one. */
export function rfc3339Error(value: string): string | undefined {
  const cannot = (at: number, element: string) => `parsing time ${JSON.stringify(value)} as ${JSON.stringify(LAYOUT)}: cannot parse ${JSON.stringify(value.slice(at))} as ${JSON.stringify(element)}`;
  const outOfRange = (what: string) => `parsing time ${JSON.stringify(value)}: ${what} out of range`;
  const digits = (at: number, n: number) => {
    for (let i = at; i < at + n; i++) if (!isDigit(value[i])) return undefined;
    return Number(value.slice(at, at + n));
  };
  // Each element of the layout in turn, at cursor `at`.
  let at = 0;
  const fixed = (n: number, element: string): number | string => {
    const v = digits(at, n);
    if (v === undefined) return cannot(at, element);
    at += n;
    return v;
  };
  const literal = (c: string): string | undefined => {
    if (value[at] !== c) return cannot(at, c);
    at++;
    return undefined;
  };
  const year = fixed(4, '2006');
  if (typeof year === 'string') return year;
  let bad = literal('-');
  if (bad) return bad;
  const month = fixed(2, '01');
  if (typeof month === 'string') return month;
  if (month < 1 || month > 12) return outOfRange('month');
  if ((bad = literal('-'))) return bad;
  const day = fixed(2, '02');
  if (typeof day === 'string') return day;
  if ((bad = literal('T'))) return bad;
  // Go's "15" reads one or two digits.
  const hour = fixed(isDigit(value[at + 1]) ? 2 : 1, '15');
  if (typeof hour === 'string') return hour;
  if (hour > 23) return outOfRange('hour');
  if ((bad = literal(':'))) return bad;
  const minute = fixed(2, '04');
  if (typeof minute === 'string') return minute;
  if (minute > 59) return outOfRange('minute');
  if ((bad = literal(':'))) return bad;
  const second = fixed(2, '05');
  if (typeof second === 'string') return second;
  if (second > 59) return outOfRange('second');
  // Go reads fractional seconds after the seconds even when the layout has none.
  if ((value[at] === '.' || value[at] === ',') && isDigit(value[at + 1])) {
    at++;
    while (isDigit(value[at])) at++;
  }
  if (value[at] === 'Z') at++;
  else if ((value[at] === '+' || value[at] === '-') && digits(at + 1, 2) !== undefined && value[at + 3] === ':' && digits(at + 4, 2) !== undefined) {
    if (digits(at + 1, 2)! > 24) return outOfRange('time zone offset hour');
    if (digits(at + 4, 2)! > 60) return outOfRange('time zone offset minute');
    at += 6;
  } else return cannot(at, 'Z07:00');
  if (at !== value.length) return `parsing time ${JSON.stringify(value)}: extra text: ${JSON.stringify(value.slice(at))}`;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day < 1 || day > DAYS_IN_MONTH[month - 1]! || (month === 2 && day === 29 && !leap)) return outOfRange('day');
  return undefined;
}

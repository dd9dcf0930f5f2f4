// The string formats a CRD schema's `format` is checked against, as Kubernetes checks them
// (kube-openapi's strfmt registry, the set apiextensions supports at 1.32): a value of a
// known format that does not parse is refused ("spec.id in body must be of type uuid: ...");
// unknown formats are ignored, as Kubernetes strips them. Every check runs in linear time:
// these are called on user input. Also what CEL's format.uri() and friends validate with.
import { ipBytes } from '../ip.js';

/** A format's canonical name: Kubernetes ignores dashes (date-time is datetime). */
export const formatName = (format: string): string => format.replace(/-/g, '');

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID3 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID4 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const UUID5 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const RGB_PART = '\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*';
const RGB = new RegExp(`^rgb\\(${RGB_PART},${RGB_PART},${RGB_PART}\\)$`);

/** Go's time.Parse("2006-01-02"): four-digit year, real month and day. */
export function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** strfmt's IsDateTime: a date, "t", then hh:mm:ss[.frac] and z or ±hh:mm (case-insensitive). */
export function isDateTime(s: string): boolean {
  if (s.length < 4) return false;
  const parts = s.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0]!)) return false;
  const m = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/.exec(parts[1]!);
  return !!m && m[1]! <= '23' && m[2]! <= '59' && m[3]! <= '59';
}

// Every unit follows a number, so the repetition cannot split one input two ways (linear).
const GO_DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
const UNITS = [['ns', 'nano'], ['us', 'µs', 'micro'], ['ms', 'milli'], ['s', 'sec'], ['m', 'min'], ['h', 'hr', 'hour'], ['d', 'day'], ['w', 'wk', 'week']];

/** strfmt's duration: Go's time.ParseDuration, or "<n> <unit>" words such as "3 days". */
export function isDuration(s: string): boolean {
  if (s === '0' || GO_DURATION.test(s)) return true;
  // Each match starts where a run of digits starts: tried from inside a long run too, a scan of
  // a value that is digits only took quadratic time.
  for (const m of s.matchAll(/(?<!\d)(\d+)\s*([A-Za-zµ]+)/g)) {
    const unit = m[2]!.toLowerCase();
    if (UNITS.some((variants) => variants.some((v, i) => v === unit || (i === variants.length - 1 && unit.startsWith(v))))) return true;
  }
  return false;
}

/** govalidator's IsBase64: standard alphabet, padded to a multiple of four, at least one group. */
export function isBase64(s: string): boolean {
  if (s.length === 0 || s.length % 4 !== 0) return false;
  const body = s.endsWith('==') ? s.slice(0, -2) : s.endsWith('=') ? s.slice(0, -1) : s;
  return /^[A-Za-z0-9+/]*$/.test(body);
}

/** Go's net.ParseMAC: 6, 8 or 20 bytes as aa:bb:..., aa-bb-... or aabb.ccdd.... */
export function isMAC(s: string): boolean {
  if (/^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2})*$/i.test(s)) return [6, 8, 20].includes((s.length + 1) / 3);
  if (/^[0-9a-f]{4}(\.[0-9a-f]{4})*$/i.test(s)) return [6, 8, 20].includes(((s.length + 1) / 5) * 2);
  return false;
}

const hostnameChar = (c: string) => /[a-zA-Z0-9\p{S}\p{L}]/u.test(c);

/** strfmt's IsHostname (RFC 1034 with letters and symbols of any script), without a regular expression. */
export function isHostname(s: string): boolean {
  if (s.length === 0 || s.length > 255) return false;
  const labels = s.split('.');
  if (labels.length === 1) return [...s].length <= 63 && [...s].every((c, i) => hostnameChar(c) || (c === '-' && i > 0));
  const tld = [...labels[labels.length - 1]!];
  if (tld.length < 2 || tld.length > 63 || !tld.every((c) => /[a-zA-Z\p{L}]/u.test(c))) return false;
  return labels.slice(0, -1).every((label) => {
    const cs = [...label];
    return cs.length >= 1 && cs.length <= 63 && hostnameChar(cs[0]!) && hostnameChar(cs[cs.length - 1]!) && cs.every((c) => c === '-' || hostnameChar(c));
  });
}

/** Go's net/mail.ParseAddress, for the common shapes: addr, "Name <addr>", with a dot-atom or quoted local part. */
export function isEmail(s: string): boolean {
  const angle = /^[^<>]*<([^<>]+)>$/.exec(s.trim());
  const addr = angle ? angle[1]! : s.trim();
  const at = addr.lastIndexOf('@');
  if (at <= 0 || at === addr.length - 1) return false;
  const local = addr.slice(0, at);
  const domain = addr.slice(at + 1);
  const atom = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+(\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+)*$/;
  const quoted = /^"([^"\\]|\\.)*"$/;
  return (atom.test(local) || quoted.test(local)) && (atom.test(domain) || /^\[[^[\]]*\]$/.test(domain));
}

/** Go's net.ParseIP (no leading zeros in dotted IPv4 parts, no zones). */
function parsesAsIP(s: string): boolean {
  const dotted = s.slice(s.lastIndexOf(':') + 1);
  return ipBytes(s) !== undefined && !(dotted.includes('.') && /(^|\.)0\d/.test(dotted));
}

function isCIDR(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const ip = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits) || !parsesAsIP(ip)) return false;
  return Number(bits) <= (ip.includes(':') ? 128 : 32);
}

const digitsOf = (s: string) => s.replace(/[\s-]/g, '');

function isISBN10(s: string): boolean {
  const d = digitsOf(s);
  if (!/^\d{9}[\dX]$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (i + 1) * Number(d[i]);
  sum += d[9] === 'X' ? 100 : 10 * Number(d[9]);
  return sum % 11 === 0;
}

function isISBN13(s: string): boolean {
  const d = digitsOf(s);
  if (!/^\d{13}$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(d[i]) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10 === Number(d[12]);
}

function isCreditCard(s: string): boolean {
  const d = s.replace(/[^0-9]/g, '');
  if (!/^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|(222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)[0-9]{12}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11}|6[27][0-9]{14})$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = Number(d[d.length - 1 - i]);
    if (i % 2 === 1) n = n * 2 > 9 ? n * 2 - 9 : n * 2;
    sum += n;
  }
  return sum % 10 === 0;
}

/** Why Go's url.ParseRequestURI refuses `s` (its error text), or undefined when it parses. */
export function requestURIError(s: string): string | undefined {
  const fail = (why: string) => `parse ${JSON.stringify(s)}: ${why}`;
  if (/[\x00-\x1f\x7f]/.test(s)) return fail('net/url: invalid control character in URL');
  if (s === '*') return undefined;
  let rest = s;
  let scheme = '';
  // Go's getScheme: letters, then letters, digits, + - . up to a colon; anything else first means no scheme.
  const colon = s.indexOf(':');
  if (colon === 0) return fail('missing protocol scheme');
  if (colon > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(s.slice(0, colon))) {
    scheme = s.slice(0, colon);
    rest = s.slice(colon + 1);
  }
  if (!rest.startsWith('/')) {
    if (scheme) return undefined; // opaque, like mailto:x
    return fail('invalid URI for request');
  }
  if (scheme && rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    const authority = end < 0 ? rest.slice(2) : rest.slice(2, end);
    rest = end < 0 ? '' : rest.slice(end);
    const host = authority.slice(authority.lastIndexOf('@') + 1);
    const bracket = host.startsWith('[') ? host.indexOf(']') : -1;
    if (host.startsWith('[') && bracket < 0) return fail('missing \']\' in host');
    const afterHost = bracket >= 0 ? host.slice(bracket + 1) : host.slice(host.lastIndexOf(':') >= 0 ? host.lastIndexOf(':') : host.length);
    if (afterHost && !/^:\d*$/.test(afterHost)) return fail(`invalid port ${JSON.stringify(afterHost)} after host`);
    const name = bracket >= 0 ? '' : host.slice(0, host.length - afterHost.length);
    const bad = /[^A-Za-z0-9\-._~!$&'()*+,;=%<>"\u0080-\uffff]/.exec(name);
    if (bad) return fail(`invalid character ${JSON.stringify(bad[0])} in host name`);
  }
  const escape = /%(?![0-9A-Fa-f]{2})(.{0,2})/.exec(rest.split('?')[0]!);
  if (escape) return fail(`invalid URL escape ${JSON.stringify(`%${escape[1]}`)}`);
  return undefined;
}

const CHECKS: Record<string, (s: string) => boolean> = {
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
  uri: (s) => requestURIError(s) === undefined,
  email: isEmail,
  hostname: isHostname,
  ipv4: (s) => parsesAsIP(s) && s.includes('.'),
  ipv6: (s) => parsesAsIP(s) && s.includes(':'),
  cidr: isCIDR,
  mac: isMAC,
  uuid: (s) => UUID.test(s),
  uuid3: (s) => UUID3.test(s),
  uuid4: (s) => UUID4.test(s),
  uuid5: (s) => UUID5.test(s),
  isbn: (s) => isISBN10(s) || isISBN13(s),
  isbn10: isISBN10,
  isbn13: isISBN13,
  creditcard: isCreditCard,
  ssn: (s) => /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(s),
  hexcolor: (s) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(s),
  rgbcolor: (s) => RGB.test(s),
  byte: isBase64,
  password: () => true,
  date: isDate,
  duration: isDuration,
  datetime: isDateTime,
};

/** Whether Kubernetes checks strings of this format (unknown formats are not checked). */
export const knownStringFormat = (format: string): boolean => Object.hasOwn(CHECKS, formatName(format));

/** Whether `value` is of `format`; true for formats Kubernetes does not check. */
export function matchesStringFormat(format: string, value: string): boolean {
  const check = Object.hasOwn(CHECKS, formatName(format)) ? CHECKS[formatName(format)] : undefined;
  return check ? check(value) : true;
}

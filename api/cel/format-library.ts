// Kubernetes' CEL format library (1.31+): format.dns1123Label(), format.named("uuid") and the
// others name a format; <format>.validate(s) is optional.none() for a valid string, else the
// list of what is wrong with it, in the words of Kubernetes' own validation.
import type { Environment } from '@marcbachmann/cel-js';
import { Optional } from '@marcbachmann/cel-js';
import { dns1035Label, dns1123Label, dns1123Subdomain, labelValue, qualifiedName } from '../validation/names.js';
import { isBase64, isDate, isDateTime, matchesStringFormat, requestURIError } from '../validation/string-formats.js';

/** A named format (cel-go's kubernetes.NamedFormat). */
export class CelFormat {
  constructor(
    readonly name: string,
    readonly check: (s: string) => string[],
  ) {}
}

/** The `format` namespace value. */
class FormatNamespace {}

// Kubernetes validates generateName-style prefixes with a trailing dash masked (as its
// NameIs* functions do for prefixes: the last two characters become one "a").
const maskTrailingDash = (s: string) => (s.length > 1 && s.endsWith('-') ? `${s.slice(0, -2)}a` : s);
const prefix = (check: (s: string) => string[]) => (s: string) => check(maskTrailingDash(s));
const one = (ok: (s: string) => boolean, message: string) => (s: string) => (ok(s) ? [] : [message]);

const FORMATS: Record<string, CelFormat> = {
  dns1123Label: new CelFormat('DNS1123Label', dns1123Label),
  dns1123Subdomain: new CelFormat('DNS1123Subdomain', dns1123Subdomain),
  dns1035Label: new CelFormat('DNS1035Label', dns1035Label),
  qualifiedName: new CelFormat('QualifiedName', qualifiedName),
  dns1123LabelPrefix: new CelFormat('DNS1123LabelPrefix', prefix(dns1123Label)),
  dns1123SubdomainPrefix: new CelFormat('DNS1123SubdomainPrefix', prefix(dns1123Subdomain)),
  dns1035LabelPrefix: new CelFormat('DNS1035LabelPrefix', prefix(dns1035Label)),
  labelValue: new CelFormat('LabelValue', labelValue),
  uri: new CelFormat('URI', (s) => {
    const err = requestURIError(s);
    return err === undefined ? [] : [err];
  }),
  uuid: new CelFormat('uuid', one((s) => matchesStringFormat('uuid', s), 'does not match the UUID format')),
  byte: new CelFormat('byte', one(isBase64, 'invalid base64')),
  date: new CelFormat('date', one(isDate, 'invalid date')),
  datetime: new CelFormat('datetime', one(isDateTime, 'invalid datetime')),
};

export function registerFormatLibrary(env: Environment): void {
  env.registerType('kubernetes.FormatNamespace', FormatNamespace);
  env.registerType('kubernetes.NamedFormat', CelFormat);
  env.registerConstant('format', 'kubernetes.FormatNamespace', new FormatNamespace());
  for (const [name, f] of Object.entries(FORMATS)) env.registerFunction(`kubernetes.FormatNamespace.${name}(): kubernetes.NamedFormat`, () => f);
  env.registerFunction('kubernetes.FormatNamespace.named(string): optional<kubernetes.NamedFormat>', (_ns: FormatNamespace, name: string) => (Object.hasOwn(FORMATS, name) ? Optional.of(FORMATS[name]) : Optional.none()));
  env.registerFunction('kubernetes.NamedFormat.validate(string): optional<list<string>>', (f: CelFormat, s: string) => {
    const problems = f.check(s);
    return problems.length ? Optional.of(problems) : Optional.none();
  });
}

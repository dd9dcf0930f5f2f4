// Field-level validation errors, collected and reported as one 422 Invalid Status whose
// causes name each offending field, in Kubernetes' wording.
import { invalid } from '../status.js';
import type { StatusCause } from '../types/meta.js';

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export class FieldErrors {
  readonly causes: StatusCause[] = [];

  required(field: string, detail = ''): void {
    this.causes.push({ reason: 'FieldValueRequired', message: detail ? `Required value: ${detail}` : 'Required value', field });
  }

  invalid(field: string, value: unknown, detail: string): void {
    this.causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${show(value)}: ${detail}`, field });
  }

  /** A value of the wrong type (or format), which Kubernetes reports as Invalid value with its own reason. */
  typeInvalid(field: string, value: unknown, detail: string): void {
    this.causes.push({ reason: 'FieldValueTypeInvalid', message: `Invalid value: ${show(value)}: ${detail}`, field });
  }

  /** An invalid value shown as `shown` (already formatted, as Go's %#v shows a struct). */
  invalidShown(field: string, shown: string, detail: string): void {
    this.causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${shown}: ${detail}`, field });
  }

  notSupported(field: string, value: unknown, supported: string[]): void {
    this.causes.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${show(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`,
      field,
    });
  }

  duplicate(field: string, value: unknown): void {
    this.causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${show(value)}`, field });
  }

  /** A duplicate shown as Kubernetes shows it (a Go struct), with a reason. */
  duplicateShown(field: string, shown: string, detail: string): void {
    this.causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${shown}: ${detail}`, field });
  }

  notFound(field: string, value: unknown): void {
    this.causes.push({ reason: 'FieldValueNotFound', message: `Not found: ${show(value)}`, field });
  }

  forbidden(field: string, detail: string): void {
    this.causes.push({ reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field });
  }

  tooLong(field: string, max: number): void {
    this.causes.push({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${max} bytes`, field });
  }

  tooMany(field: string, actual: number, max: number): void {
    this.causes.push({ reason: 'FieldValueTooMany', message: `Too many: ${actual}: must have at most ${max} items`, field });
  }

  /** Records every message of a name-format check as an invalid value. */
  format(field: string, value: string, problems: string[]): void {
    for (const p of problems) this.invalid(field, value, p);
  }

  get empty(): boolean {
    return this.causes.length === 0;
  }

  throwIfAny(kind: string, group: string, name: string): void {
    if (!this.empty) throw invalid(kind, group, name, this.causes);
  }
}

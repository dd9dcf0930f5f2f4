// The problems found in an apiserver configuration file (authentication, authorization), each
// named by its field and worded as Kubernetes' field errors are.
export class FieldErrors {
  readonly list: string[] = [];
  required(path: string, detail = ''): void {
    this.list.push(`${path}: Required value${detail ? `: ${detail}` : ''}`);
  }
  invalid(path: string, value: unknown, detail: string): void {
    this.list.push(`${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`);
  }
  duplicate(path: string, value: unknown): void {
    this.list.push(`${path}: Duplicate value: ${JSON.stringify(value)}`);
  }
  forbidden(path: string, detail: string): void {
    this.list.push(`${path}: Forbidden: ${detail}`);
  }
  notSupported(path: string, value: unknown, supported: string[]): void {
    this.list.push(`${path}: Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  tooMany(path: string, actual: number, max: number): void {
    this.list.push(`${path}: Too many: ${actual}: must have at most ${max} items`);
  }
  /** Throws one error listing every problem, if there are any. */
  throwIfAny(): void {
    if (this.list.length) throw new Error(this.list.length === 1 ? this.list[0] : `[${this.list.join(', ')}]`);
  }
}

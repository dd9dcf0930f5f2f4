// The policies of a Job spec as Kubernetes checks them: backoff per index and its bound on
// failed indexes, the pod failure policy (its actions, exit codes and condition patterns), the
// pod replacement policy, and the success policy (index lists in Kubernetes' "1,3-5" form).
// The Job controller acts on exactly these values.
import { objectItems } from '../codec/values.js';
import type { Unstructured } from '../types/meta.js';
import type { FieldErrors } from './field-errors.js';
import { qualifiedName } from './names.js';

const MAX_FAILED_INDEXES = 100_000;
/** Above this many completions, backoff per index needs tighter bounds. */
const COMPLETIONS_SOFT_LIMIT = 100_000;
const HIGH_COMPLETIONS_PARALLELISM = 10_000;
const HIGH_COMPLETIONS_FAILED_INDEXES = 10_000;
const MAX_FAILURE_RULES = 20;
const MAX_EXIT_CODES = 255;
const MAX_CONDITION_PATTERNS = 20;
const MAX_SUCCESS_RULES = 20;
const MAX_SUCCEEDED_INDEXES_CHARS = 64 * 1024;
const FAILURE_ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const EXIT_CODE_OPERATORS = ['In', 'NotIn'];
const CONDITION_STATUSES = ['False', 'True', 'Unknown'];
const REPLACEMENT_POLICIES = ['Failed', 'TerminatingOrFailed'];

const given = (v: unknown): boolean => v !== undefined && v !== null;

/**
 * Reads an index list ("1,3-5"): increasing, each index below `completions`. Returns how many
 * indexes it names, or why it is not one.
 */
export function countIndexes(text: string, completions: number): number | string {
  if (text === '') return 0;
  let last: number | undefined;
  let total = 0;
  for (const interval of text.split(',')) {
    const limits = interval.split('-');
    if (limits.length > 2) return `the fragment "${interval}" violates the requirement that an index interval can have at most two parts separated by '-'`;
    const bounds: number[] = [];
    for (const limit of limits) {
      if (!/^\+?\d+$/.test(limit)) return `cannot convert string to integer for index: "${limit}"`;
      const x = Number(limit);
      if (x >= completions) return `too large index: "${limit}"`;
      if (last !== undefined && last >= x) return `non-increasing order, previous: ${last}, current: ${x}`;
      last = x;
      bounds.push(x);
    }
    total += bounds.length === 2 ? bounds[1]! - bounds[0]! + 1 : 1;
  }
  return total;
}

function validateExitCodes(req: Unstructured, field: string, containers: Set<unknown>, errs: FieldErrors): void {
  if (!EXIT_CODE_OPERATORS.includes(req.operator)) errs.notSupported(`${field}.operator`, req.operator ?? '', EXIT_CODE_OPERATORS);
  if (given(req.containerName) && !containers.has(req.containerName)) errs.invalid(`${field}.containerName`, req.containerName, 'must be one of the container or initContainer names in the pod template');
  const values = Array.isArray(req.values) ? (req.values as unknown[]) : [];
  if (!values.length) errs.invalid(`${field}.values`, values, 'at least one value is required');
  else if (values.length > MAX_EXIT_CODES) errs.tooMany(`${field}.values`, values.length, MAX_EXIT_CODES);
  const seen = new Set<unknown>();
  let ordered = true;
  values.forEach((v, j) => {
    if (req.operator === 'In' && v === 0) errs.invalid(`${field}.values[${j}]`, v, 'must not be 0 for the In operator');
    if (seen.has(v)) errs.duplicate(`${field}.values[${j}]`, v);
    seen.add(v);
    if (j > 0 && (values[j - 1] as number) > (v as number)) ordered = false;
  });
  if (!ordered) errs.invalid(`${field}.values`, values, 'must be ordered');
}

function validatePodFailurePolicy(spec: Unstructured, field: string, errs: FieldErrors): void {
  const rules = objectItems(spec.podFailurePolicy?.rules);
  if (rules.length > MAX_FAILURE_RULES) errs.tooMany(`${field}.rules`, rules.length, MAX_FAILURE_RULES);
  const podSpec = spec.template?.spec ?? {};
  const containers = new Set<unknown>([...objectItems(podSpec.containers), ...objectItems(podSpec.initContainers)].map((c) => c?.name));
  rules.forEach((rule, i) => {
    const rf = `${field}.rules[${i}]`;
    if (rule?.action === 'FailIndex') {
      if (!given(spec.backoffLimitPerIndex)) errs.invalid(`${rf}.action`, rule.action, 'requires the backoffLimitPerIndex to be set');
    } else if (!FAILURE_ACTIONS.includes(rule?.action)) errs.notSupported(`${rf}.action`, rule?.action ?? '', FAILURE_ACTIONS);
    const onExitCodes = rule?.onExitCodes;
    const patterns = objectItems(rule?.onPodConditions);
    if (onExitCodes && typeof onExitCodes === 'object') validateExitCodes(onExitCodes, `${rf}.onExitCodes`, containers, errs);
    if (patterns.length > MAX_CONDITION_PATTERNS) errs.tooMany(`${rf}.onPodConditions`, patterns.length, MAX_CONDITION_PATTERNS);
    patterns.forEach((p, j) => {
      errs.format(`${rf}.onPodConditions[${j}].type`, String(p?.type ?? ''), qualifiedName(String(p?.type ?? '')));
      if (!CONDITION_STATUSES.includes(p?.status)) errs.notSupported(`${rf}.onPodConditions[${j}].status`, p?.status ?? '', CONDITION_STATUSES);
    });
    if (given(onExitCodes) && patterns.length) errs.invalidShown(rf, '', 'specifying both OnExitCodes and OnPodConditions is not supported');
    if (!given(onExitCodes) && !patterns.length) errs.invalidShown(rf, '', 'specifying one of OnExitCodes and OnPodConditions is required');
  });
  if (podSpec.restartPolicy !== undefined && podSpec.restartPolicy !== 'Never') {
    errs.notSupported(`${field.replace(/podFailurePolicy$/, '')}template.spec.restartPolicy`, podSpec.restartPolicy, ['Never']);
  }
}

function validateSuccessPolicy(spec: Unstructured, field: string, errs: FieldErrors): void {
  const indexed = spec.completionMode === 'Indexed';
  if (!indexed) errs.invalidShown(field, '', 'requires indexed completion mode');
  const rules = objectItems(spec.successPolicy?.rules);
  if (!rules.length) errs.required(`${field}.rules`, 'at least one rules must be specified when the successPolicy is specified');
  if (rules.length > MAX_SUCCESS_RULES) errs.tooMany(`${field}.rules`, rules.length, MAX_SUCCESS_RULES);
  const completions = typeof spec.completions === 'number' ? spec.completions : 0;
  rules.forEach((rule, i) => {
    const rf = `${field}.rules[${i}]`;
    if (!given(rule?.succeededCount) && !given(rule?.succeededIndexes)) errs.required(rf, 'at least one of succeededCount or succeededIndexes must be specified');
    let total: number | undefined;
    if (typeof rule?.succeededIndexes === 'string') {
      if (rule.succeededIndexes.length > MAX_SUCCEEDED_INDEXES_CHARS) errs.tooLong(`${rf}.succeededIndexes`, MAX_SUCCEEDED_INDEXES_CHARS);
      const counted = countIndexes(rule.succeededIndexes, completions);
      if (typeof counted === 'string') errs.invalid(`${rf}.succeededIndexes`, rule.succeededIndexes, `error parsing succeededIndexes: ${counted}`);
      else total = counted;
    }
    const count = rule?.succeededCount;
    if (typeof count === 'number') {
      if (count < 0) errs.invalid(`${rf}.succeededCount`, count, 'must be greater than or equal to 0');
      if (count > completions) errs.invalid(`${rf}.succeededCount`, count, `must be less than or equal to ${completions} (the number of specified completions)`);
      if (total !== undefined && count > total) errs.invalid(`${rf}.succeededCount`, count, `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`);
    }
  });
}

/** `prefix`: where the Job spec sits (`spec`, or a CronJob's `spec.jobTemplate.spec`). */
export function validateJobPolicies(spec: Unstructured, prefix: string, errs: FieldErrors): void {
  const perIndex = spec.backoffLimitPerIndex;
  const maxFailed = spec.maxFailedIndexes;
  const indexed = spec.completionMode === 'Indexed';
  if (given(perIndex)) {
    if (typeof perIndex === 'number' && perIndex < 0) errs.invalid(`${prefix}.backoffLimitPerIndex`, perIndex, 'must be greater than or equal to 0');
    if (!indexed) errs.invalid(`${prefix}.backoffLimitPerIndex`, perIndex, 'requires indexed completion mode');
  }
  if (given(maxFailed)) {
    if (typeof maxFailed === 'number' && maxFailed < 0) errs.invalid(`${prefix}.maxFailedIndexes`, maxFailed, 'must be greater than or equal to 0');
    if (!given(perIndex)) errs.required(`${prefix}.backoffLimitPerIndex`, 'when maxFailedIndexes is specified');
  }
  if (indexed && typeof spec.completions === 'number') {
    if (typeof maxFailed === 'number' && maxFailed > spec.completions) errs.invalid(`${prefix}.maxFailedIndexes`, maxFailed, 'must be less than or equal to completions');
    if (typeof maxFailed === 'number' && maxFailed > MAX_FAILED_INDEXES) errs.invalid(`${prefix}.maxFailedIndexes`, maxFailed, `must be less than or equal to ${MAX_FAILED_INDEXES}`);
    if (spec.completions > COMPLETIONS_SOFT_LIMIT && given(perIndex)) {
      const why = `when completions are above ${COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index`;
      if (!given(maxFailed)) errs.required(`${prefix}.maxFailedIndexes`, `must be specified when completions is above ${COMPLETIONS_SOFT_LIMIT}`);
      if (typeof spec.parallelism === 'number' && spec.parallelism > HIGH_COMPLETIONS_PARALLELISM) errs.invalid(`${prefix}.parallelism`, spec.parallelism, `must be less than or equal to ${HIGH_COMPLETIONS_PARALLELISM} ${why}`);
      if (typeof maxFailed === 'number' && maxFailed > HIGH_COMPLETIONS_FAILED_INDEXES) errs.invalid(`${prefix}.maxFailedIndexes`, maxFailed, `must be less than or equal to ${HIGH_COMPLETIONS_FAILED_INDEXES} ${why}`);
    }
  }
  if (spec.podFailurePolicy && typeof spec.podFailurePolicy === 'object') validatePodFailurePolicy(spec, `${prefix}.podFailurePolicy`, errs);
  const replacement = spec.podReplacementPolicy;
  if (given(replacement)) {
    if (spec.podFailurePolicy) {
      if (replacement !== 'Failed') errs.notSupported(`${prefix}.podReplacementPolicy`, replacement, ['Failed']);
    } else if (!REPLACEMENT_POLICIES.includes(replacement)) errs.notSupported(`${prefix}.podReplacementPolicy`, replacement, REPLACEMENT_POLICIES);
  }
  if (spec.successPolicy && typeof spec.successPolicy === 'object') validateSuccessPolicy(spec, `${prefix}.successPolicy`, errs);
}

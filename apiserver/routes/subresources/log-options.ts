// PodLogOptions from a pods/log query, read and checked as Kubernetes' apiserver does before it
// asks the kubelet: integers as Go's strconv reads them (400 when they do not parse), sinceTime
// as an RFC 3339 time, booleans true unless "false" or "0", then the options' own rules (422).
import { decodeTime } from '../../../api/time.js';
import { badRequest } from '../../../api/status.js';
import { FieldErrors } from '../../../api/validation/field-errors.js';
import { one, type Query } from '../../http/params.js';

const INTEGERS = ['sinceSeconds', 'tailLines', 'limitBytes'] as const;
const BOOLEANS = ['follow', 'previous', 'timestamps'] as const;
const INT64_MAX = 2n ** 63n - 1n;

/** Go's strconv.ParseInt(s, 10, 64), as a number (the kubelet reads no more than that). */
function parseInt64(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n > INT64_MAX || n < -INT64_MAX - 1n) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return Number(n);
}

/** The query the kubelet is sent for `pod`'s logs; throws Kubernetes' Status for options it refuses. */
export function podLogQuery(query: Query, pod: string): URLSearchParams {
  const out = new URLSearchParams();
  const ints: Partial<Record<(typeof INTEGERS)[number], number>> = {};
  for (const p of INTEGERS) {
    const v = one(query, p);
    if (v === undefined || v === '') continue;
    ints[p] = parseInt64(v);
    out.set(p, String(ints[p]));
  }
  const sinceTimeText = one(query, 'sinceTime');
  let sinceTime: string | undefined;
  if (sinceTimeText && sinceTimeText !== 'null') {
    const t = decodeTime(sinceTimeText);
    if ('error' in t) throw badRequest(t.error);
    if ('value' in t) sinceTime = t.value;
  }
  if (sinceTime) out.set('sinceTime', sinceTime);
  for (const p of BOOLEANS) {
    const v = one(query, p);
    if (v !== undefined && v !== '0' && v.toLowerCase() !== 'false') out.set(p, 'true');
  }
  const errs = new FieldErrors();
  if (ints.tailLines !== undefined && ints.tailLines < 0) errs.invalid('tailLines', ints.tailLines, 'must be greater than or equal to 0');
  if (ints.limitBytes !== undefined && ints.limitBytes < 1) errs.invalid('limitBytes', ints.limitBytes, 'must be greater than 0');
  if (ints.sinceSeconds !== undefined && sinceTime !== undefined) errs.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified');
  else if (ints.sinceSeconds !== undefined && ints.sinceSeconds < 1) errs.invalid('sinceSeconds', ints.sinceSeconds, 'must be greater than 0');
  errs.throwIfAny('PodLogOptions', '', pod);
  return out;
}

import { describe, expect, it } from 'vitest';
import { StatusError } from '../../../api/status.js';
import { podLogQuery } from './log-options.js';

const refusal = (q: Record<string, string>) => {
  try {
    podLogQuery(q, 'web');
    return 'ok';
  } catch (err) {
    const s = err as StatusError;
    return `${s.code} ${s.message}`;
  }
};

describe('pods/log options', () => {
  it('passes what Kubernetes accepts on to the kubelet, booleans as Go reads them', () => {
    expect(podLogQuery({ tailLines: '10', limitBytes: '500', follow: 'yes', previous: 'false', timestamps: '0', container: 'c' }, 'web').toString()).toBe('tailLines=10&limitBytes=500&follow=true');
    expect(podLogQuery({ sinceTime: '2024-01-02T03:04:05.123+01:00' }, 'web').get('sinceTime')).toBe('2024-01-02T02:04:05Z');
    expect(podLogQuery({ sinceSeconds: '60', tailLines: '0' }, 'web').toString()).toBe('sinceSeconds=60&tailLines=0');
  });

  it('refuses what does not parse (400) and what the options forbid (422), in Kubernetes words', () => {
    expect(refusal({ limitBytes: '1e30' })).toBe('400 strconv.ParseInt: parsing "1e30": invalid syntax');
    expect(refusal({ tailLines: '99999999999999999999' })).toBe('400 strconv.ParseInt: parsing "99999999999999999999": value out of range');
    expect(refusal({ sinceTime: 'garbage' })).toBe('400 parsing time "garbage" as "2006-01-02T15:04:05Z07:00": cannot parse "garbage" as "2006"');
    expect(refusal({ tailLines: '-1' })).toBe('422 PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0');
    expect(refusal({ limitBytes: '0' })).toBe('422 PodLogOptions "web" is invalid: limitBytes: Invalid value: 0: must be greater than 0');
    expect(refusal({ sinceSeconds: '0' })).toBe('422 PodLogOptions "web" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0');
    expect(refusal({ sinceSeconds: '5', sinceTime: '2024-01-01T00:00:00Z' })).toMatch(/^422 PodLogOptions "web" is invalid: .*Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified$/);
  });
});

import { describe, expect, it } from 'vitest';
import { defaultJobSpec } from './defaulting.js';

const template = () => ({ spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' } });

describe('Job defaults, as Kubernetes 1.32 sets them', () => {
  it('replaces pods once they are gone, or only once failed when a pod failure policy decides', () => {
    const plain: Record<string, any> = { template: template() };
    defaultJobSpec(plain);
    expect(plain).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatingOrFailed' });
    const withPolicy: Record<string, any> = { template: template(), podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }, { type: 'X', status: 'False' }] }] } };
    defaultJobSpec(withPolicy);
    expect(withPolicy.podReplacementPolicy).toBe('Failed');
    expect(withPolicy.podFailurePolicy.rules[0].onPodConditions).toEqual([{ type: 'DisruptionTarget', status: 'True' }, { type: 'X', status: 'False' }]);
    const chosen: Record<string, any> = { template: template(), podReplacementPolicy: 'Failed' };
    defaultJobSpec(chosen);
    expect(chosen.podReplacementPolicy).toBe('Failed');
  });

  it('leaves the job-wide backoff limit off when each index has its own', () => {
    const indexed: Record<string, any> = { template: template(), completions: 3, completionMode: 'Indexed', backoffLimitPerIndex: 1 };
    defaultJobSpec(indexed);
    expect(indexed.backoffLimit).toBe(2147483647);
    const malformed: Record<string, any> = { template: template(), podFailurePolicy: { rules: [null, { action: 'Ignore', onPodConditions: 'x' }] } };
    expect(() => defaultJobSpec(malformed)).not.toThrow();
  });
});

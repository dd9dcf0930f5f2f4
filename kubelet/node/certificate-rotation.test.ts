import { describe, expect, it } from 'vitest';
import { createCA, issue } from '../../api/pki/certificates.js';
import { rotationDeadline } from './certificate-rotation.js';

describe('when a kubelet rotates its client certificate', () => {
  it('at 70-90% of its validity, counted from when it was issued when notBefore is backdated', async () => {
    const ca = await createCA('rotation-test');
    const cert = (await issue(ca, { commonName: 'system:node:n1' }, { usages: ['client'], days: 1 })).certPem;
    const issuedAt = Date.now();
    const day = 86_400_000;
    // Backdated an hour: counted from the issue, not from notBefore.
    expect(rotationDeadline(cert, issuedAt, () => 0) - issuedAt).toBeGreaterThan(0.7 * day - 5_000);
    expect(rotationDeadline(cert, issuedAt, () => 0) - issuedAt).toBeLessThan(0.7 * day + 5_000);
    expect(rotationDeadline(cert, issuedAt, () => 1) - issuedAt).toBeGreaterThan(0.9 * day - 5_000);
    // Without an issue time: from notBefore (an hour earlier).
    expect(rotationDeadline(cert, undefined, () => 0)).toBeLessThan(rotationDeadline(cert, issuedAt, () => 0));
    // A certificate already past its end: the deadline is now or earlier, never later.
    expect(rotationDeadline(cert, issuedAt + 2 * day, () => 0.5)).toBeLessThanOrEqual(issuedAt + 2 * day);
  });
});

import { receivedAtProblem, referralNoticeSummary } from './privacy-referral.rules';

describe('privacy referral rules', () => {
  const now = new Date('2026-03-02T12:00:00Z');

  it('R-D3: a request support received in the past (or now) is accepted; one in the future is not', () => {
    expect(receivedAtProblem(new Date('2026-02-27T09:00:00Z'), now)).toBeNull();
    expect(receivedAtProblem(new Date('2026-03-02T12:01:00Z'), now)).toBeNull();
    expect(receivedAtProblem(new Date('2026-03-03T12:00:00Z'), now)).toBe('must not be in the future');
    expect(receivedAtProblem(new Date('nonsense'), now)).toBe('must be an ISO-8601 date-time');
  });

  it('R-D3: the notice names the type, the receipt date, the request to follow and that the tenant answers', () => {
    const text = referralNoticeSummary({
      requestId: '0f9d5f7e-7c1f-4a4b-8a51-1b2c3d4e5f60',
      type: 'erasure',
      receivedAt: new Date('2026-02-27T09:00:00Z'),
      summary: 'Phone call asking to be forgotten',
    });
    expect(text).toContain('(erasure)');
    expect(text).toContain('2026-02-27T09:00:00.000Z');
    expect(text).toContain('/v1/privacy-requests/0f9d5f7e-7c1f-4a4b-8a51-1b2c3d4e5f60');
    expect(text).toContain('Missive does not answer it');
    expect(text).toContain('Phone call asking to be forgotten');
  });
});

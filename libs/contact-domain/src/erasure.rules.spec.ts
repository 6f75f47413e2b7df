import { keepsSuppressionHash } from './erasure.rules';

describe(keepsSuppressionHash.name, () => {
  const never = { contactStatus: 'active' as const, fullOptOuts: 0, onSuppressionList: false };

  it('R-D2: an erased person who had opted out keeps a keyed hash on the suppression list', () => {
    expect(keepsSuppressionHash({ ...never, contactStatus: 'unsubscribed' })).toBe(true);
    expect(keepsSuppressionHash({ ...never, contactStatus: 'suppressed' })).toBe(true);
    expect(keepsSuppressionHash({ ...never, fullOptOuts: 1 })).toBe(true);
    expect(keepsSuppressionHash({ ...never, onSuppressionList: true })).toBe(true);
    expect(keepsSuppressionHash({ contactStatus: null, fullOptOuts: 0, onSuppressionList: true })).toBe(true);
  });

  it('R-D2: an erased person who never opted out leaves nothing behind', () => {
    expect(keepsSuppressionHash(never)).toBe(false);
    expect(keepsSuppressionHash({ ...never, contactStatus: 'restricted' })).toBe(false);
    expect(keepsSuppressionHash({ ...never, contactStatus: 'bounced' })).toBe(false);
  });
});

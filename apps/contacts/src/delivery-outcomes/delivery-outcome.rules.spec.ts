import { deliveryVerdict, SOFT_BOUNCES_TO_SUPPRESS } from './delivery-outcome.rules';

describe('deliveryVerdict (R-S5, R-S8)', () => {
  it('R-S8: a hard bounce makes a mailable contact bounced and suppresses the address', () => {
    expect(deliveryVerdict('active', 'hard-bounce', 0)).toEqual({ status: 'bounced', suppress: 'bounced' });
    expect(deliveryVerdict('suppressed', 'hard-bounce', 0)).toEqual({ status: 'bounced', suppress: 'bounced' });
  });

  it('R-S8: soft bounces are counted; the third within 30 days bounces and suppresses', () => {
    expect(deliveryVerdict('active', 'soft-bounce', 1)).toEqual({ status: null, suppress: null });
    expect(deliveryVerdict('active', 'soft-bounce', SOFT_BOUNCES_TO_SUPPRESS - 1)).toEqual({
      status: null,
      suppress: null,
    });
    expect(deliveryVerdict('active', 'soft-bounce', SOFT_BOUNCES_TO_SUPPRESS)).toEqual({
      status: 'bounced',
      suppress: 'bounced',
    });
  });

  it('R-S8: a complaint makes the contact complained, whatever its mailable status, and suppresses', () => {
    for (const status of ['active', 'suppressed', 'unsubscribed', 'bounced'] as const)
      expect(deliveryVerdict(status, 'complaint', 0)).toEqual({ status: 'complained', suppress: 'complained' });
    expect(deliveryVerdict('complained', 'complaint', 0)).toEqual({ status: null, suppress: 'complained' });
  });

  it('R-S8: an unsubscribed or complained contact keeps its status on a bounce; the address is still suppressed', () => {
    expect(deliveryVerdict('unsubscribed', 'hard-bounce', 0)).toEqual({ status: null, suppress: 'bounced' });
    expect(deliveryVerdict('complained', 'hard-bounce', 0)).toEqual({ status: null, suppress: 'bounced' });
  });

  it('R-D1: a restricted contact is never processed', () => {
    for (const outcome of ['hard-bounce', 'soft-bounce', 'complaint'] as const)
      expect(deliveryVerdict('restricted', outcome, 5)).toEqual({ status: null, suppress: null });
  });
});

import { isSendable, transition } from './campaign.rules';

const NOW = new Date('2026-11-23T12:00:00Z');
const LATER = new Date('2026-11-24T12:00:00Z');

describe('campaign states (R-S1)', () => {
  it('R-S1: send goes to sending now, or scheduled when sendAt is in the future', () => {
    expect(transition('draft', 'send', null, NOW)).toEqual({ ok: true, status: 'sending' });
    expect(transition('draft', 'send', LATER, NOW)).toEqual({ ok: true, status: 'scheduled' });
    expect(transition('scheduled', 'start', LATER, NOW)).toEqual({ ok: true, status: 'sending' });
  });

  it('R-S1: pause, resume and cancel', () => {
    expect(transition('sending', 'pause', null, NOW)).toEqual({ ok: true, status: 'paused' });
    expect(transition('paused', 'resume', null, NOW)).toEqual({ ok: true, status: 'sending' });
    expect(transition('paused', 'resume', LATER, NOW)).toEqual({ ok: true, status: 'scheduled' });
    expect(transition('sending', 'cancel', null, NOW)).toEqual({ ok: true, status: 'cancelled' });
    expect(transition('sending', 'complete', null, NOW)).toEqual({ ok: true, status: 'sent' });
  });

  it('R-S1: actions that do not apply are refused', () => {
    expect(transition('sent', 'cancel', null, NOW)).toEqual({ ok: false, reason: 'a sent campaign cannot cancel' });
    expect(transition('draft', 'pause', null, NOW).ok).toBe(false);
    expect(transition('cancelled', 'resume', null, NOW).ok).toBe(false);
    expect(transition('sending', 'send', null, NOW).ok).toBe(false);
  });

  it('R-S1: only a sending campaign is sendable', () => {
    expect(
      ['draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled'].filter((s) => isSendable(s as never)),
    ).toEqual(['sending']);
  });
});

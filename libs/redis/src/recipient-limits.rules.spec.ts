import {
  ipKey,
  limitsOff,
  recipientVerdict,
  subjectKey,
  subjectWindowSeconds,
  type RecipientLimits,
  type RecipientSubject,
} from './recipient-limits.rules';

const LIMITS: RecipientLimits = { perIpPerMinute: 100, perTokenPerMinute: 30, replayWindowSeconds: 60 };
const SUBJECT: RecipientSubject = {
  region: 'NA',
  tenantId: '7f6c2d64-3d8e-4e3e-9a57-1f0d2c7b8a11',
  route: 'open',
  campaignId: 'c0a8e2d4-8f1b-4b7e-9c3d-2a1b0c9d8e7f',
  contactId: '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d',
  machine: false,
};

describe('recipient-route limits (R-X6)', () => {
  it('R-X6: the first request for a subject in its window is recorded, its replays are not', () => {
    expect(recipientVerdict({ ip: 1, subject: 1 }, LIMITS)).toBe('record');
    expect(recipientVerdict({ ip: 2, subject: 2 }, LIMITS)).toBe('replay');
    expect(recipientVerdict({ ip: 30, subject: 30 }, LIMITS)).toBe('replay');
  });

  it('R-X6: over the per-IP or the per-token rate nothing is recorded, even a first request', () => {
    expect(recipientVerdict({ ip: 100, subject: 1 }, LIMITS)).toBe('record');
    expect(recipientVerdict({ ip: 101, subject: 1 }, LIMITS)).toBe('limited');
    expect(recipientVerdict({ ip: 5, subject: 31 }, LIMITS)).toBe('limited');
    // The IP went over before its subject was counted.
    expect(recipientVerdict({ ip: 101, subject: 0 }, LIMITS)).toBe('limited');
  });

  it('R-X6: 0 turns a limit off; without a replay window every request counts', () => {
    const off = { perIpPerMinute: 0, perTokenPerMinute: 0, replayWindowSeconds: 0 };
    expect(recipientVerdict({ ip: 1e6, subject: 1e6 }, off)).toBe('record');
    expect(recipientVerdict({ ip: 2, subject: 2 }, { ...LIMITS, replayWindowSeconds: 0 })).toBe('record');
    expect(subjectWindowSeconds({ ...LIMITS, replayWindowSeconds: 0 })).toBe(60);
    expect(subjectWindowSeconds({ ...LIMITS, replayWindowSeconds: 10 })).toBe(10);
    expect(limitsOff(off)).toBe(true);
    expect(limitsOff({ ...off, perIpPerMinute: 1 })).toBe(false);
    expect(limitsOff({ ...off, perTokenPerMinute: 1 })).toBe(false);
    expect(limitsOff({ ...off, replayWindowSeconds: 1 })).toBe(false);
  });

  it('R-P2, R-P6: a subject counts under a keyed digest, outside any tenant prefix, naming no tenant or contact', () => {
    const key = subjectKey(SUBJECT, 'secret-a');
    expect(key.startsWith('na:rl:s:')).toBe(true);
    for (const id of [SUBJECT.tenantId, SUBJECT.contactId, SUBJECT.campaignId!]) expect(key).not.toContain(id);
    expect(subjectKey(SUBJECT, 'secret-b')).not.toBe(key);
    expect(subjectKey({ ...SUBJECT, tenantId: '8f6c2d64-3d8e-4e3e-9a57-1f0d2c7b8a11' }, 'secret-a')).not.toBe(key);
  });

  it("R-K4: a machine's fetch and the person's own open are two subjects; other links and contacts too", () => {
    const keys = new Set([
      subjectKey(SUBJECT, 'k'),
      subjectKey({ ...SUBJECT, machine: true }, 'k'),
      subjectKey({ ...SUBJECT, route: 'click', linkIndex: 0 }, 'k'),
      subjectKey({ ...SUBJECT, route: 'click', linkIndex: 1 }, 'k'),
      subjectKey({ ...SUBJECT, contactId: '1b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d' }, 'k'),
    ]);
    expect(keys.size).toBe(5);
    expect(subjectKey({ ...SUBJECT }, 'k')).toBe(subjectKey(SUBJECT, 'k'));
  });

  it('R-K4: an IP is counted under a keyed digest, never the address itself', () => {
    const key = ipKey('EEA', '203.0.113.77', 'secret-a');
    expect(key.startsWith('eea:rl:ip:')).toBe(true);
    expect(key).not.toContain('203.0.113');
    expect(ipKey('EEA', '203.0.113.77', 'secret-a')).toBe(key);
    expect(ipKey('EEA', '203.0.113.77', 'secret-b')).not.toBe(key);
    expect(ipKey('EEA', '203.0.113.78', 'secret-a')).not.toBe(key);
  });
});

import { truncateIp, validateConsent } from './consent.rules';

const NOW = new Date('2025-06-01T00:00:00Z');

describe('consent rules (R-C2)', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0'],
    ['::ffff:198.51.100.9', '198.51.100.0'],
    ['2001:db8:abcd:12:1:2:3:4', '2001:db8:abcd::'],
    ['2001:db8::1', '2001:db8:0::'],
    ['not an ip', null],
  ])('R-C2: the IP %s is stored as %s (IPv4 /24, IPv6 /48)', (ip, expected) => {
    expect(truncateIp(ip)).toBe(expected);
  });

  it('R-C2: a record needs givenAt and source; ip is truncated; explicit defaults to false', () => {
    expect(validateConsent({ givenAt: '2025-01-01T10:00:00+02:00', source: ' form ', ip: '10.1.2.3' }, NOW)).toEqual({
      consent: { givenAt: '2025-01-01T08:00:00.000Z', source: 'form', ip: '10.1.2.0', text: null, explicit: false },
      problems: [],
    });
    expect(validateConsent({}, NOW).problems.map((p) => p.field)).toEqual(['consent.givenAt', 'consent.source']);
  });

  it('R-C2: names every bad part of a record', () => {
    const { problems } = validateConsent(
      { givenAt: '2030-01-01T00:00:00Z', source: 'x', ip: '999.1.1.1', explicit: 'yes', extra: 1 },
      NOW,
    );
    expect(problems.map((p) => p.field)).toEqual([
      'consent.extra',
      'consent.givenAt',
      'consent.ip',
      'consent.explicit',
    ]);
  });
});

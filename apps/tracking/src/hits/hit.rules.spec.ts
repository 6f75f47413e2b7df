import { MAX_USER_AGENT_LENGTH, truncateIp, truncateUserAgent } from './hit.rules';

describe('hit rules', () => {
  describe(truncateIp.name, () => {
    it.each([
      ['192.0.2.123', '192.0.2.0'],
      ['127.0.0.1', '127.0.0.0'],
      ['10.20.30.0', '10.20.30.0'],
      ['255.255.255.255', '255.255.255.0'],
      ['::ffff:203.0.113.77', '203.0.113.0'],
      ['::FFFF:203.0.113.77', '203.0.113.0'],
    ])('R-K4: IPv4 %s keeps its /24 → %s', (ip, expected) => {
      expect(truncateIp(ip)).toBe(expected);
    });

    it.each([
      ['2001:db8:abcd:12:34:56:78:9a', '2001:db8:abcd::'],
      ['2001:0db8:00ab:ffff::1', '2001:db8:ab::'],
      ['2001:db8::1', '2001:db8::'],
      ['::1', '::'],
      ['fe80::1%eth0', 'fe80::'],
      ['2a00:1450:4001:81c::200e', '2a00:1450:4001::'],
      ['ABCD:EF01:2345:6789:ABCD:EF01:2345:6789', 'abcd:ef01:2345::'],
      ['64:ff9b::192.0.2.33', '64:ff9b::'],
      ['1:2:3:4:5:6:192.0.2.33', '1:2:3::'],
    ])('R-K4: IPv6 %s keeps its /48 → %s', (ip, expected) => {
      expect(truncateIp(ip)).toBe(expected);
    });

    it.each([undefined, null, '', 'localhost', '300.1.1.1', '1.2.3', '2001:db8:::1', 'not an ip'])(
      'R-K4: %p is not an address and stores nothing',
      (ip) => {
        expect(truncateIp(ip)).toBeNull();
      },
    );
  });

  describe(truncateUserAgent.name, () => {
    it('R-K4: keeps a normal user agent as sent', () => {
      expect(truncateUserAgent('Mozilla/5.0 (Windows NT 10.0)')).toBe('Mozilla/5.0 (Windows NT 10.0)');
    });

    it('R-K4: cuts a long user agent to 256 characters', () => {
      expect(truncateUserAgent('x'.repeat(5000))).toHaveLength(MAX_USER_AGENT_LENGTH);
    });

    it.each([undefined, null, '', '   '])('R-K4: %p is no user agent', (ua) => {
      expect(truncateUserAgent(ua)).toBeNull();
    });
  });
});

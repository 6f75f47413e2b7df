import { addressProblem, checkTarget } from './webhook-target.rules';

const PROD = { production: true };
const DEV = { production: false };

describe('R-X7: webhook targets', () => {
  it('R-X7: only http(s) URLs, and only https in production', () => {
    for (const url of [
      'ftp://example.com/x',
      'file:///etc/passwd',
      'gopher://example.com',
      'javascript:alert(1)',
      'nope',
    ]) {
      expect(checkTarget(url, DEV).ok).toBe(false);
    }
    expect(checkTarget('http://hooks.example.com/in', DEV).ok).toBe(true);
    expect(checkTarget('https://hooks.example.com/in', PROD).ok).toBe(true);
    expect(checkTarget('http://hooks.example.com/in', PROD)).toEqual({ ok: false, reason: 'only https URLs' });
    expect(checkTarget('https://user:pw@hooks.example.com/', PROD).ok).toBe(false);
    expect(checkTarget(`https://example.com/${'a'.repeat(2100)}`, PROD).ok).toBe(false);
  });

  it('R-X7: no private, loopback, link-local, ULA, CGNAT or metadata address in production', () => {
    for (const host of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '100.127.255.255',
      '0.0.0.0',
      '[::1]',
      '[fd00:ec2::254]',
      '[fc00::1]',
      '[fe80::1]',
      '[::ffff:10.0.0.1]',
      '[::ffff:127.0.0.1]',
      '[::ffff:a9fe:a9fe]',
      '[::]',
      '2130706433', // 127.0.0.1 as one number: the URL parser normalises it
      '0x7f.1',
      'localhost',
      'api.localhost',
      'metadata.google.internal',
      'intranet',
    ]) {
      expect({ host, ok: checkTarget(`https://${host}/hook`, PROD).ok }).toEqual({ host, ok: false });
    }
    expect(checkTarget('https://93.184.216.34/hook', PROD).ok).toBe(true);
    expect(checkTarget('https://[2606:4700::1111]/hook', PROD).ok).toBe(true);
  });

  it('R-X7: outside production loopback is allowed (a test receiver), the other internal ranges are not', () => {
    expect(checkTarget('http://127.0.0.1:4567/hook', DEV).ok).toBe(true);
    expect(checkTarget('http://localhost:4567/hook', DEV).ok).toBe(true);
    expect(checkTarget('http://[::1]:4567/hook', DEV).ok).toBe(true);
    expect(checkTarget('http://169.254.169.254/latest/meta-data', DEV).ok).toBe(false);
    expect(checkTarget('http://10.0.0.5/hook', DEV).ok).toBe(false);
  });

  it('R-X7: the resolved address is checked the same way', () => {
    expect(addressProblem('127.0.0.1', PROD)).toBe('a loopback address');
    expect(addressProblem('127.0.0.1', DEV)).toBeNull();
    expect(addressProblem('::1', PROD)).toBe('a loopback address');
    expect(addressProblem('169.254.169.254', DEV)).not.toBeNull();
    expect(addressProblem('fd12:3456::1', PROD)).not.toBeNull();
    expect(addressProblem('::ffff:192.168.0.1', PROD)).not.toBeNull();
    expect(addressProblem('100.64.1.1', PROD)).not.toBeNull();
    expect(addressProblem('8.8.8.8', PROD)).toBeNull();
    expect(addressProblem('2001:4860:4860::8888', PROD)).toBeNull();
    expect(addressProblem('example.com', PROD)).toBe('not an IP address');
  });

  it('R-X7: the fragment is dropped, the rest kept', () => {
    const r = checkTarget('https://hooks.example.com:8443/in?x=1#frag', PROD);
    expect(r.ok && r.url.toString()).toBe('https://hooks.example.com:8443/in?x=1');
  });
});

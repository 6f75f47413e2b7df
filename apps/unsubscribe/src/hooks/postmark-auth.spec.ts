import { basicAuth } from '../../test/provider-signers';
import { postmarkAuthorized } from './postmark-auth';

describe('R-S8: Postmark webhooks (HTTP basic auth)', () => {
  const expected = { user: 'postmark', password: 'a-long-webhook-password' };

  it('R-S8: the configured user and password pass', () => {
    expect(postmarkAuthorized(basicAuth('postmark', 'a-long-webhook-password'), expected)).toBe(true);
    expect(postmarkAuthorized(`basic ${basicAuth('postmark', 'a-long-webhook-password').slice(6)}`, expected)).toBe(
      true,
    );
  });

  it('R-S8: a wrong user, a wrong password, a prefix of either, other schemes or nothing fail', () => {
    for (const header of [
      basicAuth('postmark', 'a-long-webhook-passwore'),
      basicAuth('postmarc', 'a-long-webhook-password'),
      basicAuth('postmark', 'a-long-webhook-passwor'),
      basicAuth('postmark', ''),
      basicAuth('', ''),
      `Basic ${Buffer.from('postmark').toString('base64')}`,
      'Bearer a-long-webhook-password',
      '',
      undefined,
    ])
      expect(postmarkAuthorized(header, expected)).toBe(false);
  });

  it('R-S8: a password holding a colon is split at the first colon', () => {
    expect(postmarkAuthorized(basicAuth('u', 'p:a:ss'), { user: 'u', password: 'p:a:ss' })).toBe(true);
  });
});

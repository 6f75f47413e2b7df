import { fixtureJson, mailgunSignature } from '../../test/provider-signers';
import { mailgunSignatureOf, MAILGUN_MAX_SKEW_SECONDS, verifyMailgunSignature } from './mailgun-signature';

describe('R-S8: Mailgun webhook signatures (HMAC-SHA256 of timestamp + token)', () => {
  const key = 'key-0123456789abcdef0123456789abcdef';
  const now = 1_765_000_000;

  it('R-S8: a signature made with the signing key verifies within the window', () => {
    const s = mailgunSignature(key, now - 10);
    expect(verifyMailgunSignature(key, s, now)).toBe('valid');
  });

  it('R-S8: another key, a changed token or timestamp, or a non-hex signature is invalid', () => {
    const s = mailgunSignature(key, now);
    expect(verifyMailgunSignature('key-another-signing-key-000000', s, now)).toBe('invalid');
    expect(verifyMailgunSignature(key, { ...s, token: `${s.token}0` }, now)).toBe('invalid');
    expect(verifyMailgunSignature(key, { ...s, timestamp: String(now + 1) }, now)).toBe('invalid');
    expect(verifyMailgunSignature(key, { ...s, signature: s.signature.slice(0, 62) }, now)).toBe('invalid');
  });

  it('R-S8: a genuine signature with a stale timestamp is refused (replay of an old request)', () => {
    const s = mailgunSignature(key, now - MAILGUN_MAX_SKEW_SECONDS - 1);
    expect(verifyMailgunSignature(key, s, now)).toBe('stale');
    // The documented sample is years old: genuine with its key or not, it can only be stale or invalid now.
    const sample = mailgunSignatureOf(fixtureJson('mailgun-failed.json'))!;
    expect(verifyMailgunSignature(key, sample, now)).not.toBe('valid');
  });

  it('R-S8: the signature object is read from the documented body, and malformed ones are none', () => {
    expect(mailgunSignatureOf(fixtureJson('mailgun-failed.json'))).toEqual({
      timestamp: '1529006854',
      token: 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0',
      signature: 'd2271d12299f6592d9d44cd9d250f0704e4674c30d79d07c47a66f95ce71cf55',
    });
    expect(mailgunSignatureOf({})).toBeNull();
    expect(mailgunSignatureOf(null)).toBeNull();
    expect(mailgunSignatureOf({ signature: { timestamp: 'x', token: 't', signature: 'ab' } })).toBeNull();
  });
});

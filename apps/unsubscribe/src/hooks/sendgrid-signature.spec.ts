import { generateKeyPairSync } from 'node:crypto';
import { fixture, sendgridKeys } from '../../test/provider-signers';
import { sendgridPublicKey, verifySendgridSignature } from './sendgrid-signature';

describe('R-S8: SendGrid Signed Event Webhook (ECDSA P-256 over timestamp + raw body)', () => {
  const keys = sendgridKeys();
  const key = sendgridPublicKey(keys.publicKeyBase64);
  const body = fixture('sendgrid-events.json');

  it('R-S8: the documented sample, signed, verifies against the raw bytes', () => {
    const h = keys.signHeaders(body);
    const sig = h['x-twilio-email-event-webhook-signature'];
    const ts = h['x-twilio-email-event-webhook-timestamp'];
    expect(verifySendgridSignature(key, Buffer.from(body), sig, ts)).toBe(true);
  });

  it('R-S8: re-serialised JSON, a changed byte, another timestamp or a missing header fails', () => {
    const h = keys.signHeaders(body);
    const sig = h['x-twilio-email-event-webhook-signature'];
    const ts = h['x-twilio-email-event-webhook-timestamp'];
    expect(verifySendgridSignature(key, Buffer.from(JSON.stringify(JSON.parse(body))), sig, ts)).toBe(false);
    expect(verifySendgridSignature(key, Buffer.from(body.replace('5.0.0', '4.0.0')), sig, ts)).toBe(false);
    expect(verifySendgridSignature(key, Buffer.from(body), sig, String(Number(ts) + 1))).toBe(false);
    expect(verifySendgridSignature(key, Buffer.from(body), undefined, ts)).toBe(false);
    expect(verifySendgridSignature(key, Buffer.from(body), sig, undefined)).toBe(false);
    expect(verifySendgridSignature(key, Buffer.from(body), 'garbage', ts)).toBe(false);
  });

  it('R-S8: another key pair signature fails', () => {
    const stranger = sendgridKeys().signHeaders(body);
    expect(
      verifySendgridSignature(
        key,
        Buffer.from(body),
        stranger['x-twilio-email-event-webhook-signature'],
        stranger['x-twilio-email-event-webhook-timestamp'],
      ),
    ).toBe(false);
  });

  it('R-S8: the key is taken as base64 DER or PEM, and must be P-256', () => {
    const pem = sendgridPublicKey(keys.publicKeyBase64).export({ format: 'pem', type: 'spki' }).toString();
    expect(sendgridPublicKey(pem).asymmetricKeyType).toBe('ec');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' });
    expect(() => sendgridPublicKey(rsa.toString())).toThrow(/P-256/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({
      format: 'pem',
      type: 'spki',
    });
    expect(() => sendgridPublicKey(p384.toString())).toThrow(/P-256/);
  });
});

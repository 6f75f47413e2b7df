import { X509Certificate } from 'node:crypto';
import { fixtureJson, snsSigner, type SnsSigner } from '../../test/provider-signers';
import { parseSnsMessage, signingCertUrlAllowed, snsStringToSign, verifySnsSignature } from './sns-signature';

const CERT_URL = 'https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem';

describe('R-S8: SNS message signatures (SES through SNS)', () => {
  let signer: SnsSigner;
  let cert: X509Certificate;
  let other: X509Certificate;
  let now: Date;

  beforeAll(async () => {
    signer = await snsSigner();
    cert = new X509Certificate(signer.certPem);
    other = new X509Certificate((await snsSigner()).certPem);
    // After the certificates exist: they are valid from the second they were made.
    now = new Date();
  });

  const documented = () => {
    const { Signature: _s, SignatureVersion: _v, ...rest } = fixtureJson('sns-envelope.json');
    return rest;
  };

  it('R-S8: builds the documented string to sign for a notification (Subject included when present)', () => {
    const m = parseSnsMessage(JSON.stringify(fixtureJson('sns-envelope.json')))!;
    expect(snsStringToSign(m)).toBe(
      'Message\nHello world!\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nSubject\nMy First Message\n' +
        'Timestamp\n2012-05-02T00:54:06.655Z\nTopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\nType\nNotification\n',
    );
    const { Subject: _subject, ...noSubject } = m;
    expect(snsStringToSign(noSubject)).not.toContain('Subject');
  });

  it('R-S8: a subscription confirmation signs SubscribeURL and Token, and needs both', () => {
    const m = parseSnsMessage(JSON.stringify(fixtureJson('sns-subscription-confirmation.json')))!;
    expect(snsStringToSign(m)).toMatch(
      /^Message\n[^]*\nMessageId\n.*\nSubscribeURL\n.*\nTimestamp\n.*\nToken\n.*\nTopicArn\n.*\nType\nSubscriptionConfirmation\n$/,
    );
    expect(snsStringToSign({ ...m, Token: undefined })).toBeNull();
  });

  it('R-S8: SignatureVersion 1 (SHA1withRSA) and 2 (SHA256withRSA) verify with the signing certificate', () => {
    for (const version of ['1', '2'] as const) {
      const m = signer.sign(documented(), version);
      expect(verifySnsSignature(m, cert, now)).toBe(true);
      expect(verifySnsSignature(m, other, now)).toBe(false);
    }
  });

  it('R-S8: any changed signed field, an unknown version or a swapped version fails', () => {
    const m = signer.sign(documented(), '2');
    for (const field of ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn'] as const)
      expect(verifySnsSignature({ ...m, [field]: `${m[field]}x` }, cert, now)).toBe(false);
    expect(verifySnsSignature({ ...m, SignatureVersion: '1' }, cert, now)).toBe(false);
    expect(verifySnsSignature({ ...m, SignatureVersion: '3' }, cert, now)).toBe(false);
    expect(verifySnsSignature({ ...m, Signature: 'not base64 at all!' }, cert, now)).toBe(false);
  });

  it('R-S8: a certificate outside its validity does not verify', () => {
    const m = signer.sign(documented(), '2');
    expect(verifySnsSignature(m, cert, new Date(Date.parse(cert.validTo) + 1000))).toBe(false);
  });

  it('R-S8: the certificate URL must be https on an SNS host unless a trusted set is configured', () => {
    expect(signingCertUrlAllowed(CERT_URL, false)).toBe(true);
    expect(signingCertUrlAllowed('https://sns.cn-north-1.amazonaws.com.cn/c.pem', false)).toBe(true);
    for (const url of [
      'http://sns.us-west-2.amazonaws.com/c.pem',
      'https://sns.us-west-2.amazonaws.com.evil.example/c.pem',
      'https://evil.example/sns.us-west-2.amazonaws.com/c.pem',
      'https://s3.amazonaws.com/bucket/c.pem',
      'https://user@sns.us-west-2.amazonaws.com/c.pem',
      'https://sns.us-west-2.amazonaws.com:8443/c.pem',
      'not a url',
    ])
      expect(signingCertUrlAllowed(url, false)).toBe(false);
    expect(signingCertUrlAllowed('https://certs.test/c.pem', true)).toBe(true);
    expect(signingCertUrlAllowed('http://certs.test/c.pem', true)).toBe(false);
  });

  it('R-S8: anything but an SNS message of a known type is refused before any check', () => {
    expect(parseSnsMessage('not json')).toBeNull();
    expect(parseSnsMessage('[]')).toBeNull();
    expect(parseSnsMessage(JSON.stringify({ ...fixtureJson('sns-envelope.json'), Type: 'Other' }))).toBeNull();
    expect(parseSnsMessage(JSON.stringify({ ...fixtureJson('sns-envelope.json'), Signature: 1 }))).toBeNull();
  });
});

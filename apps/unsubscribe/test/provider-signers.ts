import { createHmac, createSign, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { snsStringToSign, type SnsMessage } from '../src/hooks/sns-signature';

/** Test-side signers standing in for each provider (R-S8): our own keys, the providers' schemes. */

export const fixture = (name: string): string => readFileSync(join(__dirname, 'fixtures', 'hooks', name), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests edit the documented samples' fields freely
export const fixtureJson = <T = any>(name: string): T => JSON.parse(fixture(name)) as T;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same, where the call site's type would be unknown
export const sample = (name: string): any => JSON.parse(fixture(name));

export interface SnsSigner {
  certPem: string;
  sign(message: Omit<SnsMessage, 'Signature' | 'SignatureVersion'>, version?: '1' | '2'): SnsMessage;
}

/** A self-signed RSA certificate in the role of SNS's signing certificate. */
export async function snsSigner(commonName = 'sns.amazonaws.com'): Promise<SnsSigner> {
  const pems = await generate([{ name: 'commonName', value: commonName }], { keySize: 2048, algorithm: 'sha256' });
  return {
    certPem: pems.cert,
    sign(message, version = '2') {
      const unsigned = { ...message, SignatureVersion: version, Signature: '' } as SnsMessage;
      const text = snsStringToSign(unsigned)!;
      const signature = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256')
        .update(text, 'utf8')
        .sign(pems.private, 'base64');
      return { ...unsigned, Signature: signature };
    },
  };
}

/** An SNS notification carrying an SES notification, as SNS would deliver it to /hooks/ses. */
export function snsNotification(topicArn: string, sesNotification: unknown, certUrl: string) {
  return {
    Type: 'Notification' as const,
    MessageId: `msg-${randomBytes(6).toString('hex')}`,
    TopicArn: topicArn,
    Message: JSON.stringify(sesNotification),
    Timestamp: new Date().toISOString(),
    SigningCertURL: certUrl,
  };
}

/** SendGrid's key pair: the public key as its console shows it (base64 DER SPKI). */
export function sendgridKeys() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    publicKeyBase64: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    signHeaders(body: string, timestamp = String(Math.floor(Date.now() / 1000))) {
      const signature = sign('sha256', Buffer.from(timestamp + body, 'utf8'), { key: privateKey, dsaEncoding: 'der' });
      return {
        'x-twilio-email-event-webhook-signature': signature.toString('base64'),
        'x-twilio-email-event-webhook-timestamp': timestamp,
      };
    },
  };
}

/** Mailgun's `signature` object for a body, with a fresh token unless one is given. */
export function mailgunSignature(signingKey: string, timestamp = Math.floor(Date.now() / 1000), token?: string) {
  const t = token ?? randomBytes(25).toString('hex');
  const signature = createHmac('sha256', signingKey).update(`${timestamp}${t}`).digest('hex');
  return { timestamp: String(timestamp), token: t, signature };
}

export const basicAuth = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

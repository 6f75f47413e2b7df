import { createVerify, X509Certificate } from 'node:crypto';

/** The fields of an Amazon SNS HTTP(S) delivery that the signature covers, and the signature itself. */
export interface SnsMessage {
  Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  SubscribeURL?: string;
  Token?: string;
}

const TYPES = new Set(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']);
const REQUIRED = ['MessageId', 'TopicArn', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL'];

/** SNS's own certificate hosts: `sns.{region}.amazonaws.com` (and `.com.cn` in China). */
const SNS_CERT_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** The body as an SNS message, or null when it is none (then no signature can be checked: 401). */
export function parseSnsMessage(body: string): SnsMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const m = value as Record<string, unknown>;
  if (typeof m.Type !== 'string' || !TYPES.has(m.Type)) return null;
  if (REQUIRED.some((field) => typeof m[field] !== 'string')) return null;
  for (const field of ['Subject', 'SubscribeURL', 'Token'])
    if (m[field] !== undefined && m[field] !== null && typeof m[field] !== 'string') return null;
  return m as unknown as SnsMessage;
}

/**
 * The string SNS signs (AWS "Verifying the signatures of Amazon SNS messages"): `name\nvalue\n` for each field the
 * message type signs, in byte order of the names; Subject only when the notification has one. Null when a
 * confirmation lacks its SubscribeURL or Token.
 */
export function snsStringToSign(m: SnsMessage): string | null {
  const fields =
    m.Type === 'Notification'
      ? ['Message', 'MessageId', ...(typeof m.Subject === 'string' ? ['Subject'] : []), 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  let text = '';
  for (const field of fields) {
    const value = (m as unknown as Record<string, unknown>)[field];
    if (typeof value !== 'string') return null;
    text += `${field}\n${value}\n`;
  }
  return text;
}

/**
 * Whether the certificate may be fetched from `url`: https on an SNS host, no credentials, default port. With a
 * trusted certificate set configured nothing is fetched, and the URL only has to be https.
 */
export function signingCertUrlAllowed(url: string, trustedSetConfigured: boolean): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:') return false;
  if (trustedSetConfigured) return true;
  return SNS_CERT_HOST.test(parsed.hostname) && parsed.port === '' && parsed.username === '' && parsed.password === '';
}

/**
 * Checks the message's signature with the certificate: SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA; any
 * other version, a certificate outside its validity at `now`, or a malformed signature fails.
 */
export function verifySnsSignature(m: SnsMessage, certificate: X509Certificate, now: Date): boolean {
  const algorithm = m.SignatureVersion === '1' ? 'RSA-SHA1' : m.SignatureVersion === '2' ? 'RSA-SHA256' : null;
  const text = snsStringToSign(m);
  if (!algorithm || text === null) return false;
  if (now < new Date(certificate.validFrom) || now > new Date(certificate.validTo)) return false;
  if (certificate.publicKey.asymmetricKeyType !== 'rsa') return false;
  try {
    return createVerify(algorithm).update(text, 'utf8').verify(certificate.publicKey, m.Signature, 'base64');
  } catch {
    return false;
  }
}

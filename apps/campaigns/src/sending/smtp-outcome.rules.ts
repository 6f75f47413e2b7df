/**
 * What a relay's refusal means (R-S5), decided by the SMTP stage it came at and its RFC 3463 enhanced status code,
 * never by the first digit alone: a 5xx at AUTH or MAIL FROM says nothing of the recipient, and marking an audience
 * bounced for it would suppress every address. Plain function, no I/O; smtp-sender.ts reads the facts off the
 * driver's error.
 */

/** Where in the dialogue the relay answered. */
export type SmtpStage = 'connection' | 'auth' | 'mail-from' | 'rcpt' | 'data' | 'unknown';

export interface SmtpFailureFacts {
  stage: SmtpStage;
  /** The basic reply code (550), null when the relay gave no reply (a socket error, a timeout). */
  replyCode: number | null;
  /** The reply's text as the relay sent it (`550 5.1.1 <x@y>: user unknown`), null without a reply. */
  response: string | null;
  /**
   * true when the failure certainly came before the message was handed over (refused or timed-out connection, TLS
   * or credentials refused): nothing can have gone.
   */
  beforeMessage: boolean;
  /** The socket or driver error code (ECONNREFUSED, ETIMEDOUT, EAUTH), never its message: that names the relay. */
  errorCode: string | null;
}

export type SmtpFailure =
  /** The recipient's address is permanently undeliverable: suppressed durably (R-S8). */
  | { kind: 'hard-bounce'; status: string | null; reason: string }
  /** The recipient could not take it now (mailbox full; or 4xx after every retry): counted, 3 in 30 days suppress. */
  | { kind: 'soft-bounce'; status: string | null; reason: string }
  /** This message was refused for itself (size, content, a policy of the destination): not resent, nobody suppressed. */
  | { kind: 'failed'; status: string | null; reason: string }
  /** The relay itself refuses us (unreachable, credentials, sender policy, relaying): the campaign pauses. */
  | { kind: 'relay-failure'; status: string | null; reason: string }
  /**
   * 4xx: try again later, with backoff. `throttle`: a 421 or 451 for this recipient, which slows its destination
   * domain alone (R-S10).
   */
  | { kind: 'transient'; status: string | null; reason: string; throttle: boolean }
  /** The dialogue broke after the relay may have accepted it: never resent (R-S6). */
  | { kind: 'unknown'; status: null; reason: string };

/** `5.1.1` from `550 5.1.1 user unknown` (or `550-5.1.1 …` of a multi-line reply); null when the relay gave none. */
export function enhancedStatus(response: string | null): string | null {
  const match = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})(?=\s|$)/.exec(response ?? '');
  return match ? match[1] : null;
}

/** "Relay access denied", "relaying denied", "not permitted to relay", "relay not permitted"… */
const RELAY_DENIED =
  /\brelay(ing)?\b[^.]*\b(denied|not (permitted|allowed)|prohibited|refused)\b|\bnot (permitted|allowed) to relay\b|\bunable to relay\b/i;

/**
 * Enhanced codes that speak of the recipient's address or mailbox: 5.1.x addressing (but 5.1.7 and 5.1.8 are the
 * sender's), 5.2.1 mailbox disabled, 5.4.4 no route to the recipient's domain (null MX, no MX).
 */
function isRecipientPermanent(status: string): boolean {
  if (status === '5.2.1' || status === '5.4.4' || status === '5.2.0') return true;
  return status.startsWith('5.1.') && status !== '5.1.7' && status !== '5.1.8';
}

/**
 * Enhanced codes that say the relay will not take mail from us at all, whatever the recipient: authentication
 * (5.7.0 required, 5.7.8 bad credentials, 5.7.9, 5.7.11), the sender's address (5.1.7, 5.1.8) and the sender's
 * domain authentication (5.7.23 SPF, 5.7.24, 5.7.25 reverse DNS, 5.7.26 DMARC, 5.7.27 null MX of the sender).
 */
const RELAY_STATUSES = new Set([
  '5.7.0',
  '5.7.8',
  '5.7.9',
  '5.7.11',
  '5.1.7',
  '5.1.8',
  '5.7.23',
  '5.7.24',
  '5.7.25',
  '5.7.26',
  '5.7.27',
]);

export function classifySmtpFailure(facts: SmtpFailureFacts): SmtpFailure {
  const status = enhancedStatus(facts.response);
  if (facts.replyCode === null) {
    // No reply: before the message, the relay is down, unreachable or refuses us (a relay failure); otherwise the
    // connection broke mid-dialogue, possibly after the relay took the message, and SMTP has no idempotency (R-S6).
    const code = facts.errorCode ?? 'error';
    if (facts.beforeMessage) {
      const what = facts.stage === 'auth' ? 'the relay refused the login' : 'the relay could not be reached';
      return { kind: 'relay-failure', status: null, reason: `${code}: ${what}` };
    }
    return { kind: 'unknown', status: null, reason: `${code}: the connection to the relay ended before its answer` };
  }
  const reason = (facts.response ?? String(facts.replyCode)).slice(0, 200);
  if (facts.replyCode >= 400 && facts.replyCode < 500) {
    const throttle =
      (facts.replyCode === 421 || facts.replyCode === 451) && (facts.stage === 'rcpt' || facts.stage === 'data');
    return { kind: 'transient', status, reason, throttle };
  }
  if (facts.replyCode < 500 || facts.replyCode > 599) return { kind: 'failed', status, reason };

  // 5xx from here.
  if (facts.stage === 'connection' || facts.stage === 'auth' || facts.stage === 'mail-from')
    return { kind: 'relay-failure', status, reason };
  if (facts.replyCode === 530 || RELAY_DENIED.test(facts.response ?? '') || (status && RELAY_STATUSES.has(status)))
    return { kind: 'relay-failure', status, reason };
  if (facts.stage !== 'rcpt' && facts.stage !== 'data') return { kind: 'failed', status, reason };
  if (status) {
    if (isRecipientPermanent(status)) return { kind: 'hard-bounce', status, reason };
    // 5.2.2 mailbox full: permanent in RFC 3463, passing in practice; counted like a 4xx that never cleared.
    if (status === '5.2.2') return { kind: 'soft-bounce', status, reason };
    return { kind: 'failed', status, reason };
  }
  // A relay without enhanced codes (RFC 5321 alone): 550 and 551 and 553 at RCPT speak of the mailbox; 552 is
  // storage exceeded; anything else (554 transaction failed) is this message's failure.
  if (facts.stage === 'rcpt' && (facts.replyCode === 550 || facts.replyCode === 551 || facts.replyCode === 553))
    return { kind: 'hard-bounce', status: null, reason };
  if (facts.replyCode === 552 && facts.stage === 'rcpt') return { kind: 'soft-bounce', status: null, reason };
  return { kind: 'failed', status: null, reason };
}

/**
 * Tries a message meets a 4xx before it is a soft bounce (R-S5). Each try is one run of its batch job, which BullMQ
 * retries with exponential backoff (1 s, 2 s, 4 s, 8 s …), so the last try comes about half a minute after the first.
 */
export const TRANSIENT_TRIES = 5;

/** A 4xx on the last try: the message becomes a soft bounce rather than going back to pending. */
export function afterTransient(
  failure: Extract<SmtpFailure, { kind: 'transient' }>,
  tries: number,
): Extract<SmtpFailure, { kind: 'transient' | 'soft-bounce' }> {
  return tries >= TRANSIENT_TRIES ? { kind: 'soft-bounce', status: failure.status, reason: failure.reason } : failure;
}

/**
 * What a report sent to a message's VERP Return-Path says about the address (R-S8), read from the parts of a
 * `multipart/report`: delivery status notifications (RFC 3464) and complaint feedback reports (ARF, RFC 5965).
 * Plain functions, no I/O; bounce-mail.parser.ts turns the raw message into these parts.
 *
 * The classification of a failed recipient follows the send worker's for the relay's own answers (R-S5): only
 * codes that speak of the recipient's address or mailbox are hard bounces; a full mailbox, or a failure after the
 * retries of a 4xx, is a soft bounce; a message refused for itself (size, content, a policy) records nothing about
 * the address.
 */

export type FeedbackOutcome = 'hard-bounce' | 'soft-bounce' | 'complaint';

/** One MIME leaf of the report, decoded: its type (lower case) and its text. */
export interface ReportPart {
  contentType: string;
  text: string;
}

export interface FeedbackFinding {
  outcome: FeedbackOutcome;
  /** The RFC 3463 enhanced status code of a bounce, or the ARF feedback type of a complaint. */
  status: string | null;
  /** When it happened, as the report tells it; null when it does not (the caller uses the time it was heard). */
  at: Date | null;
}

export interface FeedbackReport {
  source: 'dsn' | 'arf';
  /** One finding per distinct outcome: a DSN's recipients that failed alike are one bounce of the message. */
  findings: FeedbackFinding[];
  /** How many recipients (DSN per-recipient groups, ARF Original-Rcpt-To fields) the report names. */
  recipients: number;
  /** The Message-ID of the original message as the report quotes it (its returned message or headers). */
  originalMessageId: string | null;
}

/** `Name: value` fields of an RFC 822-style block, names lower-cased, folded lines unfolded; repeated names kept. */
export type Fields = [name: string, value: string][];

/** The blocks of a field list separated by blank lines: a DSN's per-message block, then one per recipient. */
export function fieldGroups(text: string): Fields[] {
  const groups: Fields[] = [];
  let current: Fields = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      if (current.length > 0) groups.push(current);
      current = [];
    } else if ((line[0] === ' ' || line[0] === '\t') && current.length > 0) {
      const last = current[current.length - 1];
      last[1] = `${last[1]} ${line.trim()}`.trim();
    } else {
      const colon = line.indexOf(':');
      if (colon > 0) current.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** The header block of a returned message or of `text/rfc822-headers`: the fields up to the first blank line. */
export function headerFields(text: string): Fields {
  return fieldGroups(text.split(/\r?\n\r?\n/, 1)[0] ?? '')[0] ?? [];
}

export function field(fields: Fields, name: string): string | null {
  return fields.find(([n]) => n === name)?.[1] ?? null;
}

const STATUS = /^([245])\.(\d{1,3})\.(\d{1,3})$/;
/** `smtp; 550 5.1.1 <x@y>: no such user` → reply 550, status 5.1.1. */
const DIAGNOSTIC = /^\s*smtp\s*;\s*(\d{3})(?:[ -]([245]\.\d{1,3}\.\d{1,3})(?=\s|$))?/i;

/** The RFC 3463 code of a Status field (`5.1.1 (user unknown)` → `5.1.1`), or null. */
export function statusCode(value: string | null): string | null {
  const code = value?.trim().split(/[\s(]/, 1)[0] ?? '';
  return STATUS.test(code) ? code : null;
}

/** Codes that speak of the recipient's address or mailbox (5.1.7 and 5.1.8 are the sender's). */
function isRecipientPermanent(status: string): boolean {
  if (status === '5.2.0' || status === '5.2.1' || status === '5.4.4') return true;
  return status.startsWith('5.1.') && status !== '5.1.7' && status !== '5.1.8';
}

/** A report's date when it is one and not in the future (a wrong clock must not date an outcome ahead). */
export function reportDate(value: string | null, now: Date): Date | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isFinite(time) && time <= now.getTime() ? new Date(time) : null;
}

/**
 * R-S8, R-S5: one per-recipient group of a DSN. `delayed` is a soft bounce; `failed` is a hard bounce for a code
 * about the address, a soft one for a full mailbox or a 4.x.x that outlived its retries, and nothing for the rest;
 * `delivered`, `relayed` and `expanded` say nothing against the address. A generic `5.0.0` is read through the
 * Diagnostic-Code when it carries a better code or the reply alone (550, 551, 553 at RCPT speak of the mailbox).
 */
export function recipientOutcome(fields: Fields): Pick<FeedbackFinding, 'outcome' | 'status'> | null {
  const action = field(fields, 'action')?.toLowerCase().split(/[\s(]/, 1)[0];
  let status = statusCode(field(fields, 'status'));
  if (action === 'delayed') return { outcome: 'soft-bounce', status };
  if (action !== 'failed' || status === null) return null;
  const diagnostic = DIAGNOSTIC.exec(field(fields, 'diagnostic-code') ?? '');
  if (status.endsWith('.0.0') && diagnostic?.[2] && diagnostic[2][0] === status[0]) status = diagnostic[2];
  if (status.startsWith('4.') || status === '5.2.2') return { outcome: 'soft-bounce', status };
  if (isRecipientPermanent(status)) return { outcome: 'hard-bounce', status };
  if (status === '5.0.0' && diagnostic && ['550', '551', '553'].includes(diagnostic[1]))
    return { outcome: 'hard-bounce', status };
  return null;
}

/** Feedback types that are the recipient's complaint (RFC 5965 §7.3): spam (`abuse`) and phishing (`fraud`). */
const COMPLAINTS = new Set(['abuse', 'fraud']);

const DELIVERY_STATUS = new Set(['message/delivery-status', 'message/global-delivery-status']);
const FEEDBACK_REPORT = 'message/feedback-report';
const OUTCOME_ORDER: readonly FeedbackOutcome[] = ['complaint', 'hard-bounce', 'soft-bounce'];
const RETURNED = new Set(['message/rfc822', 'text/rfc822-headers', 'message/global', 'message/global-headers']);
/** The part types readReport reads; a reader may skip every other part of the message. */
export const REPORT_PART_TYPES: ReadonlySet<string> = new Set([...DELIVERY_STATUS, FEEDBACK_REPORT, ...RETURNED]);

/** One finding per outcome, a hard bounce before a soft one, each with the latest date its recipients give. */
function distinct(findings: FeedbackFinding[]): FeedbackFinding[] {
  const byOutcome = new Map<FeedbackOutcome, FeedbackFinding>();
  for (const f of findings) {
    const seen = byOutcome.get(f.outcome);
    if (!seen) byOutcome.set(f.outcome, f);
    else if (f.at && (!seen.at || f.at > seen.at)) byOutcome.set(f.outcome, { ...seen, at: f.at });
  }
  return OUTCOME_ORDER.flatMap((o) => byOutcome.get(o) ?? []);
}

/**
 * R-S8: the findings of a `multipart/report` (its `report-type` parameter and its leaf parts), or null when the
 * message is no DSN or ARF report (an auto-reply, a plain-text bounce): such mail is taken and changes nothing.
 */
export function readReport(reportType: string | null, parts: ReportPart[], now: Date): FeedbackReport | null {
  const type = reportType?.toLowerCase() ?? null;
  const returned = parts.find((p) => RETURNED.has(p.contentType));
  const messageId = returned ? field(headerFields(returned.text), 'message-id') : null;
  const originalMessageId = messageId?.split(/\s/, 1)[0] || null;

  const feedback = parts.find((p) => p.contentType === FEEDBACK_REPORT);
  if (feedback && (type === null || type === 'feedback-report')) {
    const fields = fieldGroups(feedback.text).flat();
    const feedbackType = field(fields, 'feedback-type')?.toLowerCase().split(/[\s;]/, 1)[0] ?? null;
    const at = reportDate(field(fields, 'arrival-date') ?? field(fields, 'received-date'), now);
    return {
      source: 'arf',
      findings:
        feedbackType && COMPLAINTS.has(feedbackType) ? [{ outcome: 'complaint', status: feedbackType, at }] : [],
      recipients: fields.filter(([name]) => name === 'original-rcpt-to').length,
      originalMessageId,
    };
  }

  const status = parts.find((p) => DELIVERY_STATUS.has(p.contentType));
  if (status && (type === null || type === 'delivery-status' || type === 'global-delivery-status')) {
    const [perMessage = [], ...perRecipient] = fieldGroups(status.text);
    const arrival = reportDate(field(perMessage, 'arrival-date'), now);
    const findings: FeedbackFinding[] = [];
    for (const fields of perRecipient) {
      const found = recipientOutcome(fields);
      if (found) findings.push({ ...found, at: reportDate(field(fields, 'last-attempt-date'), now) ?? arrival });
    }
    return { source: 'dsn', findings: distinct(findings), recipients: perRecipient.length, originalMessageId };
  }
  return null;
}

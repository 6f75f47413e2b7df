import type { DeliveryOutcomeV1 } from '@missive/contracts';

/**
 * One bounce or complaint a provider reported, as the feedback path takes it: the outcome, its status code (RFC 3463
 * enhanced code, or the complaint's feedback type), when it happened, and where our bounce token may be found (the
 * original Message-ID, envelope sender or custom arguments the provider echoes). Addresses are never kept.
 */
export interface ProviderFinding {
  outcome: DeliveryOutcomeV1;
  status: string | null;
  at: Date;
  references: string[];
}

/** What a provider's body held: findings, and how many events were something else (deliveries, opens, …). */
export interface ProviderEvents {
  findings: ProviderFinding[];
  ignored: number;
}

type Json = Record<string, unknown>;

const ENHANCED_STATUS = /^[245]\.\d{1,3}\.\d{1,3}$/;
/** ARF's name for a complaint the provider only calls "spam". */
const ABUSE = 'abuse';

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const status = (v: unknown): string | null => {
  const s = str(v)?.trim() ?? null;
  return s !== null && ENHANCED_STATUS.test(s) ? s : null;
};
const feedbackType = (v: unknown): string => {
  const s = str(v);
  return s !== null && /^[a-z-]{1,32}$/i.test(s) ? s : ABUSE;
};
const dateOf = (v: unknown, fallback: Date): Date => {
  const d = typeof v === 'number' ? new Date(v * 1000) : typeof v === 'string' ? new Date(v) : null;
  return d && !Number.isNaN(d.getTime()) ? d : fallback;
};
/** String values of a custom-arguments object (SendGrid unique args, Mailgun user-variables, Postmark Metadata). */
const stringsOf = (v: unknown): string[] =>
  isObject(v) ? Object.values(v).filter((x): x is string => typeof x === 'string') : [];

/** The Message-ID header of a raw message (Postmark's `Content`), read from its header block only. */
export function messageIdOfRaw(raw: unknown): string | null {
  const text = str(raw);
  if (!text) return null;
  const end = text.search(/\r?\n\r?\n/);
  const headers = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  return /^message-id:\s*(\S+)/im.exec(headers)?.[1] ?? null;
}

/**
 * Amazon SES notifications (the SNS `Message`, JSON): `Bounce` (Permanent: hard; Transient or Undetermined: soft)
 * and `Complaint`, as feedback notifications (`notificationType`) or event publishing (`eventType`) send them.
 */
export function sesEvents(message: string, now: Date): ProviderEvents {
  let n: unknown;
  try {
    n = JSON.parse(message);
  } catch {
    return { findings: [], ignored: 1 };
  }
  if (!isObject(n)) return { findings: [], ignored: 1 };
  const type = str(n.notificationType) ?? str(n.eventType);
  const mail = isObject(n.mail) ? n.mail : {};
  const common = isObject(mail.commonHeaders) ? mail.commonHeaders : {};
  const headers = Array.isArray(mail.headers) ? mail.headers.filter(isObject) : [];
  const references = [
    str(common.messageId),
    ...headers.filter((h) => /^(message-id|return-path)$/i.test(String(h.name))).map((h) => str(h.value)),
    str(mail.source),
    ...(isObject(mail.tags) ? Object.values(mail.tags).flat() : []).map(str),
  ].filter((r): r is string => r !== null);
  if (type === 'Bounce' && isObject(n.bounce)) {
    const b = n.bounce;
    const recipients = Array.isArray(b.bouncedRecipients) ? b.bouncedRecipients.filter(isObject) : [];
    return {
      findings: [
        {
          outcome: b.bounceType === 'Permanent' ? 'hard-bounce' : 'soft-bounce',
          status: status(recipients[0]?.status),
          at: dateOf(b.timestamp, now),
          references,
        },
      ],
      ignored: 0,
    };
  }
  if (type === 'Complaint' && isObject(n.complaint)) {
    const c = n.complaint;
    // SES also reports complaints it could not tie to a feedback type; "not-spam" is a recipient's retraction.
    if (c.complaintFeedbackType === 'not-spam') return { findings: [], ignored: 1 };
    return {
      findings: [
        {
          outcome: 'complaint',
          status: feedbackType(c.complaintFeedbackType),
          at: dateOf(c.timestamp, now),
          references,
        },
      ],
      ignored: 0,
    };
  }
  return { findings: [], ignored: 1 };
}

/**
 * SendGrid's Event Webhook: an array of events. `bounce` (type `blocked`: soft, else hard) and `spamreport`; the
 * original Message-ID is echoed as `smtp-id`, custom arguments as top-level fields.
 */
export function sendgridEvents(body: unknown, now: Date): ProviderEvents {
  const events = Array.isArray(body) ? body : [];
  const out: ProviderEvents = { findings: [], ignored: 0 };
  for (const e of events) {
    if (!isObject(e)) {
      out.ignored++;
      continue;
    }
    const references = [str(e['smtp-id']), ...stringsOf(e)].filter((r): r is string => r !== null);
    const at = dateOf(e.timestamp, now);
    if (e.event === 'bounce')
      out.findings.push({
        outcome: e.type === 'blocked' ? 'soft-bounce' : 'hard-bounce',
        status: status(e.status),
        at,
        references,
      });
    else if (e.event === 'spamreport') out.findings.push({ outcome: 'complaint', status: ABUSE, at, references });
    else out.ignored++;
  }
  return out;
}

const POSTMARK_HARD = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated']);
const POSTMARK_SOFT = new Set(['SoftBounce', 'Transient', 'DnsError', 'Blocked']);

/**
 * Postmark's bounce and spam-complaint webhooks (one record per request). Postmark's own MessageID is not ours: the
 * token comes from Metadata or from the original's Message-ID in `Content` (when the dump is included).
 */
export function postmarkEvents(body: unknown, now: Date): ProviderEvents {
  if (!isObject(body)) return { findings: [], ignored: 1 };
  const references = [messageIdOfRaw(body.Content), ...stringsOf(body.Metadata)].filter((r): r is string => r !== null);
  const at = dateOf(body.BouncedAt, now);
  const type = str(body.Type);
  if (body.RecordType === 'SpamComplaint' || type === 'SpamComplaint')
    return { findings: [{ outcome: 'complaint', status: ABUSE, at, references }], ignored: 0 };
  if (body.RecordType === 'Bounce' && type && (POSTMARK_HARD.has(type) || POSTMARK_SOFT.has(type)))
    return {
      findings: [{ outcome: POSTMARK_HARD.has(type) ? 'hard-bounce' : 'soft-bounce', status: null, at, references }],
      ignored: 0,
    };
  return { findings: [], ignored: 1 };
}

/**
 * Mailgun's webhooks (`event-data`): `failed` (severity permanent: hard, temporary: soft) and `complained`. The
 * original Message-ID is `message.headers.message-id` (without brackets); custom variables are `user-variables`.
 */
export function mailgunEvents(body: unknown, now: Date): ProviderEvents {
  const e = isObject(body) && isObject(body['event-data']) ? body['event-data'] : null;
  if (!e) return { findings: [], ignored: 1 };
  const message = isObject(e.message) ? e.message : {};
  const headers = isObject(message.headers) ? message.headers : {};
  const references = [str(headers['message-id']), ...stringsOf(e['user-variables'])].filter(
    (r): r is string => r !== null,
  );
  const at = dateOf(e.timestamp, now);
  if (e.event === 'failed') {
    const delivery = isObject(e['delivery-status']) ? e['delivery-status'] : {};
    return {
      findings: [
        {
          outcome: e.severity === 'permanent' ? 'hard-bounce' : 'soft-bounce',
          status: status(delivery['enhanced-code']),
          at,
          references,
        },
      ],
      ignored: 0,
    };
  }
  if (e.event === 'complained')
    return { findings: [{ outcome: 'complaint', status: ABUSE, at, references }], ignored: 0 };
  return { findings: [], ignored: 1 };
}

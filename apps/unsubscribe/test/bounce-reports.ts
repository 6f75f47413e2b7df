import { codeOf, SmtpWire } from './smtp-wire';

/** A DSN recipient group (RFC 3464 §2.3). */
export interface DsnRecipient {
  address: string;
  action: 'failed' | 'delayed' | 'delivered';
  status: string;
  diagnostic?: string;
}

/** What a report quotes of the message it is about: its Return-Path and Message-ID. */
export interface Original {
  returnPath: string;
  messageId: string;
}

function multipartReport(type: string, to: string, parts: [string, string][]): string {
  const boundary = `=_report_${Math.random().toString(36).slice(2)}`;
  const lines = [
    'From: Mail Delivery System <MAILER-DAEMON@mx.dest.example>',
    `To: ${to}`,
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <report.${Math.random().toString(36).slice(2)}@mx.dest.example>`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=${type}; boundary="${boundary}"`,
    '',
  ];
  for (const [contentType, body] of parts) lines.push(`--${boundary}`, `Content-Type: ${contentType}`, '', body, '');
  lines.push(`--${boundary}--`, '');
  return lines.join('\r\n');
}

const returnedHeaders = (original: Original, to: string): [string, string] => [
  'text/rfc822-headers',
  [
    `Return-Path: <${original.returnPath}>`,
    'From: Shop <news@shop.example>',
    `To: ${to}`,
    'Subject: Our sale',
    `Message-ID: ${original.messageId}`,
  ].join('\r\n'),
];

/**
 * A DSN as a reporting MTA writes it: human part, message/delivery-status, the returned headers (left out with
 * `returnHeaders: false`, as some MTAs do).
 */
export function dsnMessage(
  original: Original,
  recipients: DsnRecipient[],
  { returnHeaders = true }: { returnHeaders?: boolean } = {},
): string {
  const groups = recipients.map((r) =>
    [
      `Final-Recipient: rfc822; ${r.address}`,
      `Action: ${r.action}`,
      `Status: ${r.status}`,
      ...(r.diagnostic ? [`Diagnostic-Code: smtp; ${r.diagnostic}`] : []),
      `Last-Attempt-Date: ${new Date(Date.now() - 1000).toUTCString().replace('GMT', '+0000')}`,
    ].join('\r\n'),
  );
  const status = ['Reporting-MTA: dns; mx.dest.example', '', groups.join('\r\n\r\n')].join('\r\n');
  return multipartReport('delivery-status', original.returnPath, [
    ['text/plain', 'This is the mail system at host mx.dest.example. Your message could not be delivered.'],
    ['message/delivery-status', status],
    ...(returnHeaders ? [returnedHeaders(original, recipients[0]?.address ?? 'someone@dest.example')] : []),
  ]);
}

/** An ARF report (RFC 5965) about the original message, with its headers returned. */
export function arfMessage(original: Original, feedbackType: string, rcptTo: string): string {
  return multipartReport('feedback-report', original.returnPath, [
    ['text/plain', 'This is an email abuse report for an email message received from IP 192.0.2.1.'],
    [
      'message/feedback-report',
      [
        `Feedback-Type: ${feedbackType}`,
        'User-Agent: TestFBL/1.0',
        'Version: 1',
        `Original-Mail-From: <${original.returnPath}>`,
        `Original-Rcpt-To: <${rcptTo}>`,
        `Arrival-Date: ${new Date(Date.now() - 60_000).toUTCString().replace('GMT', '+0000')}`,
        'Source-IP: 192.0.2.1',
      ].join('\r\n'),
    ],
    returnedHeaders(original, rcptTo),
  ]);
}

/** The SMTP answers to one message sent from the null sender, as a reporting MTA sends DSNs. */
export interface Delivery {
  rcpt: number[];
  /** The answer to the end of DATA (0 when it never came: the connection ended first). */
  data: number;
}

/**
 * One SMTP connection from a reporting MTA, reused for message after message (the listener admits a bounded number
 * of connections a minute per client address, as real MTAs' connection caching expects).
 */
export class ReportConnection {
  private constructor(private readonly wire: SmtpWire) {}

  static async open(port: number): Promise<ReportConnection> {
    const wire = await SmtpWire.open(port);
    await wire.read();
    await wire.send('EHLO mx.dest.example');
    return new ReportConnection(wire);
  }

  get closed(): boolean {
    return this.wire.closed;
  }

  /** One message from the null sender (dot-stuffed body); a refused recipient ends the transaction before DATA. */
  async deliver(recipients: string[], message: string): Promise<Delivery> {
    const [mailFrom] = await this.wire.send('MAIL FROM:<>');
    if (codeOf(mailFrom) !== 250) return { rcpt: [], data: 0 };
    const rcpt = (await this.wire.send(...recipients.map((r) => `RCPT TO:<${r}>`))).map(codeOf);
    if (!rcpt.includes(250)) {
      await this.wire.send('RSET');
      return { rcpt, data: 0 };
    }
    if (codeOf((await this.wire.send('DATA'))[0]) !== 354) return { rcpt, data: 0 };
    // The body and its final dot in one write, as an MTA flushes DATA: a separate small write of the dot would wait
    // for the body's ACK (Nagle), which the listener's TCP stack delays (about 40 ms), on every message.
    const [answer] = await this.wire.send(`${message.replace(/^\./gm, '..')}\r\n.`);
    return { rcpt, data: answer ? codeOf(answer) : 0 };
  }

  close(): void {
    this.wire.close();
  }
}

/** Sends one message over a connection of its own. */
export async function deliverReport(port: number, recipients: string[], message: string): Promise<Delivery> {
  const connection = await ReportConnection.open(port);
  try {
    return await connection.deliver(recipients, message);
  } finally {
    connection.close();
  }
}

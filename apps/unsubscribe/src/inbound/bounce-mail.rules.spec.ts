import { readFeedback } from './bounce-mail.parser';
import { fieldGroups, readReport, recipientOutcome, reportDate, statusCode } from './bounce-mail.rules';

const NOW = new Date('2026-12-07T16:00:00Z');
const ORIGINAL_ID = '<TOKEN-abc_123.0123456789abcdef@links.example>';

/** A multipart/report as mail servers write them, CRLF line ends. */
function report(type: 'delivery-status' | 'feedback-report', parts: [contentType: string, body: string][]): Buffer {
  const lines = [
    'From: Mail Delivery System <MAILER-DAEMON@mx.dest.example>',
    'To: bounce+TOKEN@links.example',
    'Subject: Undelivered Mail Returned to Sender',
    'Message-ID: <report-1@mx.dest.example>',
    'Date: Mon, 07 Dec 2026 15:00:00 +0000',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=${type};`,
    '\tboundary="=_report_boundary"',
    '',
    'This is a MIME-encapsulated message.',
    '',
  ];
  for (const [contentType, body] of parts) {
    lines.push('--=_report_boundary', `Content-Type: ${contentType}`, '', body, '');
  }
  lines.push('--=_report_boundary--', '');
  return Buffer.from(lines.join('\r\n'));
}

const human = [
  'text/plain; charset=us-ascii',
  'I am sorry to inform you that your message could not be delivered.',
] as [string, string];
const returnedHeaders = (messageId = ORIGINAL_ID): [string, string] => [
  'text/rfc822-headers',
  `Return-Path: <bounce+TOKEN@links.example>\r\nMessage-ID: ${messageId}\r\nSubject: Sale`,
];

function dsn(...recipients: string[]): Buffer {
  const status = [
    'Reporting-MTA: dns; mx.dest.example',
    'X-Postfix-Queue-ID: 4dQ1x2',
    'Arrival-Date: Mon, 7 Dec 2026 14:58:00 +0000',
    '',
    recipients.join('\r\n\r\n'),
  ].join('\r\n');
  return report('delivery-status', [human, ['message/delivery-status', status], returnedHeaders()]);
}

describe('bounce mail rules (R-S8: DSN RFC 3464, ARF RFC 5965)', () => {
  it('R-S8: a DSN with two recipients, one failed 5.1.1 and one delayed → a hard and a soft bounce, with dates', async () => {
    const parsed = await readFeedback(
      dsn(
        [
          'Final-Recipient: rfc822; ada@dest.example',
          'Original-Recipient: rfc822;ada@dest.example',
          'Action: failed',
          'Status: 5.1.1',
          'Remote-MTA: dns; mx.dest.example',
          'Diagnostic-Code: smtp; 550 5.1.1 <ada@dest.example>: Recipient address rejected:',
          '    User unknown in local recipient table',
          'Last-Attempt-Date: Mon, 7 Dec 2026 14:59:30 +0000',
        ].join('\r\n'),
        [
          'Final-Recipient: rfc822; ada.forward@other.example',
          'Action: delayed',
          'Status: 4.4.1',
          'Diagnostic-Code: X-Postfix; connect to mx.other.example: Connection timed out',
          'Will-Retry-Until: Mon, 12 Dec 2026 14:58:00 +0000',
        ].join('\r\n'),
      ),
      NOW,
    );
    expect(parsed).toEqual({
      source: 'dsn',
      recipients: 2,
      originalMessageId: ORIGINAL_ID,
      findings: [
        { outcome: 'hard-bounce', status: '5.1.1', at: new Date('2026-12-07T14:59:30Z') },
        // No Last-Attempt-Date: the per-message Arrival-Date.
        { outcome: 'soft-bounce', status: '4.4.1', at: new Date('2026-12-07T14:58:00Z') },
      ],
    });
  });

  it('R-S8: recipients that failed alike are one finding; delivered and relayed ones are none', async () => {
    const failed = (who: string, status: string) =>
      `Final-Recipient: rfc822; ${who}\r\nAction: failed\r\nStatus: ${status}`;
    const parsed = await readFeedback(
      dsn(
        failed('a@x.example', '5.1.1'),
        failed('b@x.example', '5.2.1'),
        'Final-Recipient: rfc822; c@x.example\r\nAction: delivered\r\nStatus: 2.0.0',
        'Final-Recipient: rfc822; d@x.example\r\nAction: relayed\r\nStatus: 2.0.0',
      ),
      NOW,
    );
    expect(parsed?.recipients).toBe(4);
    expect(parsed?.findings).toEqual([
      { outcome: 'hard-bounce', status: '5.1.1', at: new Date('2026-12-07T14:58:00Z') },
    ]);
  });

  it.each([
    ['failed', '5.1.1', null, 'hard-bounce'],
    ['failed', '5.1.2', null, 'hard-bounce'],
    ['failed', '5.1.10', null, 'hard-bounce'],
    ['failed', '5.2.1', null, 'hard-bounce'],
    ['failed', '5.4.4', null, 'hard-bounce'],
    ['failed', '5.2.2', null, 'soft-bounce'],
    ['failed', '4.4.7', null, 'soft-bounce'],
    ['delayed', '4.4.1', null, 'soft-bounce'],
    ['delayed', '4.7.1', null, 'soft-bounce'],
    ['failed', '5.0.0', 'smtp; 550 5.1.1 no such user', 'hard-bounce'],
    ['failed', '5.0.0', 'smtp; 550 Mailbox does not exist', 'hard-bounce'],
    ['failed', '5.0.0', 'smtp; 554 5.7.1 Message rejected as spam', null],
    ['failed', '5.0.0', 'smtp; 554 Transaction failed', null],
    ['failed', '5.7.1', 'smtp; 550 5.7.1 Rejected by policy', null],
    ['failed', '5.3.4', null, null],
    ['failed', '5.6.0', null, null],
    ['failed', '5.1.7', null, null],
    ['delivered', '2.0.0', null, null],
    ['expanded', '2.0.0', null, null],
    ['failed', 'garbage', null, null],
  ])('R-S8, R-S5: Action %s, Status %s, Diagnostic %s → %s', (action, status, diagnostic, expected) => {
    const fields = fieldGroups(
      [`Action: ${action}`, `Status: ${status}`, ...(diagnostic ? [`Diagnostic-Code: ${diagnostic}`] : [])].join('\n'),
    )[0];
    expect(recipientOutcome(fields)?.outcome ?? null).toBe(expected);
  });

  it('R-S8: an ARF abuse report with the original message attached → a complaint naming its Message-ID', async () => {
    const parsed = await readFeedback(
      report('feedback-report', [
        ['text/plain', 'This is an email abuse report for an email message received from IP 192.0.2.1.'],
        [
          'message/feedback-report',
          [
            'Feedback-Type: abuse',
            'User-Agent: SomeGenerator/1.0',
            'Version: 1',
            'Original-Mail-From: <bounce+TOKEN@links.example>',
            'Original-Rcpt-To: <ada@dest.example>',
            'Arrival-Date: Mon, 07 Dec 2026 14:10:00 +0000',
            'Reported-Domain: links.example',
            'Source-IP: 192.0.2.1',
          ].join('\r\n'),
        ],
        [
          'message/rfc822',
          `From: Shop <news@shop.example>\r\nTo: ada@dest.example\r\nMessage-ID:\r\n ${ORIGINAL_ID}\r\nSubject: Sale\r\n\r\nBuy now.`,
        ],
      ]),
      NOW,
    );
    expect(parsed).toEqual({
      source: 'arf',
      recipients: 1,
      originalMessageId: ORIGINAL_ID,
      findings: [{ outcome: 'complaint', status: 'abuse', at: new Date('2026-12-07T14:10:00Z') }],
    });
  });

  it('R-S8: ARF with only the headers returned; not-spam and virus reports are no complaint', async () => {
    const arf = (type: string) =>
      report('feedback-report', [
        ['text/plain', 'report'],
        ['message/feedback-report', `Feedback-Type: ${type}\r\nUser-Agent: x/1\r\nVersion: 1`],
        returnedHeaders(),
      ]);
    expect((await readFeedback(arf('fraud'), NOW))?.findings).toEqual([
      { outcome: 'complaint', status: 'fraud', at: null },
    ]);
    expect(await readFeedback(arf('abuse'), NOW)).toMatchObject({ originalMessageId: ORIGINAL_ID, recipients: 0 });
    for (const type of ['not-spam', 'virus', 'other', 'auth-failure'])
      expect((await readFeedback(arf(type), NOW))?.findings).toEqual([]);
  });

  it('R-S8: an auto-reply, a plain-text bounce or a report of another type is no report', async () => {
    const reply = Buffer.from(
      'From: ada@dest.example\r\nTo: bounce+TOKEN@links.example\r\nSubject: Out of office\r\n\r\nBack on Monday.\r\n',
    );
    expect(await readFeedback(reply, NOW)).toBeNull();
    const plain = Buffer.from(
      'From: MAILER-DAEMON@x\r\nSubject: failure notice\r\nContent-Type: text/plain\r\n\r\n<ada@dest.example>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n',
    );
    expect(await readFeedback(plain, NOW)).toBeNull();
    expect(
      readReport('disposition-notification', [{ contentType: 'message/delivery-status', text: '' }], NOW),
    ).toBeNull();
  });

  it('R-S8: an internationalised DSN (RFC 6533, message/global-delivery-status) is read like any other', () => {
    const text =
      'Reporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: utf-8; ådå@x.example\r\nAction: failed\r\nStatus: 5.1.1';
    const parts = [{ contentType: 'message/global-delivery-status', text }];
    expect(readReport('global-delivery-status', parts, NOW)?.findings).toEqual([
      { outcome: 'hard-bounce', status: '5.1.1', at: null },
    ]);
  });

  it('R-S8: a base64-encoded delivery-status part is read like a plain one', async () => {
    const status = Buffer.from(
      'Reporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; a@x.example\r\nAction: failed\r\nStatus: 5.1.1\r\n',
    ).toString('base64');
    const parsed = await readFeedback(
      report('delivery-status', [human, ['message/delivery-status\r\nContent-Transfer-Encoding: base64', status]]),
      NOW,
    );
    expect(parsed).toMatchObject({ source: 'dsn', originalMessageId: null, findings: [{ outcome: 'hard-bounce' }] });
  });

  it('R-S8: statuses, folded fields and dates are read strictly', () => {
    expect(statusCode('5.1.1 (bad destination mailbox address)')).toBe('5.1.1');
    expect(statusCode('5.1')).toBeNull();
    expect(statusCode('6.1.1')).toBeNull();
    expect(fieldGroups('Diagnostic-Code: smtp; 550\r\n  user unknown\r\n\r\nAction: failed')).toEqual([
      [['diagnostic-code', 'smtp; 550 user unknown']],
      [['action', 'failed']],
    ]);
    expect(reportDate('Mon, 07 Dec 2026 15:59:00 +0000', NOW)).toEqual(new Date('2026-12-07T15:59:00Z'));
    expect(reportDate('Mon, 07 Dec 2099 15:59:00 +0000', NOW)).toBeNull();
    expect(reportDate('yesterday', NOW)).toBeNull();
  });
});

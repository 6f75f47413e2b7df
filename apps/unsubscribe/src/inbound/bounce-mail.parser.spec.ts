import { readFeedback } from './bounce-mail.parser';

const NOW = new Date('2026-12-07T15:00:00Z');
const ORIGINAL_ID = '<original.0123456789abcdef@links.example>';
const STATUS = [
  'Reporting-MTA: dns; mx.dest.example',
  '',
  'Final-Recipient: rfc822; ada@dest.example',
  'Action: failed',
  'Status: 5.1.1',
  'Last-Attempt-Date: Mon, 7 Dec 2026 14:59:30 +0000',
].join('\r\n');
const HEADERS = [`Message-ID: ${ORIGINAL_ID}`, 'Subject: Our sale', 'From: news@shop.example'].join('\r\n');

/** A multipart/report whose parts each carry their own headers (type, encoding) and body. */
function message(rootType: string, parts: [headers: string, body: string][]): Buffer {
  const lines = ['From: MAILER-DAEMON@mx.dest.example', 'MIME-Version: 1.0', `Content-Type: ${rootType}`, ''];
  for (const [headers, body] of parts) lines.push('--b1', headers, '', body);
  lines.push('--b1--', '');
  return Buffer.from(lines.join('\r\n'));
}

const REPORT = 'multipart/report; report-type=delivery-status; boundary="b1"';
const base64 = (text: string) => Buffer.from(text).toString('base64').replace(/.{76}/g, '$&\r\n');

describe('R-S8: readFeedback splits the report with mailsplit and decodes only the parts it reads', () => {
  it('R-S8: base64 delivery-status and quoted-printable returned headers are decoded', async () => {
    const qp = HEADERS.replace('Subject: Our sale', 'Subject: =C3=9Cber=20uns');
    const parsed = await readFeedback(
      message(REPORT, [
        ['Content-Type: text/plain', 'Your message could not be delivered.'],
        ['Content-Type: message/delivery-status\r\nContent-Transfer-Encoding: base64', base64(STATUS)],
        ['Content-Type: text/rfc822-headers\r\nContent-Transfer-Encoding: quoted-printable', qp],
      ]),
      NOW,
    );
    expect(parsed).toEqual({
      source: 'dsn',
      recipients: 1,
      originalMessageId: ORIGINAL_ID,
      findings: [{ outcome: 'hard-bounce', status: '5.1.1', at: new Date('2026-12-07T14:59:30Z') }],
    });
  });

  it('R-S8: a returned message/rfc822 gives its Message-ID; its own parts are not read as the report', async () => {
    const returned = [
      HEADERS,
      'Content-Type: multipart/mixed; boundary="inner"',
      '',
      '--inner',
      'Content-Type: message/delivery-status',
      '',
      'Final-Recipient: rfc822; bob@dest.example\r\nAction: failed\r\nStatus: 5.2.1',
      '--inner--',
    ].join('\r\n');
    const parsed = await readFeedback(
      message(REPORT, [
        ['Content-Type: message/delivery-status', STATUS],
        ['Content-Type: message/rfc822', returned],
      ]),
      NOW,
    );
    expect(parsed?.originalMessageId).toBe(ORIGINAL_ID);
    expect(parsed?.findings).toEqual([
      { outcome: 'hard-bounce', status: '5.1.1', at: new Date('2026-12-07T14:59:30Z') },
    ]);
  });

  it('R-S8: a report-type that is no DSN, a multipart/mixed and a plain message read as nothing', async () => {
    const parts: [string, string][] = [['Content-Type: message/delivery-status', STATUS]];
    const mdn = await readFeedback(
      message('multipart/report; report-type=disposition-notification; boundary="b1"', parts),
      NOW,
    );
    expect(mdn).toBeNull();
    expect(await readFeedback(message('multipart/mixed; boundary="b1"', parts), NOW)).toBeNull();
    expect(await readFeedback(Buffer.from('Subject: hi\r\n\r\nhello\r\n'), NOW)).toBeNull();
    expect(await readFeedback(Buffer.alloc(0), NOW)).toBeNull();
  });
});

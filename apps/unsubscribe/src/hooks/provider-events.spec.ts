import { fixture, fixtureJson, sample } from '../../test/provider-signers';
import { mailgunEvents, messageIdOfRaw, postmarkEvents, sendgridEvents, sesEvents } from './provider-events';

const now = new Date('2026-12-01T00:00:00Z');

describe('R-S8: provider payloads to bounces and complaints (documented samples)', () => {
  it('R-S8: SES bounce: Permanent is a hard bounce with its status; the original Message-ID is a reference', () => {
    const { findings, ignored } = sesEvents(fixture('ses-bounce.json'), now);
    expect(ignored).toBe(0);
    expect(findings).toEqual([
      {
        outcome: 'hard-bounce',
        status: '5.1.1',
        at: new Date('2016-01-27T14:59:38.237Z'),
        references: ['custom-message-ID', 'custom-message-ID', 'john@example.com'],
      },
    ]);
    const transient = fixtureJson('ses-bounce.json');
    transient.bounce.bounceType = 'Transient';
    expect(sesEvents(JSON.stringify(transient), now).findings[0].outcome).toBe('soft-bounce');
  });

  it('R-S8: SES complaint (and event publishing`s eventType) is a complaint with its feedback type', () => {
    expect(sesEvents(fixture('ses-complaint.json'), now).findings[0]).toMatchObject({
      outcome: 'complaint',
      status: 'abuse',
    });
    const { notificationType: _n, ...published } = fixtureJson('ses-complaint.json');
    expect(sesEvents(JSON.stringify({ ...published, eventType: 'Complaint' }), now).findings).toHaveLength(1);
    expect(sesEvents(JSON.stringify({ notificationType: 'Delivery', mail: {} }), now)).toEqual({
      findings: [],
      ignored: 1,
    });
  });

  it('R-S8: SendGrid batch: bounce is hard, blocked is soft, spamreport a complaint, the rest ignored', () => {
    const { findings, ignored } = sendgridEvents(fixtureJson('sendgrid-events.json'), now);
    expect(ignored).toBe(2);
    expect(findings.map((f) => [f.outcome, f.status])).toEqual([
      ['hard-bounce', '5.0.0'],
      ['soft-bounce', '5.7.1'],
      ['complaint', 'abuse'],
    ]);
    expect(findings[0].references[0]).toBe('<14c5d75ce93.dfd.64b469@ismtpd-555>');
    expect(findings[0].at).toEqual(new Date(1513299569 * 1000));
  });

  it('R-S8: Postmark: HardBounce is hard, SpamComplaint a complaint; Message-ID read from the dump', () => {
    const bounce = postmarkEvents(fixtureJson('postmark-bounce.json'), now).findings[0];
    expect(bounce).toMatchObject({ outcome: 'hard-bounce', status: null });
    expect(bounce.references).toEqual(['<883953f4-6105-42a2-a16a-77a8eac79483@mtasv.net>', 'a_value', 'b_value']);
    expect(postmarkEvents(fixtureJson('postmark-spam-complaint.json'), now).findings[0].outcome).toBe('complaint');
    expect(postmarkEvents({ ...sample('postmark-bounce.json'), Type: 'AutoResponder' }, now).ignored).toBe(1);
    expect(postmarkEvents({ ...sample('postmark-bounce.json'), Type: 'SoftBounce' }, now).findings[0].outcome).toBe(
      'soft-bounce',
    );
    expect(messageIdOfRaw('Subject: x\r\n\r\nMessage-ID: <body@x>')).toBeNull();
  });

  it('R-S8: Mailgun: failed/permanent is hard, temporary soft, complained a complaint', () => {
    const failed = mailgunEvents(fixtureJson('mailgun-failed.json'), now).findings[0];
    expect(failed).toMatchObject({ outcome: 'hard-bounce', status: null });
    expect(failed.references[0]).toBe('20130503182626.18666.16540@sandbox.mailgun.org');
    const temporary = fixtureJson('mailgun-failed.json');
    temporary['event-data'].severity = 'temporary';
    temporary['event-data']['delivery-status']['enhanced-code'] = '4.2.2';
    expect(mailgunEvents(temporary, now).findings[0]).toMatchObject({ outcome: 'soft-bounce', status: '4.2.2' });
    expect(mailgunEvents(fixtureJson('mailgun-complained.json'), now).findings[0].outcome).toBe('complaint');
    expect(mailgunEvents({ 'event-data': { event: 'delivered' } }, now).ignored).toBe(1);
  });
});

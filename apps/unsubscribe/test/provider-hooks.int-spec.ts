import { randomUUID } from 'node:crypto';
import type { DeliveryRecordedV1 } from '@missive/contracts';
import {
  adminQuery,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { bounceAddress, feedbackMessageId, LinkTokenSigner } from '@missive/tokens';
import { EventTap } from '../../contacts/test/event-tap';
import { supportService } from '../../support/src/service';
import { unsubscribeService } from '../src/service';
import {
  basicAuth,
  fixture,
  fixtureJson,
  mailgunSignature,
  sendgridKeys,
  snsNotification,
  snsSigner,
  type SnsSigner,
} from './provider-signers';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:missive-feedback';
const CERT_URL = 'https://certs.hooks.test/sns-signing.pem';
const POSTMARK = { user: 'postmark-hooks', password: 'postmark-hooks-password-0123' };
const MAILGUN_KEY = 'mailgun-signing-key-0123456789abcdef';
const BOUNCE_DOMAIN = 'bounces.hooks.test';

/** One of our messages: a contact, a campaign, and the Message-ID and Return-Path carrying its bounce token. */
interface Message {
  contactId: string;
  campaignId: string;
  messageId: string;
  returnPath: string;
  token: string;
}

describe('R-S8: provider webhooks (SES/SNS, SendGrid, Postmark, Mailgun) feed delivery.recorded', () => {
  let services: TestServices;
  let tenant: TestTenant;
  let tap: EventTap;
  let sns: SnsSigner;
  let stranger: SnsSigner;
  const sendgrid = sendgridKeys();
  let signer: LinkTokenSigner;

  const message = (): Message => {
    const claims = { kind: 'bounce' as const, tenantId: tenant.tenant.id, region: tenant.tenant.region };
    const ids = { contactId: randomUUID(), campaignId: randomUUID() };
    const token = signer.mint({ ...claims, ...ids });
    return {
      ...ids,
      token,
      messageId: feedbackMessageId(token, 'mail.shop.test'),
      returnPath: bounceAddress(token, BOUNCE_DOMAIN),
    };
  };
  const post = (path: string, raw: string, headers: Record<string, string> = {}) =>
    http('POST', `${services.publicUrl}/hooks/${path}`, {
      raw,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const rows = (contactId: string) =>
    adminQuery<{ outcome: string; source: string; status: string | null; campaign_id: string }>(
      tenant.tenant.region,
      'SELECT outcome, source, status, campaign_id FROM inbound_feedback WHERE contact_id = $1',
      [contactId],
    );
  const eventFor = async (m: Message): Promise<DeliveryRecordedV1> => {
    let found: DeliveryRecordedV1 | undefined;
    await waitFor(
      () => {
        found = tap
          .of('delivery.recorded', tenant.tenant.id)
          .map((e) => e.data as DeliveryRecordedV1)
          .find((d) => d.contactId === m.contactId);
        return found !== undefined;
      },
      { what: `delivery.recorded for ${m.contactId}`, timeoutMs: 15000 },
    );
    return found!;
  };

  // SES through SNS: the documented SES notification, pointing at our message, signed as SNS would.
  const sesBody = (file: string, m: Message, signWith = sns) => {
    const notification = fixtureJson(file);
    notification.mail.commonHeaders.messageId = m.messageId;
    notification.mail.headers = notification.mail.headers.map((h: { name: string; value: string }) =>
      h.name === 'Message-ID' ? { ...h, value: m.messageId } : h,
    );
    return JSON.stringify(signWith.sign(snsNotification(TOPIC, notification, CERT_URL), '2'));
  };
  const sendgridBody = (m: Message, event: 'bounce' | 'spamreport') =>
    JSON.stringify(
      fixtureJson<Record<string, unknown>[]>('sendgrid-events.json')
        .filter((e) => e.event === event && e.type !== 'blocked')
        .map((e) => ({ ...e, 'smtp-id': m.messageId })),
    );
  const postmarkBody = (file: string, m: Message) =>
    JSON.stringify({ ...fixtureJson(file), Content: `Message-ID: ${m.messageId}\r\nSubject: Sale\r\n\r\nbody` });
  const mailgunBody = (file: string, m: Message, signature = mailgunSignature(MAILGUN_KEY)) => {
    const body = fixtureJson(file);
    body['event-data'].message.headers['message-id'] = m.messageId.slice(1, -1);
    return JSON.stringify({ ...body, signature });
  };

  beforeAll(async () => {
    [sns, stranger] = await Promise.all([snsSigner(), snsSigner()]);
    services = await startTestServices([supportService, unsubscribeService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      INBOUND_SMTP_PORT: '0',
      BOUNCE_DOMAIN,
      SES_TOPIC_ARNS: TOPIC,
      SES_TRUSTED_CERTS: sns.certPem,
      SENDGRID_WEBHOOK_PUBLIC_KEY: sendgrid.publicKeyBase64,
      POSTMARK_WEBHOOK_USER: POSTMARK.user,
      POSTMARK_WEBHOOK_PASSWORD: POSTMARK.password,
      MAILGUN_WEBHOOK_SIGNING_KEY: MAILGUN_KEY,
    });
    signer = new LinkTokenSigner(services.config.linkTokenKeys);
    tenant = await createTestTenant(services, { region: 'NA' });
    tap = new EventTap(services.config, new Set([tenant.tenant.id]));
    await tap.start('NA', ['delivery.recorded']);
  }, 60000);

  afterAll(async () => {
    await tap?.stop();
    await services?.stop();
  });

  type Case = {
    provider: 'ses' | 'sendgrid' | 'postmark' | 'mailgun';
    outcome: 'hard-bounce' | 'complaint';
    status: string | null;
    send: (m: Message) => Promise<{ status: number; body: unknown }>;
  };
  const cases: Case[] = [
    {
      provider: 'ses',
      outcome: 'hard-bounce',
      status: '5.1.1',
      send: (m) => post('ses', sesBody('ses-bounce.json', m)),
    },
    {
      provider: 'ses',
      outcome: 'complaint',
      status: 'abuse',
      send: (m) => post('ses', sesBody('ses-complaint.json', m)),
    },
    ...(['bounce', 'spamreport'] as const).map(
      (event): Case => ({
        provider: 'sendgrid',
        outcome: event === 'bounce' ? 'hard-bounce' : 'complaint',
        status: event === 'bounce' ? '5.0.0' : 'abuse',
        send: (m) => {
          const body = sendgridBody(m, event);
          return post('sendgrid', body, sendgrid.signHeaders(body));
        },
      }),
    ),
    ...(['postmark-bounce.json', 'postmark-spam-complaint.json'] as const).map(
      (file): Case => ({
        provider: 'postmark',
        outcome: file === 'postmark-bounce.json' ? 'hard-bounce' : 'complaint',
        status: file === 'postmark-bounce.json' ? null : 'abuse',
        send: (m) =>
          post('postmark', postmarkBody(file, m), { authorization: basicAuth(POSTMARK.user, POSTMARK.password) }),
      }),
    ),
    ...(['mailgun-failed.json', 'mailgun-complained.json'] as const).map(
      (file): Case => ({
        provider: 'mailgun',
        outcome: file === 'mailgun-failed.json' ? 'hard-bounce' : 'complaint',
        status: file === 'mailgun-failed.json' ? null : 'abuse',
        send: (m) => post('mailgun', mailgunBody(file, m)),
      }),
    ),
  ];

  it.each(cases)(
    'R-S8: a signed $provider $outcome of our message answers 200 and is published as delivery.recorded',
    async ({ provider, outcome, status, send }) => {
      const m = message();
      const answer = await send(m);
      expect(answer).toMatchObject({ status: 200, body: { recorded: 1, unattributed: 0 } });
      const event = await eventFor(m);
      expect(event).toMatchObject({
        contactId: m.contactId,
        campaignId: m.campaignId,
        outcome,
        source: provider,
        status,
      });
      expect(await rows(m.contactId)).toEqual([{ outcome, source: provider, status, campaign_id: m.campaignId }]);
    },
  );

  it('R-S8: tampered or wrongly signed copies answer 401 and record nothing', async () => {
    const m = message();
    const ses = JSON.parse(sesBody('ses-bounce.json', m));
    const sg = sendgridBody(m, 'bounce');
    const sgHeaders = sendgrid.signHeaders(sg);
    const attempts = [
      // SES: a changed message, a certificate outside the trusted set, a topic not ours (validly signed).
      post('ses', JSON.stringify({ ...ses, Message: ses.Message.replace('Permanent', 'Transient') })),
      post('ses', sesBody('ses-bounce.json', m, stranger)),
      post(
        'ses',
        JSON.stringify(sns.sign(snsNotification(`${TOPIC}-other`, fixtureJson('ses-bounce.json'), CERT_URL))),
      ),
      post('ses', 'not an SNS message', { 'content-type': 'text/plain; charset=UTF-8' }),
      // SendGrid: a changed byte, no signature.
      post('sendgrid', sg.replace('5.0.0', '5.1.1'), sgHeaders),
      post('sendgrid', sg),
      // Postmark: a wrong password, none.
      post('postmark', postmarkBody('postmark-bounce.json', m), { authorization: basicAuth(POSTMARK.user, 'nope') }),
      post('postmark', postmarkBody('postmark-bounce.json', m)),
      // Mailgun: another key, a stale timestamp, no signature.
      post('mailgun', mailgunBody('mailgun-failed.json', m, mailgunSignature('another-signing-key-0123456789'))),
      post(
        'mailgun',
        mailgunBody('mailgun-failed.json', m, mailgunSignature(MAILGUN_KEY, Math.floor(Date.now() / 1000) - 3600)),
      ),
      post('mailgun', fixture('mailgun-failed.json')),
    ];
    const answers = await Promise.all(attempts);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 401));
    expect(answers[6].headers.get('www-authenticate')).toMatch(/^Basic/);
    // A genuine request after them still goes through, so nothing was merely slow.
    expect((await post('mailgun', mailgunBody('mailgun-failed.json', m))).status).toBe(200);
    await eventFor(m);
    expect(await rows(m.contactId)).toEqual([
      { outcome: 'hard-bounce', source: 'mailgun', status: null, campaign_id: m.campaignId },
    ]);
  });

  it('R-S8: a replayed Mailgun request (same token) answers 401; the first one is recorded once', async () => {
    const m = message();
    const body = mailgunBody('mailgun-complained.json', m);
    expect((await post('mailgun', body)).status).toBe(200);
    expect((await post('mailgun', body)).status).toBe(401);
    await eventFor(m);
    expect(await rows(m.contactId)).toHaveLength(1);
  });

  it('R-S8: documented samples without our token are acknowledged, counted, and record nothing', async () => {
    const before = await http('GET', `${services.publicUrl}/metrics`);
    const sg = fixture('sendgrid-events.json');
    const answers = await Promise.all([
      post('ses', JSON.stringify(sns.sign(snsNotification(TOPIC, fixtureJson('ses-bounce.json'), CERT_URL)))),
      post('sendgrid', sg, sendgrid.signHeaders(sg)),
      post('postmark', fixture('postmark-bounce.json'), { authorization: basicAuth(POSTMARK.user, POSTMARK.password) }),
      post(
        'mailgun',
        JSON.stringify({ ...fixtureJson('mailgun-failed.json'), signature: mailgunSignature(MAILGUN_KEY) }),
      ),
    ]);
    expect(answers.map((a) => [a.status, a.body])).toEqual([
      [200, { recorded: 0, unattributed: 1, ignored: 0 }],
      [200, { recorded: 0, unattributed: 3, ignored: 2 }],
      [200, { recorded: 0, unattributed: 1, ignored: 0 }],
      [200, { recorded: 0, unattributed: 1, ignored: 0 }],
    ]);
    const after = await http('GET', `${services.publicUrl}/metrics`);
    const count = (text: string, provider: string) =>
      Number(
        new RegExp(`missive_provider_hook_events_total\\{provider="${provider}",result="unattributed"\\} (\\d+)`).exec(
          text,
        )?.[1] ?? 0,
      );
    expect(count(after.text, 'sendgrid') - count(before.text, 'sendgrid')).toBe(3);
    expect(count(after.text, 'ses') - count(before.text, 'ses')).toBe(1);
  });

  it('R-S8, R-X6: a body over 1 MB is refused with 413 before any signature work', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });
    const answers = await Promise.all(['ses', 'sendgrid', 'postmark', 'mailgun'].map((p) => post(p, big)));
    expect(answers.map((a) => [a.status, (a.body as { error?: string }).error])).toEqual(
      answers.map(() => [413, 'payload_too_large']),
    );
  });

  it('R-S8: an SNS subscription confirmation is acknowledged and its SubscribeURL is not fetched', async () => {
    const { Signature: _s, SignatureVersion: _v, ...confirmation } = fixtureJson('sns-subscription-confirmation.json');
    const signed = sns.sign({ ...confirmation, TopicArn: TOPIC, SigningCertURL: CERT_URL }, '1');
    const answer = await post('ses', JSON.stringify(signed), { 'content-type': 'text/plain; charset=UTF-8' });
    expect(answer).toMatchObject({ status: 200, body: { recorded: 0, ignored: 1 } });
  });
});

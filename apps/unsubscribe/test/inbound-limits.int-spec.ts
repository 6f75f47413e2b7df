import { randomUUID } from 'node:crypto';
import {
  adminQuery,
  createTestTenant,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { LinkTokenSigner } from '@missive/tokens';
import { seedContacts, waitForUnsubscribeProjection } from '../../campaigns/test/campaign-helpers';
import { campaignsService } from '../../campaigns/src/service';
import { supportService } from '../../support/src/service';
import { INBOUND_LIMITS } from '../src/inbound/inbound-unsubscribe.listener';
import { InboundSmtpLifecycle } from '../src/inbound/inbound-smtp.lifecycle';
import { unsubscribeService } from '../src/service';
import { codeOf, SmtpWire } from './smtp-wire';

describe('inbound SMTP limits: recipients, size (R-X6, R-U3)', () => {
  let services: TestServices;
  let t: TestTenant;
  let signer: LinkTokenSigner;
  let port: number;
  const rcpt = (contactId: string, campaignId: string | null = null) =>
    `RCPT TO:<unsubscribe+${signer.mint({ kind: 'unsubscribe', tenantId: t.tenant.id, region: 'NA', campaignId, contactId })}@links.example>`;
  const optOutsOf = async (ids: string[]) =>
    (
      await adminQuery<{ contact_id: string }>(
        'NA',
        'SELECT DISTINCT contact_id FROM unsubscribe_opt_outs WHERE contact_id = ANY($1)',
        [ids],
      )
    ).map((r) => r.contact_id);
  const seed = async (n: number, tag: string) => {
    const stamp = `${tag}-${Date.now()}`;
    const ids = await seedContacts(
      services,
      t.tenant,
      Array.from({ length: n }, (_, i) => ({ email: `${stamp}-${i}@example.com` })),
    );
    await waitForUnsubscribeProjection('NA', ids);
    return ids;
  };
  const greeted = async () => {
    const wire = await SmtpWire.open(port);
    expect(codeOf((await wire.read())[0])).toBe(220);
    expect((await wire.send('EHLO client.example', 'MAIL FROM:<someone@example.org>')).map(codeOf)).toEqual([250, 250]);
    return wire;
  };

  beforeAll(async () => {
    services = await startTestServices([supportService, campaignsService, unsubscribeService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      INBOUND_SMTP_PORT: '0',
    });
    signer = new LinkTokenSigner(services.config.linkTokenKeys);
    t = await createTestTenant(services, { region: 'NA' });
    port = services.publicApp!.get(InboundSmtpLifecycle).port!;
  }, 90000);

  afterAll(async () => {
    await services?.stop();
  });

  it(`a message takes ${INBOUND_LIMITS.maxRecipients} distinct recipients: the next gets 452, repeats count once`, async () => {
    const ids = await seed(INBOUND_LIMITS.maxRecipients + 1, 'rcpt');
    const wire = await greeted();
    const first = ids.slice(0, -1).map((id) => rcpt(id));
    const answers = await wire.send(...first, first[0], rcpt(ids.at(-1)!), first[3]);
    expect(answers.map(codeOf)).toEqual([...first.map(() => 250), 250, 452, 250]);
    expect(answers.at(-2)).toContain('4.5.3');
    expect((await wire.send('DATA')).map(codeOf)).toEqual([354]);
    expect((await wire.send('Subject: unsubscribe\r\n\r\nstop\r\n.')).map(codeOf)).toEqual([250]);
    wire.close();
    expect((await optOutsOf(ids)).sort()).toEqual(ids.slice(0, -1).sort());
  });

  it('2,000 RCPTs of distinct valid tokens on one connection: 10 accepted, every other one 452, all answered', async () => {
    const [id] = await seed(1, 'flood');
    const wire = await greeted();
    const lines = Array.from({ length: 2000 }, () => rcpt(id, randomUUID()));
    const codes = (await wire.send(...lines)).map(codeOf);
    expect(codes).toHaveLength(2000);
    expect(codes.filter((c) => c === 250)).toHaveLength(INBOUND_LIMITS.maxRecipients);
    expect(codes.filter((c) => c === 452)).toHaveLength(2000 - INBOUND_LIMITS.maxRecipients);
    // A new transaction on the same connection starts with no recipients.
    expect((await wire.send('RSET', 'MAIL FROM:<someone@example.org>', rcpt(id, randomUUID()))).map(codeOf)).toEqual([
      250, 250, 250,
    ]);
    wire.close();
  });

  it(`a message over ${INBOUND_LIMITS.maxMessageBytes} bytes is answered 552 and opts no one out`, async () => {
    const [id] = await seed(1, 'size');
    const wire = await greeted();
    expect((await wire.send(rcpt(id), 'DATA')).map(codeOf)).toEqual([250, 354]);
    const line = `${'x'.repeat(998)}\r\n`;
    for (let sent = 0; sent <= INBOUND_LIMITS.maxMessageBytes; sent += line.length) wire.write(line);
    const [answer] = await wire.send('.');
    expect(codeOf(answer)).toBe(552);
    wire.close();
    expect(await optOutsOf([id])).toEqual([]);
  });

  it('a MAIL FROM announcing a size over the limit is refused before the body is sent', async () => {
    const wire = await SmtpWire.open(port);
    await wire.read();
    const answers = await wire.send(
      'EHLO client.example',
      `MAIL FROM:<someone@example.org> SIZE=${INBOUND_LIMITS.maxMessageBytes + 1}`,
    );
    expect(answers.map(codeOf)).toEqual([250, 552]);
    wire.close();
  });
});

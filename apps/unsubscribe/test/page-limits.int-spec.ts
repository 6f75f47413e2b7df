import {
  adminQuery,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { LinkTokenSigner } from '@missive/tokens';
import { seedContacts, waitForUnsubscribeProjection } from '../../campaigns/test/campaign-helpers';
import { campaignsService } from '../../campaigns/src/service';
import { supportService } from '../../support/src/service';
import { unsubscribeService } from '../src/service';

const PER_TOKEN = 3;

/**
 * R-X6 on `/u/{token}`: past its per-token limit the page is still the confirm page (drawn without the database, so
 * without the masked address), and its one-click POST still opts out: an opt-out is never limited.
 */
describe('unsubscribe page limits (R-X6, R-U1, R-U2)', () => {
  let services: TestServices;
  let t: TestTenant;
  let signer: LinkTokenSigner;

  beforeAll(async () => {
    services = await startTestServices([supportService, campaignsService, unsubscribeService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      LINK_TOKEN_KEYS: `pl1:${'p'.repeat(40)}${Date.now()}`,
      INBOUND_SMTP_PORT: '0',
      RECIPIENT_RATE_PER_TOKEN_PER_MINUTE: String(PER_TOKEN),
    });
    signer = new LinkTokenSigner(services.config.linkTokenKeys);
    t = await createTestTenant(services, { region: 'NA', name: 'Acme Shop' });
  }, 90000);

  afterAll(async () => {
    await services?.stop();
  });

  it('R-X6: over the per-token limit the page is the same confirm page without the address; POST still opts out', async () => {
    const email = `page-limit-${Date.now()}@example.com`;
    const [id] = await seedContacts(services, t.tenant, [{ email }]);
    await waitForUnsubscribeProjection('NA', [id]);
    const token = signer.mint({
      kind: 'unsubscribe',
      tenantId: t.tenant.id,
      region: 'NA',
      campaignId: null,
      contactId: id,
    });

    for (let i = 0; i < PER_TOKEN; i++) {
      const page = await http('GET', `${services.publicUrl}/u/${token}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('p***@e***.com');
    }
    const limited = await http('GET', `${services.publicUrl}/u/${token}`);
    expect(limited.status).toBe(200);
    expect(limited.headers.get('content-type')).toContain('text/html');
    expect(limited.text).toContain(`action="/u/${token}"`);
    expect(limited.text).not.toContain('p***@e***.com');
    expect(limited.text).not.toContain(email);

    // A forged token is still the invalid-link page, limited or not.
    expect((await http('GET', `${services.publicUrl}/u/${token.slice(0, -4)}AAAA`)).status).toBe(404);

    const oneClick = await http('POST', `${services.publicUrl}/u/${token}`, {
      raw: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(oneClick.status).toBe(200);
    const [{ n }] = await adminQuery<{ n: number }>(
      'NA',
      'SELECT count(*)::int AS n FROM unsubscribe_opt_outs WHERE contact_id = $1',
      [id],
    );
    expect(n).toBe(1);
  });
});

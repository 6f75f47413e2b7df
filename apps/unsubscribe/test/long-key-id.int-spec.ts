import {
  adminQuery,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { LinkTokenSigner, MAX_KID_LENGTH } from '@missive/tokens';
import { seedContacts, waitForUnsubscribeProjection } from '../../campaigns/test/campaign-helpers';
import { campaignsService } from '../../campaigns/src/service';
import { supportService } from '../../support/src/service';
import { unsubscribeService } from '../src/service';

const LONGEST_KID = 'k'.repeat(MAX_KID_LENGTH);

describe('unsubscribe links signed with the longest key id the config allows (R-X6, R-U1, R-U2)', () => {
  let services: TestServices;
  let t: TestTenant;
  let signer: LinkTokenSigner;

  beforeAll(async () => {
    services = await startTestServices([supportService, campaignsService, unsubscribeService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      LINK_TOKEN_KEYS: `${LONGEST_KID}:${'s'.repeat(40)}`,
      INBOUND_SMTP_PORT: '0',
    });
    signer = new LinkTokenSigner(services.config.linkTokenKeys);
    t = await createTestTenant(services, { region: 'NA', name: 'Acme Shop' });
  }, 90000);

  afterAll(async () => {
    await services?.stop();
  });

  it('the page and the one-click POST both answer 200, and the opt-out is stored', async () => {
    expect(services.config.linkTokenKeys[0].kid).toBe(LONGEST_KID);
    const [id] = await seedContacts(services, t.tenant, [{ email: `long-kid-${Date.now()}@example.com` }]);
    await waitForUnsubscribeProjection('NA', [id]);
    const token = signer.mint({
      kind: 'unsubscribe',
      tenantId: t.tenant.id,
      region: 'NA',
      campaignId: null,
      contactId: id,
    });
    expect(token.length).toBeGreaterThan(100);

    const page = await http('GET', `${services.publicUrl}/u/${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Acme Shop');

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

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import {
  adminQuery,
  createTestTenant,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { LinkTokenSigner } from '@missive/tokens';
import { seedContacts } from '../../campaigns/test/campaign-helpers';
import { campaignsService } from '../../campaigns/src/service';
import { supportService } from '../../support/src/service';
import { unsubscribeService } from '../src/service';

const SCREENSHOTS = join(__dirname, '..', '..', '..', 'test-output', 'screenshots');

describe('R-U1, R-U2: the unsubscribe page in a real headless Chromium', () => {
  let services: TestServices;
  let t: TestTenant;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    services = await startTestServices([supportService, campaignsService, unsubscribeService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      INBOUND_SMTP_PORT: '0',
    });
    t = await createTestTenant(services, { region: 'EEA', name: 'Nordwind Reisen' });
    // Debian's chromium, installed by the test set-up (deploy/local/stack.ts) when missing.
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 90000);

  afterAll(async () => {
    await browser?.close();
    await services?.stop();
  });

  it('R-U1, R-U2: open the link, see the masked address, click, see the confirmation — and the opt-out is stored', async () => {
    const [contactId] = await seedContacts(services, t.tenant, [{ email: `greta.berg-${Date.now()}@example.de` }]);
    await waitFor(
      async () =>
        (await adminQuery('EEA', 'SELECT 1 FROM unsubscribe_contacts WHERE contact_id = $1', [contactId])).length === 1,
      {
        what: 'the unsubscribe projection',
      },
    );
    const token = new LinkTokenSigner(services.config.linkTokenKeys).mint({
      kind: 'unsubscribe',
      tenantId: t.tenant.id,
      region: 'EEA',
      campaignId: null,
      contactId,
    });
    const page = await browser.newPage({ locale: 'de-DE', viewport: { width: 390, height: 700 } });
    await page.goto(`${services.publicUrl}/u/${token}`);
    await expect(page.locator('#question').textContent()).resolves.toContain('g***@e***.de');
    await expect(page.locator('#question').textContent()).resolves.toContain('Nordwind Reisen');
    await page.screenshot({ path: join(SCREENSHOTS, 'unsubscribe-confirm.png'), fullPage: true });
    expect(await adminQuery('EEA', 'SELECT 1 FROM unsubscribe_opt_outs WHERE contact_id = $1', [contactId])).toEqual(
      [],
    );

    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.waitForSelector('[role=status]');
    await expect(page.locator('[role=status]').textContent()).resolves.toContain('Erledigt');
    await page.screenshot({ path: join(SCREENSHOTS, 'unsubscribe-done.png'), fullPage: true });
    expect(
      await adminQuery('EEA', 'SELECT source FROM unsubscribe_opt_outs WHERE contact_id = $1', [contactId]),
    ).toEqual([{ source: 'page' }]);
    expect((await page.context().cookies()).length).toBe(0);
  });
});

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { simpleParser } from 'mailparser';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { DevMailSink } from '@missive/dev-mail';
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
import { LinkTokenSigner } from '@missive/tokens';
import { seedContacts } from '../../campaigns/test/campaign-helpers';
import { campaignsService } from '../../campaigns/src/service';
import { contactsService } from '../../contacts/src/service';
import { supportService } from '../../support/src/service';
import { unsubscribeService } from '../src/service';

const SCREENSHOTS = join(__dirname, '..', '..', '..', 'test-output', 'screenshots');

/** WCAG 2.0, 2.1 and 2.2 A/AA, and axe's best practices; target-size (WCAG 2.2 2.5.8) is off by default in axe. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa', 'best-practice'];

/** R-U6: axe-core run inside the page as it is shown; its violations, one line each (none expected). */
async function axeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .options({ runOnly: { type: 'tag', values: AXE_TAGS }, rules: { 'target-size': { enabled: true } } })
    .analyze();
  const ran = [...results.passes, ...results.inapplicable, ...results.incomplete, ...results.violations].map(
    (r) => r.id,
  );
  // The checks this page depends on did run (a misconfigured run finds nothing and proves nothing).
  for (const rule of ['target-size', 'color-contrast', 'html-lang-valid', 'label', 'landmark-one-main', 'region'])
    expect(ran).toContain(rule);
  return results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

describe('R-U1, R-U2, R-U6: the unsubscribe page in a real headless Chromium', () => {
  let services: TestServices;
  let t: TestTenant;
  let browser: Browser;
  // R-C8: the double opt-in confirmation message goes through the real SMTP pool to this sink.
  const sink = new DevMailSink({ port: 0 });

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await sink.start();
    services = await startTestServices([supportService, contactsService, campaignsService, unsubscribeService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      INBOUND_SMTP_PORT: '0',
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
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
    await sink.stop();
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

  /** A page in a context of its own: axe finishes its run in a second page of the same context. */
  async function openPage(options: BrowserContextOptions): Promise<Page> {
    return (await browser.newContext(options)).newPage();
  }

  function unsubscribeToken(contactId: string): string {
    return new LinkTokenSigner(services.config.linkTokenKeys).mint({
      kind: 'unsubscribe',
      tenantId: t.tenant.id,
      region: 'EEA',
      campaignId: null,
      contactId,
    });
  }

  async function projected(contactId: string): Promise<void> {
    await waitFor(
      async () =>
        (await adminQuery('EEA', 'SELECT 1 FROM unsubscribe_contacts WHERE contact_id = $1', [contactId])).length === 1,
      { what: 'the unsubscribe projection' },
    );
  }

  for (const { browserLocale, lang, confirm, leaveSelected } of [
    { browserLocale: 'en-GB', lang: 'en', confirm: 'Unsubscribe', leaveSelected: 'Leave the selected lists' },
    { browserLocale: 'pl-PL', lang: 'pl', confirm: 'Wypisz mnie', leaveSelected: 'Wypisz mnie z wybranych list' },
  ])
    it(`R-U6: axe finds no WCAG 2.2 AA violation on any recipient page in ${lang}`, async () => {
      const [contactId] = await seedContacts(services, t.tenant, [
        { email: `axe-${lang}-${Date.now()}@example.eu`, lists: ['news', 'promo'] },
      ]);
      await projected(contactId);
      const token = unsubscribeToken(contactId);
      const page = await openPage({ locale: browserLocale, viewport: { width: 390, height: 700 } });
      const check = async (name: string) => {
        expect(await page.getAttribute('html', 'lang')).toBe(lang);
        await page.screenshot({ path: join(SCREENSHOTS, `recipient-${name}-${lang}.png`), fullPage: true });
        expect({ page: name, violations: await axeViolations(page) }).toEqual({ page: name, violations: [] });
      };

      await page.goto(`${services.publicUrl}/u/${token}`);
      await expect(page.locator('#question').textContent()).resolves.toContain('Nordwind Reisen');
      await check('confirm');

      await page.goto(`${services.publicUrl}/u/${token}/preferences`);
      await check('preferences');
      await page.getByLabel('news').check();
      await page.getByRole('button', { name: leaveSelected }).click();
      await page.waitForSelector('[role=status]');
      await check('lists-left');

      await page.goto(`${services.publicUrl}/u/${token}`);
      await page.getByRole('button', { name: confirm }).click();
      await page.waitForSelector('[role=status]');
      await check('done');

      const invalid = await page.goto(`${services.publicUrl}/u/${token.slice(0, -6)}`);
      expect(invalid?.status()).toBe(404);
      await check('invalid-link');
      await page.context().close();
    });

  it('R-U6: a contact with locale de gets German even when the browser asks for English', async () => {
    const created = await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: t.apiKey,
      body: { email: `lena.koch-${Date.now()}@example.at`, locale: 'de-AT', lawfulBasis: 'contract', lists: ['news'] },
    });
    expect(created.status).toBe(201);
    const contactId: string = created.body.id;
    await projected(contactId);
    const page = await openPage({ locale: 'en-US', extraHTTPHeaders: { 'accept-language': 'en' } });
    await page.goto(`${services.publicUrl}/u/${unsubscribeToken(contactId)}`);
    expect(await page.getAttribute('html', 'lang')).toBe('de');
    await expect(page.locator('#question').textContent()).resolves.toBe(
      'Keine Marketing-E-Mails mehr von Nordwind Reisen an l***@e***.at?',
    );
    await expect(page.getByRole('button', { name: 'Abmelden' }).count()).resolves.toBe(1);
    await page.goto(`${services.publicUrl}/u/${unsubscribeToken(contactId)}/preferences`);
    expect(await page.getAttribute('html', 'lang')).toBe('de');
    await expect(page.locator('h1').textContent()).resolves.toBe('Wählen Sie, was Sie erhalten');
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('R-U6: a contact without locale gets French from Accept-Language (fr-CH → fr)', async () => {
    const [contactId] = await seedContacts(services, t.tenant, [{ email: `luc.martin-${Date.now()}@example.fr` }]);
    await projected(contactId);
    const page = await openPage({ extraHTTPHeaders: { 'accept-language': 'ja;q=1, fr-CH;q=0.9, en;q=0.5' } });
    await page.goto(`${services.publicUrl}/u/${unsubscribeToken(contactId)}`);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    await expect(page.locator('#question').textContent()).resolves.toBe(
      'Ne plus recevoir d’e-mails marketing de Nordwind Reisen à l***@e***.fr ?',
    );
    await page.getByRole('button', { name: 'Me désabonner' }).click();
    await page.waitForSelector('[role=status]');
    await expect(page.locator('[role=status]').textContent()).resolves.toContain('C’est fait.');
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });

  /** R-C8: the `/c/{token}` path of the one confirmation message sent to `address` (as the contacts test reads it). */
  async function confirmationPath(address: string): Promise<string> {
    const messagesTo = () => sink.list().filter((m) => m.to.includes(address));
    await waitFor(async () => messagesTo().length > 0, { what: 'the confirmation message', timeoutMs: 30000 });
    const mail = await simpleParser(messagesTo()[0].raw);
    const link = /https?:\/\/[^/\s]+(\/c\/[A-Za-z0-9_-]+)/.exec(mail.text ?? '');
    expect(link).not.toBeNull();
    return link![1];
  }

  for (const { locale, browserLocale, lang, confirm, done } of [
    // The contact's locale wins over the browser's.
    {
      locale: 'sv-SE',
      browserLocale: 'en-US',
      lang: 'sv',
      confirm: 'Ja, bekräfta min prenumeration',
      done: 'Tack. Din prenumeration på e-post från Nordwind Reisen är bekräftad.',
    },
    // No locale: the browser's Accept-Language.
    {
      locale: undefined,
      browserLocale: 'es-ES',
      lang: 'es',
      confirm: 'Sí, confirmar mi suscripción',
      done: 'Gracias. Su suscripción a los correos de Nordwind Reisen está confirmada.',
    },
  ])
    it(`R-C8, R-U6: double opt-in in a real browser in ${lang} — confirm page, click, confirmed page, axe clean`, async () => {
      const email = `doi-${lang}-${Date.now()}@example.eu`;
      const created = await http('POST', `${services.publicUrl}/v1/contacts`, {
        token: t.apiKey,
        body: {
          email,
          locale,
          lawfulBasis: 'consent',
          consent: { givenAt: '2026-12-01T10:00:00Z', source: 'signup-form' },
          lists: ['news'],
          doubleOptIn: true,
        },
      });
      expect(created.status).toBe(201);
      expect(created.body.status).toBe('pending');
      const contactId: string = created.body.id;
      const path = await confirmationPath(email);
      await projected(contactId);

      const page = await openPage({ locale: browserLocale, viewport: { width: 390, height: 700 } });
      const check = async (name: string, shownLang: string = lang) => {
        expect(await page.getAttribute('html', 'lang')).toBe(shownLang);
        await page.screenshot({ path: join(SCREENSHOTS, `opt-in-${name}-${shownLang}.png`), fullPage: true });
        expect({ page: name, violations: await axeViolations(page) }).toEqual({ page: name, violations: [] });
      };

      const shown = await page.goto(`${services.publicUrl}${path}`);
      expect(shown?.status()).toBe(200);
      expect(shown?.headers()['content-language']).toBe(lang);
      await expect(page.locator('#question').textContent()).resolves.toContain('Nordwind Reisen');
      await check('confirm');
      // Showing the page changes nothing.
      expect(
        (await http('GET', `${services.publicUrl}/v1/contacts/${contactId}`, { token: t.apiKey })).body.status,
      ).toBe('pending');

      await page.getByRole('button', { name: confirm }).click();
      await page.waitForSelector('[role=status]');
      await expect(page.locator('[role=status]').textContent()).resolves.toBe(done);
      await check('confirmed');
      await waitFor(
        async () =>
          (await http('GET', `${services.publicUrl}/v1/contacts/${contactId}`, { token: t.apiKey })).body.status ===
          'active',
        { what: 'the contact to become active', timeoutMs: 30000 },
      );

      // An invalid token names no contact: the browser's language.
      const invalid = await page.goto(`${services.publicUrl}${path.slice(0, -6)}`);
      expect(invalid?.status()).toBe(404);
      const browserLang = browserLocale.slice(0, 2);
      expect(invalid?.headers()['content-language']).toBe(browserLang);
      await check('invalid-link', browserLang);
      await page.context().close();
    });
});

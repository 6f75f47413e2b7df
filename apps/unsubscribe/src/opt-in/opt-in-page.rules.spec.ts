import { RECIPIENT_LANGUAGES } from '@missive/http';
import { optInBusyPage, optInConfirmPage, optInDonePage, optInInvalidPage } from './opt-in-page.html';
import { OPT_IN_PAGE_TEXTS } from './opt-in-page-texts';
import { isConfirmRequest } from './opt-in-page.rules';

describe('double opt-in page (R-C8, R-U6)', () => {
  it('R-C8: only the page form confirms; an empty or foreign body does not', () => {
    expect(isConfirmRequest({ confirm: 'yes' })).toBe(true);
    expect(isConfirmRequest({})).toBe(false);
    expect(isConfirmRequest({ 'List-Unsubscribe': 'One-Click' })).toBe(false);
    expect(isConfirmRequest(undefined)).toBe(false);
  });

  it('R-C8: the GET page is a form that posts back to the link, with the tenant name escaped', () => {
    const html = optInConfirmPage('de', '<Shop>', '/c/tok');
    expect(html).toContain('<form method="post" action="/c/tok">');
    expect(html).toContain('name="confirm" value="yes"');
    expect(html).toContain('Möchten Sie E-Mails von &lt;Shop&gt; erhalten?');
    expect(html).toContain('<title>Abonnement bestätigen — &lt;Shop&gt;</title>');
    expect(html).not.toContain('<Shop>');
    expect(html).toContain('<html lang="de">');
    expect(optInDonePage('fr', 'A & B')).toContain('A &amp; B');
    expect(optInInvalidPage('en')).toContain('This link is not valid');
  });

  it('R-U6: every recipient language has its own texts, and an unknown sender is left out of the sentence', () => {
    const seen = new Set<string>();
    for (const lang of RECIPIENT_LANGUAGES) {
      const t = OPT_IN_PAGE_TEXTS[lang];
      expect(t.question('Nordwind')).toContain('Nordwind');
      expect(t.done('Nordwind')).toContain('Nordwind');
      expect(t.question(null)).not.toContain('null');
      expect(t.done(null)).not.toContain('null');
      seen.add(t.confirm);
      for (const html of [
        optInConfirmPage(lang, null, '/c/x'),
        optInDonePage(lang, null),
        optInInvalidPage(lang),
        optInBusyPage(lang),
      ])
        expect(html).toContain(`<html lang="${lang}">`);
    }
    // No language borrows another's button.
    expect(seen.size).toBe(RECIPIENT_LANGUAGES.length);
  });
});

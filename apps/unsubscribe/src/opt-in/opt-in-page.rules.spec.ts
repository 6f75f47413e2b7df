import { optInConfirmPage, optInInvalidPage } from './opt-in-page.html';
import { isConfirmRequest, optInPageLanguage } from './opt-in-page.rules';

describe('double opt-in page (R-C8)', () => {
  it('R-C8: speaks German or English by Accept-Language, English for anything else', () => {
    expect(optInPageLanguage('de-AT,de;q=0.9,en;q=0.8')).toBe('de');
    expect(optInPageLanguage('fr-FR,fr;q=0.9,de;q=0.5')).toBe('de');
    expect(optInPageLanguage('fr-FR')).toBe('en');
    expect(optInPageLanguage('de;q=0, en')).toBe('en');
    expect(optInPageLanguage('constructor, __proto__')).toBe('en');
    expect(optInPageLanguage(undefined)).toBe('en');
    expect(optInPageLanguage(`${'x,'.repeat(100000)}de`)).toBe('en');
  });

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
    expect(html).toContain('&lt;Shop&gt;');
    expect(html).toContain('lang="de"');
    expect(optInInvalidPage('en')).toContain('This link is not valid');
  });
});

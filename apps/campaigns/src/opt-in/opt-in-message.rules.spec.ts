import { optInMessage, optInMessageLanguage } from './opt-in-message.rules';

describe('double opt-in confirmation message (R-C8)', () => {
  const confirmUrl = 'https://links.example/c/abc_-123';

  it('R-C8: speaks the contact locale when it has texts, English otherwise', () => {
    expect(optInMessageLanguage('de-AT')).toBe('de');
    expect(optInMessageLanguage('DE_ch')).toBe('de');
    expect(optInMessageLanguage('fr')).toBe('fr');
    expect(optInMessageLanguage('ja')).toBe('en');
    expect(optInMessageLanguage(null)).toBe('en');
    expect(optInMessageLanguage('__proto__')).toBe('en');
    expect(optInMessage({ tenantName: 'Shop', confirmUrl, locale: 'de' }).subject).toContain('bestätigen');
  });

  it('R-C8: carries the confirm link in text and HTML, with the tenant name escaped', () => {
    const message = optInMessage({ tenantName: '<b>Shop & Co</b>', confirmUrl, locale: 'en' });
    expect(message.subject).toBe('Please confirm your subscription to <b>Shop & Co</b>');
    expect(message.text).toContain(confirmUrl);
    expect(message.html).toContain(`href="${confirmUrl}"`);
    expect(message.html).toContain('&lt;b&gt;Shop &amp; Co&lt;/b&gt;');
    expect(message.html).not.toContain('<b>Shop');
  });
});

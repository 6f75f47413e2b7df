import { confirmPage, invalidLinkPage } from './unsubscribe-page.html';
import { isUnsubscribeRequest, listsToLeave, maskAddress, pickLanguage } from './unsubscribe-page.rules';

describe('unsubscribe page rules (R-U1, R-U2)', () => {
  it('R-U1: masks the address, keeping only first letters and the top-level domain', () => {
    expect(maskAddress('ada.lovelace@example.co.uk')).toBe('a***@e***.uk');
    expect(maskAddress('x@localhost')).toBe('x***@l***');
    expect(maskAddress('broken')).toBe('***');
  });

  it('R-U1: picks the language from Accept-Language by quality, English otherwise', () => {
    expect(pickLanguage('fr-CH, fr;q=0.9, en;q=0.8')).toBe('fr');
    expect(pickLanguage('ja, de;q=0.5')).toBe('de');
    expect(pickLanguage('en;q=0.1, es;q=0.9')).toBe('es');
    expect(pickLanguage('ja')).toBe('en');
    expect(pickLanguage(undefined)).toBe('en');
  });

  it('R-U2: the exact RFC 8058 body and the page form opt out; anything else does not', () => {
    expect(isUnsubscribeRequest({ 'List-Unsubscribe': 'One-Click' })).toBe(true);
    expect(isUnsubscribeRequest({ confirm: 'yes' })).toBe(true);
    expect(isUnsubscribeRequest({ 'List-Unsubscribe': 'one-click' })).toBe(false);
    expect(isUnsubscribeRequest({})).toBe(false);
    expect(isUnsubscribeRequest(null)).toBe(false);
  });

  it('R-U1: the page escapes what it shows and loads nothing from elsewhere', () => {
    const html = confirmPage('en', 'a***@e***.com', '<Acme & Co>', '/u/TOKEN');
    expect(html).toContain('&lt;Acme &amp; Co&gt;');
    expect(html).toContain('<form method="post" action="/u/TOKEN">');
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(invalidLinkPage('de')).toContain('Dieser Link ist ungültig');
  });

  it('R-U4: a preferences form leaves the chosen known lists, or everything', () => {
    expect(listsToLeave({ leave: ['news', 'promo', 'unknown'] }, ['news', 'promo', 'vip'])).toEqual({
      lists: ['news', 'promo'],
    });
    expect(listsToLeave({ leave: 'vip' }, ['vip'])).toEqual({ lists: ['vip'] });
    expect(listsToLeave({ everything: 'yes' }, [])).toEqual({ everything: true });
    expect(listsToLeave({}, ['vip'])).toBeNull();
  });
});

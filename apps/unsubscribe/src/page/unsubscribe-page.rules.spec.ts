import { RECIPIENT_LANGUAGES } from '@missive/http';
import { PAGE_TEXTS, type PageTexts } from './page-texts';
import { confirmPage, donePage, invalidLinkPage, preferencesPage } from './unsubscribe-page.html';
import { isUnsubscribeRequest, listsToLeave, maskAddress } from './unsubscribe-page.rules';

describe('unsubscribe page rules (R-U1, R-U2)', () => {
  it('R-U1: masks the address, keeping only first letters and the top-level domain', () => {
    expect(maskAddress('ada.lovelace@example.co.uk')).toBe('a***@e***.uk');
    expect(maskAddress('x@localhost')).toBe('x***@l***');
    expect(maskAddress('broken')).toBe('***');
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

  it('R-U6: every language has every text, each its own, and the page says its language in <html lang>', () => {
    const say = (texts: PageTexts, key: keyof PageTexts): string => {
      const value = texts[key];
      if (typeof value === 'string') return value;
      return key === 'left'
        ? (value as PageTexts['left'])(['news'])
        : (value as PageTexts['done'])('m***@e***.de', 'Acme');
    };
    const keys = Object.keys(PAGE_TEXTS.en) as (keyof PageTexts)[];
    for (const lang of RECIPIENT_LANGUAGES) {
      const t = PAGE_TEXTS[lang];
      expect(Object.keys(t).sort()).toEqual([...keys].sort());
      for (const key of keys) {
        expect(say(t, key).trim()).not.toBe('');
        if (lang !== 'en') expect(say(t, key)).not.toBe(say(PAGE_TEXTS.en, key));
      }
      expect(t.question('m***@e***.de', 'Acme')).toContain('Acme');
      expect(t.question('m***@e***.de', null)).toContain('m***@e***.de');
      expect(t.done('m***@e***.de', null)).not.toMatch(/null|undefined/);
      expect(confirmPage(lang, 'm***@e***.de', 'Acme', '/u/T')).toContain(`<html lang="${lang}">`);
      expect(invalidLinkPage(lang)).toContain(`<html lang="${lang}">`);
    }
    expect(invalidLinkPage('it')).toContain('Questo link non è valido');
  });

  it('R-U6: the tenant display name is escaped on every page that shows it', () => {
    const evil = '<img src=x onerror=alert(1)> "Acme"';
    for (const html of [
      confirmPage('pl', 'a***@e***.pl', evil, '/u/T'),
      donePage('nl', 'a***@e***.nl', evil),
      preferencesPage('pt', 'a***@e***.pt', evil, ['news'], '/u/T/preferences'),
    ]) {
      expect(html).not.toContain('<img');
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &quot;Acme&quot;');
    }
  });
});

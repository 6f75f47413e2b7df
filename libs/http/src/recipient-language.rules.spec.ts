import {
  acceptedLanguage,
  parseAcceptLanguage,
  recipientLanguage,
  RECIPIENT_LANGUAGES,
  supportedLanguage,
} from './recipient-language.rules';

describe('recipient page language (R-U6)', () => {
  it('R-U6: supports at least en, de, fr, es, it, nl, pl, pt, sv', () => {
    expect([...RECIPIENT_LANGUAGES].sort()).toEqual(['de', 'en', 'es', 'fr', 'it', 'nl', 'pl', 'pt', 'sv']);
  });

  it('R-U6: the contact locale wins over Accept-Language', () => {
    expect(recipientLanguage({ locale: 'de', acceptLanguage: 'en' })).toBe('de');
    expect(recipientLanguage({ locale: 'pl-PL', acceptLanguage: 'fr-FR, fr;q=0.9' })).toBe('pl');
    expect(recipientLanguage({ locale: 'pt_BR', acceptLanguage: null })).toBe('pt');
    expect(recipientLanguage({ locale: 'SV-fi' })).toBe('sv');
  });

  it('R-U6: an unsupported or missing locale falls to Accept-Language, then English', () => {
    expect(recipientLanguage({ locale: 'ja-JP', acceptLanguage: 'fr' })).toBe('fr');
    expect(recipientLanguage({ locale: null, acceptLanguage: 'it-CH, en;q=0.5' })).toBe('it');
    expect(recipientLanguage({ locale: '', acceptLanguage: 'ja, zh;q=0.8' })).toBe('en');
    expect(recipientLanguage({})).toBe('en');
  });

  it('R-U6: language ranges match by lookup (de-AT → de, nl-BE → nl)', () => {
    expect(acceptedLanguage('de-AT')).toBe('de');
    expect(acceptedLanguage('nl-BE,nl;q=0.9')).toBe('nl');
    expect(acceptedLanguage('zh-Hant-TW, es-419;q=0.8')).toBe('es');
    expect(supportedLanguage('english')).toBeNull();
    expect(supportedLanguage('*')).toBeNull();
  });

  it('R-U6: Accept-Language is ranked by quality, ties in header order, q=0 never chosen', () => {
    expect(acceptedLanguage('en;q=0.1, es;q=0.9')).toBe('es');
    expect(acceptedLanguage('ja, sv;q=0.5, de;q=0.5')).toBe('sv');
    expect(acceptedLanguage('fr;q=0, de;q=0.2')).toBe('de');
    expect(acceptedLanguage('fr;q=0')).toBeNull();
    expect(acceptedLanguage('*;q=0.5, pt;q=0.4')).toBe('pt');
    expect(parseAcceptLanguage('fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5')).toEqual([
      { range: 'fr-ch', q: 1 },
      { range: 'fr', q: 0.9 },
      { range: 'en', q: 0.8 },
      { range: 'de', q: 0.7 },
      { range: '*', q: 0.5 },
    ]);
  });

  it('R-U6: malformed entries are skipped, not guessed', () => {
    expect(parseAcceptLanguage('de;q=2, fr;q=abc, <script>, it;q=0.3, ;q=1, nl;Q=0.4')).toEqual([
      { range: 'nl', q: 0.4 },
      { range: 'it', q: 0.3 },
    ]);
    expect(parseAcceptLanguage('')).toEqual([]);
    expect(parseAcceptLanguage(undefined)).toEqual([]);
    expect(acceptedLanguage(' , ,,es')).toBe('es');
    expect(acceptedLanguage('x'.repeat(5000))).toBeNull();
  });
});

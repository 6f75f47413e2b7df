/**
 * The language a recipient page speaks (R-U6): the contact's own `locale` first, then the browser's
 * Accept-Language (RFC 9110 quality values, RFC 4647 lookup: `de-AT` falls back to `de`), then English.
 * Shared by every recipient page (unsubscribe, preferences, double opt-in): each page keeps its own texts, keyed
 * by `RecipientLanguage`, so the compiler tells when a language misses a text.
 */
export const RECIPIENT_LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pl', 'pt', 'sv'] as const;
export type RecipientLanguage = (typeof RECIPIENT_LANGUAGES)[number];
export const FALLBACK_LANGUAGE: RecipientLanguage = 'en';

export interface LanguageRange {
  /** Lower case, `_` read as `-`; `*` for any. */
  range: string;
  q: number;
}

/** RFC 9110 §12.4.2: `0`, `0.` to 3 decimals, or `1`, `1.0`, `1.00`, `1.000`. */
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;
/** RFC 4647 §2.1 language-range (letters and digits in subtags of at most 8), or `*`. */
const RANGE = /^(?:\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*)$/;
/** Headers longer than this are cut: nobody prefers 40 languages, and parsing stays bounded. */
const MAX_RANGES = 40;

/**
 * The ranges of an Accept-Language header, best first (equal quality: in the header's order); ranges with q=0
 * (not acceptable) and malformed entries are left out.
 */
export function parseAcceptLanguage(header: string | null | undefined): LanguageRange[] {
  if (!header) return [];
  return header
    .split(',')
    .slice(0, MAX_RANGES)
    .map((part, order) => {
      const [tag, ...params] = part.split(';').map((p) => p.trim());
      const range = tag.toLowerCase().replace(/_/g, '-');
      if (!RANGE.test(range)) return null;
      let q = 1;
      for (const param of params) {
        const eq = param.indexOf('=');
        if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'q') continue;
        const value = param.slice(eq + 1).trim();
        if (!QVALUE.test(value)) return null;
        q = Number(value);
      }
      return { range, q, order };
    })
    .filter((x): x is LanguageRange & { order: number } => x !== null && x.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order)
    .map(({ range, q }) => ({ range, q }));
}

/**
 * The supported language a tag or range stands for, by RFC 4647 lookup (`pt-BR` → pt, `sv_FI` → sv, `DE` → de), or
 * null (unsupported, `*`, malformed).
 */
export function supportedLanguage(tag: string | null | undefined): RecipientLanguage | null {
  if (!tag) return null;
  const primary = tag.trim().toLowerCase().replace(/_/g, '-').split('-')[0];
  return (RECIPIENT_LANGUAGES as readonly string[]).includes(primary) ? (primary as RecipientLanguage) : null;
}

/** The best supported language of an Accept-Language header, or null when it names none. */
export function acceptedLanguage(header: string | null | undefined): RecipientLanguage | null {
  for (const { range } of parseAcceptLanguage(header)) {
    const language = supportedLanguage(range);
    if (language) return language;
  }
  return null;
}

/**
 * R-U6: the contact's `locale` when it is a supported language, else the browser's best supported one, else
 * English. The contact's choice wins over the browser's: a shared or work computer says little about the reader.
 */
export function recipientLanguage(input: {
  locale?: string | null;
  acceptLanguage?: string | null;
}): RecipientLanguage {
  return supportedLanguage(input.locale) ?? acceptedLanguage(input.acceptLanguage) ?? FALLBACK_LANGUAGE;
}

import { OPT_IN_PAGE_TEXTS } from './opt-in-page-texts';

/** At most this many Accept-Language entries are read (R-X6: parsing stays bounded). */
const MAX_RANGES = 20;

/**
 * The language of the double opt-in page (R-C8): the first Accept-Language entry, by quality, whose primary subtag
 * has texts (`de-AT` → de); English otherwise.
 */
export function optInPageLanguage(acceptLanguage: string | undefined): string {
  if (!acceptLanguage) return 'en';
  const ranked = acceptLanguage
    .slice(0, 1000)
    .split(',')
    .slice(0, MAX_RANGES)
    .map((part, order) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const value = q ? Number(q.slice(2)) : 1;
      return { lang: tag.trim().toLowerCase().split(/[-_]/)[0], q: Number.isFinite(value) ? value : 0, order };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order);
  return ranked.find((x) => Object.hasOwn(OPT_IN_PAGE_TEXTS, x.lang))?.lang ?? 'en';
}

/** The page's form posts `confirm=yes`; anything else (a scanner's empty POST included) confirms nothing. */
export function isConfirmRequest(form: Record<string, unknown> | null | undefined): boolean {
  return !!form && form.confirm === 'yes';
}

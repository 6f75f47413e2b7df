/**
 * The words of the double opt-in page (`/c/{token}`, R-C8), keyed by language code. English and German for now; a
 * language added here is served without other changes (see `optInPageLanguage`), so the recipient pages' language
 * machinery can add the others.
 */
export interface OptInPageTexts {
  title: string;
  question: (tenant: string) => string;
  confirm: string;
  done: (tenant: string) => string;
  invalid: string;
  invalidHelp: string;
  busy: string;
  busyHelp: string;
}

export const OPT_IN_PAGE_TEXTS: Readonly<Record<string, OptInPageTexts>> = {
  en: {
    title: 'Confirm your subscription',
    question: (t) => `Do you want to receive emails from ${t}?`,
    confirm: 'Yes, confirm my subscription',
    done: (t) => `Thank you. Your subscription to ${t} is confirmed.`,
    invalid: 'This link is not valid',
    invalidHelp: 'It may be incomplete or expired. Nothing was changed.',
    busy: 'Please try again in a minute',
    busyHelp: 'There were too many attempts with this link. Nothing was changed.',
  },
  de: {
    title: 'Abonnement bestätigen',
    question: (t) => `Möchten Sie E-Mails von ${t} erhalten?`,
    confirm: 'Ja, Abonnement bestätigen',
    done: (t) => `Vielen Dank. Ihr Abonnement bei ${t} ist bestätigt.`,
    invalid: 'Dieser Link ist ungültig',
    invalidHelp: 'Er ist vielleicht unvollständig oder abgelaufen. Es wurde nichts geändert.',
    busy: 'Bitte versuchen Sie es in einer Minute erneut',
    busyHelp: 'Mit diesem Link gab es zu viele Versuche. Es wurde nichts geändert.',
  },
};

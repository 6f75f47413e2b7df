/**
 * R-C8: the one confirmation message a double opt-in contact gets — a plain note with the signed `/c/{token}` link,
 * in the contact's language (its `locale`), English when there is no text for it. Texts are keyed by language code,
 * so a language added here (or by the recipient pages' language machinery) is picked up without other changes.
 */
export interface OptInMessageTexts {
  subject: (tenant: string) => string;
  intro: (tenant: string) => string;
  button: string;
  ignore: string;
}

export const OPT_IN_MESSAGE_TEXTS: Readonly<Record<string, OptInMessageTexts>> = {
  en: {
    subject: (t) => `Please confirm your subscription to ${t}`,
    intro: (t) => `You (or someone using your address) asked to receive emails from ${t}. Please confirm:`,
    button: 'Confirm my subscription',
    ignore: 'If this was not you, ignore this message: you will not hear from us again.',
  },
  de: {
    subject: (t) => `Bitte bestätigen Sie Ihr Abonnement bei ${t}`,
    intro: (t) => `Sie (oder jemand mit Ihrer Adresse) möchten E-Mails von ${t} erhalten. Bitte bestätigen Sie:`,
    button: 'Abonnement bestätigen',
    ignore: 'Falls Sie das nicht waren, ignorieren Sie diese Nachricht: Sie hören dann nicht mehr von uns.',
  },
};

/** The language of a contact's `locale` (`de-AT` → de) that has texts, else English. */
export function optInMessageLanguage(locale: string | null | undefined): string {
  const primary = (locale ?? '').trim().toLowerCase().replace(/_/g, '-').split('-')[0];
  return Object.hasOwn(OPT_IN_MESSAGE_TEXTS, primary) ? primary : 'en';
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Subject, text and HTML of the confirmation message; the tenant's name is escaped, the URL is ours. */
export function optInMessage(facts: { tenantName: string; confirmUrl: string; locale: string | null }): {
  subject: string;
  text: string;
  html: string;
} {
  const lang = optInMessageLanguage(facts.locale);
  const t = OPT_IN_MESSAGE_TEXTS[lang];
  const url = escapeHtml(facts.confirmUrl);
  return {
    subject: t.subject(facts.tenantName),
    text: `${t.intro(facts.tenantName)}\n\n${t.button}: ${facts.confirmUrl}\n\n${t.ignore}\n`,
    html:
      `<!doctype html><html lang="${lang}"><body style="font-family:system-ui,sans-serif">` +
      `<p>${escapeHtml(t.intro(facts.tenantName))}</p>` +
      `<p><a href="${url}" style="display:inline-block;padding:12px 20px;background:#1d4ed8;color:#fff;` +
      `border-radius:8px;text-decoration:none">${escapeHtml(t.button)}</a></p>` +
      `<p style="font-size:12px;color:#666">${escapeHtml(t.ignore)}</p></body></html>`,
  };
}

import { escapeHtml, recipientLanguage, type RecipientLanguage } from '@missive/http';

/**
 * R-C8: the one confirmation message a double opt-in contact gets — a plain note with the signed `/c/{token}` link,
 * in the contact's language (its `locale`, chosen as the recipient pages choose, R-U6), English for any other.
 */
export interface OptInMessageTexts {
  subject: (tenant: string) => string;
  intro: (tenant: string) => string;
  button: string;
  ignore: string;
}

export const OPT_IN_MESSAGE_TEXTS: Readonly<Record<RecipientLanguage, OptInMessageTexts>> = {
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
  fr: {
    subject: (t) => `Veuillez confirmer votre abonnement à ${t}`,
    intro: (t) =>
      `Vous (ou une personne utilisant votre adresse) avez demandé à recevoir les e-mails de ${t}. Veuillez confirmer :`,
    button: 'Confirmer mon abonnement',
    ignore: "Si ce n'était pas vous, ignorez ce message : vous ne recevrez plus rien de notre part.",
  },
  es: {
    subject: (t) => `Confirme su suscripción a ${t}`,
    intro: (t) => `Usted (o alguien que usa su dirección) pidió recibir correos de ${t}. Confírmelo, por favor:`,
    button: 'Confirmar mi suscripción',
    ignore: 'Si no fue usted, ignore este mensaje: no volverá a saber de nosotros.',
  },
  it: {
    subject: (t) => `Conferma la tua iscrizione a ${t}`,
    intro: (t) => `Tu (o qualcuno che usa il tuo indirizzo) hai chiesto di ricevere email da ${t}. Conferma:`,
    button: 'Conferma la mia iscrizione',
    ignore: 'Se la richiesta non è partita da te, ignora questo messaggio: non ti scriveremo più.',
  },
  nl: {
    subject: (t) => `Bevestig je aanmelding bij ${t}`,
    intro: (t) =>
      `Jij (of iemand die jouw adres gebruikt) hebt gevraagd om e-mails van ${t} te ontvangen. Bevestig dit:`,
    button: 'Mijn aanmelding bevestigen',
    ignore: 'Was jij dit niet? Negeer dan dit bericht: je hoort niets meer van ons.',
  },
  pl: {
    subject: (t) => `Potwierdź subskrypcję wiadomości od ${t}`,
    intro: (t) => `Na ten adres poproszono o wiadomości e-mail od ${t}. Potwierdź, proszę:`,
    button: 'Potwierdzam subskrypcję',
    ignore: 'Jeśli to nie Ty, zignoruj tę wiadomość: nie otrzymasz od nas nic więcej.',
  },
  pt: {
    subject: (t) => `Confirme a sua subscrição de ${t}`,
    intro: (t) => `Foi pedido o envio de e-mails de ${t} para este endereço. Confirme, por favor:`,
    button: 'Confirmar a minha subscrição',
    ignore: 'Se não foi você, ignore esta mensagem: não voltará a receber notícias nossas.',
  },
  sv: {
    subject: (t) => `Bekräfta din prenumeration hos ${t}`,
    intro: (t) => `Du (eller någon som använder din adress) har bett om att få e-post från ${t}. Bekräfta:`,
    button: 'Bekräfta min prenumeration',
    ignore: 'Om det inte var du kan du ignorera det här meddelandet: du hör inte av oss igen.',
  },
};

/** The language of a contact's `locale` (`de-AT` → de), English when it has none or an unsupported one. */
export function optInMessageLanguage(locale: string | null | undefined): RecipientLanguage {
  return recipientLanguage({ locale });
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

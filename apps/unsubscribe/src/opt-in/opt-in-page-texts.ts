import type { RecipientLanguage } from '@missive/http';

/**
 * The words of the double opt-in page (`/c/{token}`, R-C8, R-U6), one set per recipient language: a language
 * without its texts fails to compile. `t` is the tenant's display name, null when the directory does not know it
 * (the sentence then leaves the sender out, as on the unsubscribe pages). Values are plain text: the page escapes.
 */
export interface OptInPageTexts {
  title: string;
  question: (t: string | null) => string;
  confirm: string;
  done: (t: string | null) => string;
  invalid: string;
  invalidHelp: string;
  busy: string;
  busyHelp: string;
}

export const OPT_IN_PAGE_TEXTS: Record<RecipientLanguage, OptInPageTexts> = {
  en: {
    title: 'Confirm your subscription',
    question: (t) => (t ? `Do you want to receive emails from ${t}?` : 'Do you want to receive these emails?'),
    confirm: 'Yes, confirm my subscription',
    done: (t) =>
      t ? `Thank you. Your subscription to ${t} is confirmed.` : 'Thank you. Your subscription is confirmed.',
    invalid: 'This link is not valid',
    invalidHelp: 'It may be incomplete or expired. Nothing was changed.',
    busy: 'Please try again in a minute',
    busyHelp: 'There were too many attempts with this link. Nothing was changed.',
  },
  de: {
    title: 'Abonnement bestätigen',
    question: (t) => (t ? `Möchten Sie E-Mails von ${t} erhalten?` : 'Möchten Sie diese E-Mails erhalten?'),
    confirm: 'Ja, Abonnement bestätigen',
    done: (t) =>
      t ? `Vielen Dank. Ihr Abonnement bei ${t} ist bestätigt.` : 'Vielen Dank. Ihr Abonnement ist bestätigt.',
    invalid: 'Dieser Link ist ungültig',
    invalidHelp: 'Er ist vielleicht unvollständig oder abgelaufen. Es wurde nichts geändert.',
    busy: 'Bitte versuchen Sie es in einer Minute erneut',
    busyHelp: 'Mit diesem Link gab es zu viele Versuche. Es wurde nichts geändert.',
  },
  fr: {
    title: 'Confirmer votre abonnement',
    question: (t) => (t ? `Souhaitez-vous recevoir les e-mails de ${t} ?` : 'Souhaitez-vous recevoir ces e-mails ?'),
    confirm: 'Oui, je confirme mon abonnement',
    done: (t) =>
      t ? `Merci. Votre abonnement aux e-mails de ${t} est confirmé.` : 'Merci. Votre abonnement est confirmé.',
    invalid: 'Ce lien n’est pas valide',
    invalidHelp: 'Il est peut-être incomplet ou expiré. Rien n’a été modifié.',
    busy: 'Veuillez réessayer dans une minute',
    busyHelp: 'Il y a eu trop de tentatives avec ce lien. Rien n’a été modifié.',
  },
  es: {
    title: 'Confirme su suscripción',
    question: (t) => (t ? `¿Desea recibir correos de ${t}?` : '¿Desea recibir estos correos?'),
    confirm: 'Sí, confirmar mi suscripción',
    done: (t) =>
      t ? `Gracias. Su suscripción a los correos de ${t} está confirmada.` : 'Gracias. Su suscripción está confirmada.',
    invalid: 'Este enlace no es válido',
    invalidHelp: 'Puede estar incompleto o caducado. No se ha cambiado nada.',
    busy: 'Vuelva a intentarlo dentro de un minuto',
    busyHelp: 'Ha habido demasiados intentos con este enlace. No se ha cambiado nada.',
  },
  it: {
    title: 'Conferma la tua iscrizione',
    question: (t) => (t ? `Vuoi ricevere le email di ${t}?` : 'Vuoi ricevere queste email?'),
    confirm: 'Sì, confermo la mia iscrizione',
    done: (t) =>
      t ? `Grazie. La tua iscrizione alle email di ${t} è confermata.` : 'Grazie. La tua iscrizione è confermata.',
    invalid: 'Questo link non è valido',
    invalidHelp: 'Potrebbe essere incompleto o scaduto. Non è stato modificato nulla.',
    busy: 'Riprova tra un minuto',
    busyHelp: 'Ci sono stati troppi tentativi con questo link. Non è stato modificato nulla.',
  },
  nl: {
    title: 'Bevestig uw inschrijving',
    question: (t) => (t ? `Wilt u e-mails van ${t} ontvangen?` : 'Wilt u deze e-mails ontvangen?'),
    confirm: 'Ja, bevestig mijn inschrijving',
    done: (t) =>
      t ? `Bedankt. Uw inschrijving voor de e-mails van ${t} is bevestigd.` : 'Bedankt. Uw inschrijving is bevestigd.',
    invalid: 'Deze link is niet geldig',
    invalidHelp: 'Mogelijk is de link onvolledig of verlopen. Er is niets gewijzigd.',
    busy: 'Probeer het over een minuut opnieuw',
    busyHelp: 'Er zijn te veel pogingen gedaan met deze link. Er is niets gewijzigd.',
  },
  pl: {
    title: 'Potwierdź subskrypcję',
    question: (t) => (t ? `Czy chcesz otrzymywać e-maile od ${t}?` : 'Czy chcesz otrzymywać te e-maile?'),
    confirm: 'Tak, potwierdzam subskrypcję',
    done: (t) =>
      t
        ? `Dziękujemy. Subskrypcja e-maili od ${t} została potwierdzona.`
        : 'Dziękujemy. Subskrypcja została potwierdzona.',
    invalid: 'Ten link jest nieprawidłowy',
    invalidHelp: 'Może być niekompletny lub wygasły. Nic nie zostało zmienione.',
    busy: 'Spróbuj ponownie za minutę',
    busyHelp: 'Było zbyt wiele prób z tym linkiem. Nic nie zostało zmienione.',
  },
  pt: {
    title: 'Confirme a sua subscrição',
    question: (t) => (t ? `Pretende receber e-mails de ${t}?` : 'Pretende receber estes e-mails?'),
    confirm: 'Sim, confirmar a minha subscrição',
    done: (t) =>
      t
        ? `Obrigado. A sua subscrição dos e-mails de ${t} está confirmada.`
        : 'Obrigado. A sua subscrição está confirmada.',
    invalid: 'Este link não é válido',
    invalidHelp: 'Pode estar incompleto ou expirado. Nada foi alterado.',
    busy: 'Tente novamente dentro de um minuto',
    busyHelp: 'Houve demasiadas tentativas com este link. Nada foi alterado.',
  },
  sv: {
    title: 'Bekräfta din prenumeration',
    question: (t) => (t ? `Vill du få e-post från ${t}?` : 'Vill du få den här e-posten?'),
    confirm: 'Ja, bekräfta min prenumeration',
    done: (t) =>
      t ? `Tack. Din prenumeration på e-post från ${t} är bekräftad.` : 'Tack. Din prenumeration är bekräftad.',
    invalid: 'Länken är inte giltig',
    invalidHelp: 'Den kan vara ofullständig eller ha gått ut. Ingenting har ändrats.',
    busy: 'Försök igen om en minut',
    busyHelp: 'Det har gjorts för många försök med den här länken. Ingenting har ändrats.',
  },
};

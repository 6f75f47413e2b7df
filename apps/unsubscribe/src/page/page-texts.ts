import type { PageLanguage } from './unsubscribe-page.rules';

export interface PageTexts {
  title: string;
  question: (masked: string, tenant: string) => string;
  confirm: string;
  done: (masked: string, tenant: string) => string;
  invalid: string;
  invalidHelp: string;
  preferences: string;
  leaveLists: string;
  leaveSelected: string;
  leaveAll: string;
  left: (lists: string[]) => string;
}

/** The page's words per language; English is the fallback (R-U1). */
export const PAGE_TEXTS: Record<PageLanguage, PageTexts> = {
  en: {
    title: 'Unsubscribe',
    question: (m, t) => `Stop marketing emails from ${t} to ${m}?`,
    confirm: 'Unsubscribe',
    done: (m, t) => `Done. ${t} will send no more marketing emails to ${m}.`,
    invalid: 'This link is not valid',
    invalidHelp: 'It may be incomplete or expired. You can also reply to the email and ask to be removed.',
    preferences: 'Choose what you receive',
    leaveLists: 'Leave these lists:',
    leaveSelected: 'Leave the selected lists',
    leaveAll: 'Leave everything',
    left: (lists) => `Done. You left: ${lists.join(', ')}.`,
  },
  fr: {
    title: 'Se désabonner',
    question: (m, t) => `Ne plus recevoir d’e-mails marketing de ${t} à ${m} ?`,
    confirm: 'Me désabonner',
    done: (m, t) => `C’est fait. ${t} n’enverra plus d’e-mails marketing à ${m}.`,
    invalid: 'Ce lien n’est pas valide',
    invalidHelp:
      'Il est peut-être incomplet ou expiré. Vous pouvez aussi répondre à l’e-mail pour demander votre retrait.',
    preferences: 'Choisir ce que vous recevez',
    leaveLists: 'Quitter ces listes :',
    leaveSelected: 'Quitter les listes choisies',
    leaveAll: 'Tout quitter',
    left: (lists) => `C’est fait. Vous avez quitté : ${lists.join(', ')}.`,
  },
  de: {
    title: 'Abmelden',
    question: (m, t) => `Keine Marketing-E-Mails mehr von ${t} an ${m}?`,
    confirm: 'Abmelden',
    done: (m, t) => `Erledigt. ${t} sendet keine Marketing-E-Mails mehr an ${m}.`,
    invalid: 'Dieser Link ist ungültig',
    invalidHelp: 'Er ist vielleicht unvollständig oder abgelaufen. Sie können auch auf die E-Mail antworten.',
    preferences: 'Wählen Sie, was Sie erhalten',
    leaveLists: 'Diese Listen verlassen:',
    leaveSelected: 'Ausgewählte Listen verlassen',
    leaveAll: 'Alles abbestellen',
    left: (lists) => `Erledigt. Verlassen: ${lists.join(', ')}.`,
  },
  es: {
    title: 'Darse de baja',
    question: (m, t) => `¿Dejar de recibir correos de marketing de ${t} en ${m}?`,
    confirm: 'Darme de baja',
    done: (m, t) => `Hecho. ${t} no enviará más correos de marketing a ${m}.`,
    invalid: 'Este enlace no es válido',
    invalidHelp: 'Puede estar incompleto o caducado. También puede responder al correo y pedir la baja.',
    preferences: 'Elija lo que recibe',
    leaveLists: 'Dejar estas listas:',
    leaveSelected: 'Dejar las listas elegidas',
    leaveAll: 'Dejarlo todo',
    left: (lists) => `Hecho. Ha dejado: ${lists.join(', ')}.`,
  },
};

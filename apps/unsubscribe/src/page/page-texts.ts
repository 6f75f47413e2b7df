import type { RecipientLanguage } from '@missive/http';

/**
 * The words of the unsubscribe service's pages (R-U1, R-U4, R-U6): confirm, done, preferences, lists left and the
 * invalid link. `t` is the tenant's display name, null when the directory does not know it (the sentence then leaves
 * the sender out rather than guessing its grammar); `m` the masked address. Values are plain text: the page escapes.
 */
export interface PageTexts {
  title: string;
  question: (m: string, t: string | null) => string;
  confirm: string;
  done: (m: string, t: string | null) => string;
  invalid: string;
  invalidHelp: string;
  preferences: string;
  recipient: (m: string, t: string | null) => string;
  leaveLists: string;
  noLists: string;
  leaveSelected: string;
  leaveAll: string;
  left: (lists: string[]) => string;
}

/** The page's words per language; English is the fallback (R-U6). */
export const PAGE_TEXTS: Record<RecipientLanguage, PageTexts> = {
  en: {
    title: 'Unsubscribe',
    question: (m, t) => (t ? `Stop marketing emails from ${t} to ${m}?` : `Stop marketing emails to ${m}?`),
    confirm: 'Unsubscribe',
    done: (m, t) =>
      t ? `Done. ${t} will send no more marketing emails to ${m}.` : `Done. No more marketing emails will go to ${m}.`,
    invalid: 'This link is not valid',
    invalidHelp: 'It may be incomplete or expired. You can also reply to the email and ask to be removed.',
    preferences: 'Choose what you receive',
    recipient: (m, t) => (t ? `Emails from ${t} to ${m}` : `Emails to ${m}`),
    leaveLists: 'Leave these lists:',
    noLists: 'This address is not on any list.',
    leaveSelected: 'Leave the selected lists',
    leaveAll: 'Leave everything',
    left: (lists) => `Done. You left: ${lists.join(', ')}.`,
  },
  de: {
    title: 'Abmelden',
    question: (m, t) =>
      t ? `Keine Marketing-E-Mails mehr von ${t} an ${m}?` : `Keine Marketing-E-Mails mehr an ${m}?`,
    confirm: 'Abmelden',
    done: (m, t) =>
      t
        ? `Erledigt. ${t} sendet keine Marketing-E-Mails mehr an ${m}.`
        : `Erledigt. An ${m} gehen keine Marketing-E-Mails mehr.`,
    invalid: 'Dieser Link ist ungültig',
    invalidHelp:
      'Er ist vielleicht unvollständig oder abgelaufen. Sie können auch auf die E-Mail antworten und um Abmeldung bitten.',
    preferences: 'Wählen Sie, was Sie erhalten',
    recipient: (m, t) => (t ? `E-Mails von ${t} an ${m}` : `E-Mails an ${m}`),
    leaveLists: 'Von diesen Listen abmelden:',
    noLists: 'Diese Adresse steht auf keiner Liste.',
    leaveSelected: 'Von den ausgewählten Listen abmelden',
    leaveAll: 'Alles abbestellen',
    left: (lists) => `Erledigt. Abgemeldet von: ${lists.join(', ')}.`,
  },
  fr: {
    title: 'Se désabonner',
    question: (m, t) =>
      t ? `Ne plus recevoir d’e-mails marketing de ${t} à ${m} ?` : `Ne plus recevoir d’e-mails marketing à ${m} ?`,
    confirm: 'Me désabonner',
    done: (m, t) =>
      t
        ? `C’est fait. ${t} n’enverra plus d’e-mails marketing à ${m}.`
        : `C’est fait. Plus aucun e-mail marketing ne sera envoyé à ${m}.`,
    invalid: 'Ce lien n’est pas valide',
    invalidHelp:
      'Il est peut-être incomplet ou expiré. Vous pouvez aussi répondre à l’e-mail pour demander votre désinscription.',
    preferences: 'Choisir ce que vous recevez',
    recipient: (m, t) => (t ? `E-mails de ${t} à ${m}` : `E-mails à ${m}`),
    leaveLists: 'Quitter ces listes :',
    noLists: 'Cette adresse n’est inscrite à aucune liste.',
    leaveSelected: 'Quitter les listes choisies',
    leaveAll: 'Tout quitter',
    left: (lists) => `C’est fait. Vous avez quitté : ${lists.join(', ')}.`,
  },
  es: {
    title: 'Darse de baja',
    question: (m, t) =>
      t ? `¿Dejar de recibir correos de marketing de ${t} en ${m}?` : `¿Dejar de recibir correos de marketing en ${m}?`,
    confirm: 'Darme de baja',
    done: (m, t) =>
      t
        ? `Hecho. ${t} no enviará más correos de marketing a ${m}.`
        : `Hecho. No se enviarán más correos de marketing a ${m}.`,
    invalid: 'Este enlace no es válido',
    invalidHelp: 'Puede estar incompleto o caducado. También puede responder al correo y pedir la baja.',
    preferences: 'Elija qué quiere recibir',
    recipient: (m, t) => (t ? `Correos de ${t} a ${m}` : `Correos a ${m}`),
    leaveLists: 'Dejar estas listas:',
    noLists: 'Esta dirección no está suscrita a ninguna lista.',
    leaveSelected: 'Dejar las listas elegidas',
    leaveAll: 'Darme de baja de todo',
    left: (lists) => `Hecho. Ha dejado: ${lists.join(', ')}.`,
  },
  it: {
    title: 'Annulla iscrizione',
    question: (m, t) =>
      t
        ? `Vuoi smettere di ricevere email di marketing da ${t} all’indirizzo ${m}?`
        : `Vuoi smettere di ricevere email di marketing all’indirizzo ${m}?`,
    confirm: 'Annulla iscrizione',
    done: (m, t) =>
      t
        ? `Fatto. ${t} non invierà più email di marketing a ${m}.`
        : `Fatto. Non verranno più inviate email di marketing a ${m}.`,
    invalid: 'Questo link non è valido',
    invalidHelp: 'Potrebbe essere incompleto o scaduto. Puoi anche rispondere all’email e chiedere la cancellazione.',
    preferences: 'Scegli cosa ricevere',
    recipient: (m, t) => (t ? `Email da ${t} a ${m}` : `Email a ${m}`),
    leaveLists: 'Esci da queste liste:',
    noLists: 'Questo indirizzo non è iscritto a nessuna lista.',
    leaveSelected: 'Esci dalle liste selezionate',
    leaveAll: 'Annulla tutte le iscrizioni',
    left: (lists) => `Fatto. Iscrizione annullata per: ${lists.join(', ')}.`,
  },
  nl: {
    title: 'Afmelden',
    question: (m, t) => (t ? `Geen marketingmails meer van ${t} naar ${m}?` : `Geen marketingmails meer naar ${m}?`),
    confirm: 'Afmelden',
    done: (m, t) =>
      t
        ? `Klaar. ${t} stuurt geen marketingmails meer naar ${m}.`
        : `Klaar. Er worden geen marketingmails meer naar ${m} gestuurd.`,
    invalid: 'Deze link is niet geldig',
    invalidHelp:
      'Mogelijk is de link onvolledig of verlopen. U kunt ook op de e-mail antwoorden en vragen om te worden afgemeld.',
    preferences: 'Kies wat u ontvangt',
    recipient: (m, t) => (t ? `E-mails van ${t} naar ${m}` : `E-mails naar ${m}`),
    leaveLists: 'Afmelden voor deze lijsten:',
    noLists: 'Dit adres staat op geen enkele lijst.',
    leaveSelected: 'Afmelden voor de gekozen lijsten',
    leaveAll: 'Overal voor afmelden',
    left: (lists) => `Klaar. U bent afgemeld voor: ${lists.join(', ')}.`,
  },
  pl: {
    title: 'Wypisz się',
    question: (m, t) =>
      t
        ? `Czy chcesz przestać otrzymywać e-maile marketingowe od ${t} na adres ${m}?`
        : `Czy chcesz przestać otrzymywać e-maile marketingowe na adres ${m}?`,
    confirm: 'Wypisz mnie',
    done: (m, t) =>
      t
        ? `Gotowe. ${t} nie będzie już wysyłać e-maili marketingowych na adres ${m}.`
        : `Gotowe. Na adres ${m} nie będą już wysyłane e-maile marketingowe.`,
    invalid: 'Ten link jest nieprawidłowy',
    invalidHelp: 'Może być niekompletny lub wygasły. Możesz też odpowiedzieć na tego e-maila i poprosić o wypisanie.',
    preferences: 'Wybierz, co chcesz otrzymywać',
    recipient: (m, t) => (t ? `E-maile od ${t} na adres ${m}` : `E-maile na adres ${m}`),
    leaveLists: 'Wypisz mnie z tych list:',
    noLists: 'Ten adres nie jest zapisany na żadną listę.',
    leaveSelected: 'Wypisz mnie z wybranych list',
    leaveAll: 'Wypisz mnie ze wszystkiego',
    left: (lists) => `Gotowe. Wypisano Cię z list: ${lists.join(', ')}.`,
  },
  pt: {
    title: 'Cancelar subscrição',
    question: (m, t) =>
      t ? `Deixar de receber e-mails de marketing de ${t} em ${m}?` : `Deixar de receber e-mails de marketing em ${m}?`,
    confirm: 'Cancelar subscrição',
    done: (m, t) =>
      t
        ? `Concluído. ${t} não enviará mais e-mails de marketing para ${m}.`
        : `Concluído. Não serão enviados mais e-mails de marketing para ${m}.`,
    invalid: 'Este link não é válido',
    invalidHelp: 'Pode estar incompleto ou expirado. Também pode responder ao e-mail e pedir a remoção.',
    preferences: 'Escolha o que recebe',
    recipient: (m, t) => (t ? `E-mails de ${t} para ${m}` : `E-mails para ${m}`),
    leaveLists: 'Sair destas listas:',
    noLists: 'Este endereço não está inscrito em nenhuma lista.',
    leaveSelected: 'Sair das listas selecionadas',
    leaveAll: 'Sair de tudo',
    left: (lists) => `Concluído. Saiu de: ${lists.join(', ')}.`,
  },
  sv: {
    title: 'Avsluta prenumeration',
    question: (m, t) =>
      t
        ? `Vill du sluta få marknadsföringsmejl från ${t} till ${m}?`
        : `Vill du sluta få marknadsföringsmejl till ${m}?`,
    confirm: 'Avsluta prenumerationen',
    done: (m, t) =>
      t
        ? `Klart. ${t} skickar inga fler marknadsföringsmejl till ${m}.`
        : `Klart. Inga fler marknadsföringsmejl skickas till ${m}.`,
    invalid: 'Länken är inte giltig',
    invalidHelp:
      'Den kan vara ofullständig eller ha gått ut. Du kan också svara på mejlet och be om att bli borttagen.',
    preferences: 'Välj vad du vill få',
    recipient: (m, t) => (t ? `Mejl från ${t} till ${m}` : `Mejl till ${m}`),
    leaveLists: 'Lämna de här listorna:',
    noLists: 'Adressen finns inte på någon lista.',
    leaveSelected: 'Lämna de valda listorna',
    leaveAll: 'Avsluta alla prenumerationer',
    left: (lists) => `Klart. Du har lämnat: ${lists.join(', ')}.`,
  },
};

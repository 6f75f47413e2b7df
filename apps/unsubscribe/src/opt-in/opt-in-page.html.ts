import { escapeHtml as escape, recipientPage, type RecipientLanguage } from '@missive/http';
import { OPT_IN_PAGE_TEXTS } from './opt-in-page-texts';

/** The window title: the page's, and the sender's display name when known (as on the unsubscribe pages). */
function titled(title: string, tenantName: string | null): string {
  return tenantName ? `${title} — ${tenantName}` : title;
}

/**
 * GET /c/{token}: the question and a form that POSTs the confirmation; showing it changes nothing (R-C8). In the
 * recipient's language (R-U6), naming the sender (`tenantName`, escaped here).
 */
export function optInConfirmPage(lang: RecipientLanguage, tenantName: string | null, action: string): string {
  const t = OPT_IN_PAGE_TEXTS[lang];
  return recipientPage(
    lang,
    titled(t.title, tenantName),
    `<h1>${escape(t.title)}</h1>
<p id="question">${escape(t.question(tenantName))}</p>
<form method="post" action="${escape(action)}">
<input type="hidden" name="confirm" value="yes">
<button type="submit" aria-describedby="question">${escape(t.confirm)}</button>
</form>`,
  );
}

export function optInDonePage(lang: RecipientLanguage, tenantName: string | null): string {
  const t = OPT_IN_PAGE_TEXTS[lang];
  return recipientPage(
    lang,
    titled(t.title, tenantName),
    `<h1>${escape(t.title)}</h1>\n<p role="status">${escape(t.done(tenantName))}</p>`,
  );
}

export function optInInvalidPage(lang: RecipientLanguage): string {
  const t = OPT_IN_PAGE_TEXTS[lang];
  return recipientPage(lang, t.invalid, `<h1>${escape(t.invalid)}</h1>\n<p>${escape(t.invalidHelp)}</p>`);
}

export function optInBusyPage(lang: RecipientLanguage): string {
  const t = OPT_IN_PAGE_TEXTS[lang];
  return recipientPage(lang, t.busy, `<h1>${escape(t.busy)}</h1>\n<p>${escape(t.busyHelp)}</p>`);
}

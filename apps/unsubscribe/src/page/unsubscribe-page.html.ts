import { escapeHtml as escape, recipientPage, type RecipientLanguage } from '@missive/http';
import { PAGE_TEXTS } from './page-texts';

/** The window title: the page's, and the sender's display name when known. */
function titled(title: string, tenantName: string | null): string {
  return tenantName ? `${title} — ${tenantName}` : title;
}

/** R-U1, R-U6: the confirm page, in the recipient's language, naming the sender (`tenantName`, escaped here). */
export function confirmPage(
  lang: RecipientLanguage,
  masked: string,
  tenantName: string | null,
  action: string,
): string {
  const t = PAGE_TEXTS[lang];
  return recipientPage(
    lang,
    titled(t.title, tenantName),
    `<h1>${escape(t.title)}</h1>
<p id="question">${escape(t.question(masked, tenantName))}</p>
<form method="post" action="${escape(action)}">
<input type="hidden" name="confirm" value="yes">
<button type="submit" aria-describedby="question">${escape(t.confirm)}</button>
</form>
<p><a href="${escape(action)}/preferences">${escape(t.preferences)}</a></p>`,
  );
}

export function donePage(lang: RecipientLanguage, masked: string, tenantName: string | null): string {
  const t = PAGE_TEXTS[lang];
  return recipientPage(
    lang,
    titled(t.title, tenantName),
    `<h1>${escape(t.title)}</h1>\n<p role="status">${escape(t.done(masked, tenantName))}</p>`,
  );
}

export function invalidLinkPage(lang: RecipientLanguage): string {
  const t = PAGE_TEXTS[lang];
  return recipientPage(lang, t.invalid, `<h1>${escape(t.invalid)}</h1>\n<p>${escape(t.invalidHelp)}</p>`);
}

/** R-U4: leave single lists or everything. Resubscribing is not offered here: it needs a new consent record. */
export function preferencesPage(
  lang: RecipientLanguage,
  masked: string,
  tenantName: string | null,
  lists: string[],
  action: string,
): string {
  const t = PAGE_TEXTS[lang];
  const boxes = lists
    .map(
      (list, i) =>
        `<div class="choice"><input type="checkbox" id="l${i}" name="leave" value="${escape(list)}"><label for="l${i}">${escape(list)}</label></div>`,
    )
    .join('\n');
  const byList = lists.length
    ? `<form method="post" action="${escape(action)}">
<fieldset><legend>${escape(t.leaveLists)}</legend>
${boxes}
</fieldset>
<p><button type="submit">${escape(t.leaveSelected)}</button></p>
</form>`
    : `<p>${escape(t.noLists)}</p>`;
  return recipientPage(
    lang,
    titled(t.preferences, tenantName),
    `<h1>${escape(t.preferences)}</h1>
<p>${escape(t.recipient(masked, tenantName))}</p>
${byList}
<form method="post" action="${escape(action)}"><input type="hidden" name="everything" value="yes"><button type="submit" class="secondary">${escape(t.leaveAll)}</button></form>`,
  );
}

export function listsLeftPage(lang: RecipientLanguage, lists: string[]): string {
  const t = PAGE_TEXTS[lang];
  return recipientPage(
    lang,
    t.preferences,
    `<h1>${escape(t.preferences)}</h1>\n<p role="status">${escape(t.left(lists))}</p>`,
  );
}

import { PAGE_TEXTS } from './page-texts';
import type { PageLanguage } from './unsubscribe-page.rules';

function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Self-contained: inline style, no script, no third-party resource, readable on a phone (R-U1, R-K4). */
function layout(lang: PageLanguage, title: string, body: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escape(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:2rem 1rem;background:#f6f7f9;color:#1d2433}
main{max-width:32rem;margin:0 auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin-top:0}
button{font-size:1.05rem;padding:.75rem 1.5rem;border:0;border-radius:8px;background:#1d4ed8;color:#fff;cursor:pointer}
button:focus{outline:3px solid #93c5fd;outline-offset:2px}
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

export function confirmPage(lang: PageLanguage, masked: string, tenantName: string, action: string): string {
  const t = PAGE_TEXTS[lang];
  return layout(
    lang,
    t.title,
    `<h1>${escape(t.title)}</h1>
<p id="question">${escape(t.question(masked, tenantName))}</p>
<form method="post" action="${escape(action)}">
<input type="hidden" name="confirm" value="yes">
<button type="submit" aria-describedby="question">${escape(t.confirm)}</button>
</form>
<p><a href="${escape(action)}/preferences">${escape(t.preferences)}</a></p>`,
  );
}

export function donePage(lang: PageLanguage, masked: string, tenantName: string): string {
  const t = PAGE_TEXTS[lang];
  return layout(
    lang,
    t.title,
    `<h1>${escape(t.title)}</h1>\n<p role="status">${escape(t.done(masked, tenantName))}</p>`,
  );
}

export function invalidLinkPage(lang: PageLanguage): string {
  const t = PAGE_TEXTS[lang];
  return layout(lang, t.invalid, `<h1>${escape(t.invalid)}</h1>\n<p>${escape(t.invalidHelp)}</p>`);
}

/** R-U4: leave single lists or everything. Resubscribing is not offered here: it needs a new consent record. */
export function preferencesPage(
  lang: PageLanguage,
  masked: string,
  tenantName: string,
  lists: string[],
  action: string,
): string {
  const t = PAGE_TEXTS[lang];
  const boxes = lists
    .map(
      (list, i) =>
        `<p><input type="checkbox" id="l${i}" name="leave" value="${escape(list)}"> <label for="l${i}">${escape(list)}</label></p>`,
    )
    .join('\n');
  return layout(
    lang,
    t.preferences,
    `<h1>${escape(t.preferences)}</h1>
<p>${escape(tenantName)} — ${escape(masked)}</p>
<form method="post" action="${escape(action)}">
<fieldset><legend>${escape(t.leaveLists)}</legend>
${boxes}
</fieldset>
<p><button type="submit">${escape(t.leaveSelected)}</button></p>
</form>
<form method="post" action="${escape(action)}"><input type="hidden" name="everything" value="yes"><button type="submit">${escape(t.leaveAll)}</button></form>`,
  );
}

export function listsLeftPage(lang: PageLanguage, lists: string[]): string {
  const t = PAGE_TEXTS[lang];
  return layout(
    lang,
    t.preferences,
    `<h1>${escape(t.preferences)}</h1>\n<p role="status">${escape(t.left(lists))}</p>`,
  );
}

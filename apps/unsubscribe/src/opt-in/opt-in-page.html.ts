import { OPT_IN_PAGE_TEXTS } from './opt-in-page-texts';

function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The unsubscribe pages' look (R-U1, R-K4): self-contained, inline style, no script, readable on a phone. */
function layout(lang: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="${escape(lang)}">
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

const texts = (lang: string) => OPT_IN_PAGE_TEXTS[lang] ?? OPT_IN_PAGE_TEXTS.en;

/** GET /c/{token}: the question and a form that POSTs the confirmation; showing it changes nothing (R-C8). */
export function optInConfirmPage(lang: string, tenantName: string, action: string): string {
  const t = texts(lang);
  return layout(
    lang,
    t.title,
    `<h1>${escape(t.title)}</h1>
<p id="question">${escape(t.question(tenantName))}</p>
<form method="post" action="${escape(action)}">
<input type="hidden" name="confirm" value="yes">
<button type="submit" aria-describedby="question">${escape(t.confirm)}</button>
</form>`,
  );
}

export function optInDonePage(lang: string, tenantName: string): string {
  const t = texts(lang);
  return layout(lang, t.title, `<h1>${escape(t.title)}</h1>\n<p role="status">${escape(t.done(tenantName))}</p>`);
}

export function optInInvalidPage(lang: string): string {
  const t = texts(lang);
  return layout(lang, t.invalid, `<h1>${escape(t.invalid)}</h1>\n<p>${escape(t.invalidHelp)}</p>`);
}

export function optInBusyPage(lang: string): string {
  const t = texts(lang);
  return layout(lang, t.busy, `<h1>${escape(t.busy)}</h1>\n<p>${escape(t.busyHelp)}</p>`);
}

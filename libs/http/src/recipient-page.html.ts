import type { RecipientLanguage } from './recipient-language.rules';

/** Text or attribute value made safe for HTML. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * The frame of every recipient page (unsubscribe, preferences, double opt-in): `<html lang>` in the page's language
 * (R-U6), self-contained (inline style, no script, no third-party resource: R-U1, R-K4), readable on a phone, and
 * WCAG 2.2 AA: one `main` landmark, text contrast ≥ 7:1, a focus ring of ≥ 3:1 on every control, targets of at least
 * 24 × 24 px, and nothing that depends on colour alone. `body` is trusted HTML: escape what goes into it.
 */
export function recipientPage(lang: RecipientLanguage, title: string, body: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:1rem;line-height:1.5;margin:0;padding:2rem 1rem;background:#f6f7f9;color:#1d2433}
main{max-width:32rem;margin:0 auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin-top:0}
a{color:#1d4ed8;text-decoration:underline}
p>a:only-child{display:inline-block;padding:.25rem 0}
button{font:inherit;font-size:1.05rem;min-height:2.75rem;padding:.6rem 1.5rem;border:2px solid #1d4ed8;border-radius:8px;background:#1d4ed8;color:#fff;cursor:pointer;margin:.25rem 0}
button.secondary{background:#fff;color:#1d4ed8}
fieldset{border:1px solid #6b7280;border-radius:8px;padding:.5rem 1rem 1rem;margin:0 0 1rem}
legend{font-weight:600;padding:0 .25rem}
.choice{display:flex;align-items:center;gap:.5rem;margin:.5rem 0}
.choice input{width:1.625rem;height:1.625rem;margin:0;accent-color:#1d4ed8}
.choice label{flex:1;padding:.25rem 0}
:focus-visible{outline:3px solid #1d2433;outline-offset:2px}
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

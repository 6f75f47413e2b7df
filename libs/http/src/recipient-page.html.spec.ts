import { escapeHtml, recipientPage } from './recipient-page.html';

describe('recipient page frame (R-U6)', () => {
  it('R-U6: says its language, escapes its title, and loads nothing', () => {
    const html = recipientPage('sv', 'Avsluta <prenumeration>', '<h1>x</h1>');
    expect(html).toMatch(/^<!doctype html>\n<html lang="sv">/);
    expect(html).toContain('<title>Avsluta &lt;prenumeration&gt;</title>');
    expect(html).toContain('<body><main><h1>x</h1></main></body>');
    expect(html).toContain(':focus-visible{outline:3px solid');
    expect(html).not.toMatch(/<script|<link|https?:\/\//);
  });

  it('escapes text and attribute values', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

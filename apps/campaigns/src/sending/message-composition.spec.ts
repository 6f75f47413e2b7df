import { compileTemplates, isTemplateProblems, renderTemplates } from '../templates/liquid-templates';
import { planLinks } from './link-plan';
import { composeMessage, messageVariables, readHtml, type MessageUrls } from './message-composition';
import { trackingAllowed } from './tracking-permission.rules';

const urls = (tracked: boolean): MessageUrls => ({
  unsubscribeUrl: 'https://links.example/u/UNSUB',
  unsubscribeMailbox: 'unsubscribe+UNSUB@links.example',
  pixelUrl: tracked ? 'https://links.example/t/o/OPEN' : null,
  clickUrl: tracked ? (i) => `https://links.example/t/c/CLICK${i}` : null,
  bounceToken: 'BOUNCE0123456789abcdef',
  returnPath: 'bounce+BOUNCE0123456789abcdef@bounces.example',
});

async function build(html: string, tracked: boolean, text?: string) {
  const plan = planLinks(html);
  const templates = compileTemplates({ subject: 'Hi {{ firstName }}', html: plan.html, text });
  if (isTemplateProblems(templates)) throw new Error('bad template');
  const u = urls(tracked);
  return {
    plan,
    message: composeMessage(
      await renderTemplates(templates, messageVariables({ firstName: 'Ada' }, plan.links, u)),
      u,
      'mail.example',
    ),
  };
}

describe('message composition (R-S3, R-S4)', () => {
  it('R-S4: static links get an index and a click URL; hrefs built from variables are left alone', async () => {
    const { plan, message } = await build(
      '<a href="https://shop.example/a?x=1&amp;y=2">A</a> <a href=\'http://b.example\'>B</a> <a href="https://c.example/{{ firstName }}">C</a>',
      true,
    );
    expect(plan.links).toEqual([
      { index: 0, url: 'https://shop.example/a?x=1&y=2' },
      { index: 1, url: 'http://b.example' },
    ]);
    expect(message.html).toContain('href="https://links.example/t/c/CLICK0"');
    expect(message.html).toContain("href='https://links.example/t/c/CLICK1'");
    expect(message.html).toContain('href="https://c.example/Ada"');
  });

  it('R-S4: without tracking: plain links and no pixel', async () => {
    const { message } = await build(
      '<html><body><a href="https://shop.example/a?x=1&amp;y=2">A</a></body></html>',
      false,
    );
    expect(message.html).toContain('href="https://shop.example/a?x=1&amp;y=2"');
    expect(message.html).not.toContain('/t/c/');
    expect(message.html).not.toContain('/t/o/');
  });

  it('R-S4: with tracking the pixel sits before </body>', async () => {
    const { message } = await build('<html><body><p>x</p></body></html>', true);
    expect(message.html).toMatch(
      /<img src="https:\/\/links\.example\/t\/o\/OPEN" width="1" height="1"[^>]*><\/body><\/html>$/,
    );
  });

  it('R-S3: List-Unsubscribe (https and mailto), one-click header, a unique Message-ID', async () => {
    const a = (await build('<p>x</p>', true)).message;
    const b = (await build('<p>x</p>', true)).message;
    expect(a.headers).toEqual({
      'List-Unsubscribe': '<https://links.example/u/UNSUB>, <mailto:unsubscribe+UNSUB@links.example>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    expect(a.messageId).toMatch(/^<BOUNCE0123456789abcdef\.[0-9a-f]{16}@mail\.example>$/);
    expect(a.returnPath).toBe('bounce+BOUNCE0123456789abcdef@bounces.example');
    expect(a.messageId).not.toBe(b.messageId);
  });

  it('R-S3: a visible unsubscribe link is added when the template has none, and not twice when it has one', async () => {
    const added = (await build('<p>x</p>', false, 'plain')).message;
    expect(added.html).toContain('<a href="https://links.example/u/UNSUB">Unsubscribe</a>');
    expect(added.text).toContain('Unsubscribe: https://links.example/u/UNSUB');
    const own = (await build('<p><a href="{{ unsubscribe_url }}">Leave</a></p>', false, 'Leave: {{ unsubscribe_url }}'))
      .message;
    expect(own.html.match(/\/u\/UNSUB/g)).toHaveLength(1);
    expect(own.text.match(/\/u\/UNSUB/g)).toHaveLength(1);
  });

  it('R-S3: the text part is the visible text: line ends kept, references decoded, style and script left out', async () => {
    const { message } = await build(
      '<html><head><title>T</title><style>p { color: red }</style></head><body>' +
        '<h1>News &amp; offers</h1><p>Hello&nbsp;<b>{{ firstName }}</b> &eacute;t&eacute; &lt;3</p>' +
        '<script>var x = "<p>";</script><ul><li>one</li><li>two</li></ul><p>a<br>b</p>\n\n\n\n<div>end</div></body></html>',
      false,
    );
    expect(message.text).toBe(
      'News & offers\nHello Ada été <3\none\ntwo\na\nb\n\nend\n\nUnsubscribe: https://links.example/u/UNSUB\n',
    );
  });

  it('R-S3: an unsubscribe URL only in a comment is not visible: the link is added; one as text or href counts', () => {
    const url = 'https://links.example/u/T?a=1&b=2';
    expect(readHtml(`<!-- ${url} --><p>x</p>`, url).hasUnsubscribe).toBe(false);
    expect(readHtml(`<p>Leave: ${url.replace('&', '&amp;')}</p>`, url).hasUnsubscribe).toBe(true);
    expect(readHtml(`<a href="${url.replace('&', '&amp;')}">Leave</a>`, url).hasUnsubscribe).toBe(true);
  });

  it('R-S4: the pixel and the unsubscribe link go before the first real </body>, not one inside a script', async () => {
    const { message } = await build('<body><script>"</body>"</script><p>x</p></ body ></html>', true);
    expect(message.html).toBe(
      '<body><script>"</body>"</script><p>x</p><p style="font-size:12px;color:#666">' +
        '<a href="https://links.example/u/UNSUB">Unsubscribe</a></p><img src="https://links.example/t/o/OPEN" ' +
        'width="1" height="1" alt="" style="display:block;border:0"></ body ></html>',
    );
  });

  describe('R-X6: hostile HTML', () => {
    const url = 'https://links.example/u/UNSUB';

    it('100 KB of `<a` is one unfinished tag: no text, and the unsubscribe link is added at the end', () => {
      const html = '<a'.repeat(50 * 1024);
      expect(readHtml(html, url)).toEqual({ text: '', hasUnsubscribe: false, bodyEnd: -1 });
      const message = composeMessage({ subject: 's', html, text: null }, urls(false), 'mail.example');
      expect(message.html.startsWith(html)).toBe(true);
      expect(message.html.slice(html.length)).toContain(`<a href="${url}">Unsubscribe</a>`);
    });

    it('1 MB of `<` is text, kept whole in the text part', () => {
      const html = '<'.repeat(1024 * 1024);
      expect(readHtml(html, url)).toEqual({ text: html, hasUnsubscribe: false, bodyEnd: -1 });
    });

    it('tags nested 100,000 deep give their text and find </body>', () => {
      const depth = 100_000;
      const html = `<body>${'<div><span>'.repeat(depth)}deep${'</span></div>'.repeat(depth)}</body>`;
      expect(readHtml(html, url)).toEqual({ text: 'deep', hasUnsubscribe: false, bodyEnd: html.length - 7 });
    });
  });

  it('R-S4: EEA contacts are tracked only with trackingConsent; the campaign switches apply to all', () => {
    expect(trackingAllowed({ opens: true, clicks: true }, { region: 'EEA', trackingConsent: false })).toEqual({
      opens: false,
      clicks: false,
    });
    expect(trackingAllowed({ opens: true, clicks: true }, { region: 'EEA', trackingConsent: true })).toEqual({
      opens: true,
      clicks: true,
    });
    expect(trackingAllowed({ opens: true, clicks: false }, { region: 'NA', trackingConsent: false })).toEqual({
      opens: true,
      clicks: false,
    });
  });
});

import { compileTemplates, isTemplateProblems, renderTemplates } from '../templates/liquid-templates';
import { planLinks } from './link-plan';
import { composeMessage, messageVariables, type MessageUrls } from './message-composition';
import { trackingAllowed } from './tracking-permission.rules';

const urls = (tracked: boolean): MessageUrls => ({
  unsubscribeUrl: 'https://links.example/u/UNSUB',
  unsubscribeMailbox: 'unsubscribe+UNSUB@links.example',
  pixelUrl: tracked ? 'https://links.example/t/o/OPEN' : null,
  clickUrl: tracked ? (i) => `https://links.example/t/c/CLICK${i}` : null,
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
    expect(a.messageId).toMatch(/^<[0-9a-f]{32}@mail\.example>$/);
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

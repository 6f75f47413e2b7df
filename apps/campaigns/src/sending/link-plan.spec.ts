import { MAX_TRACKED_LINKS, planLinks } from './link-plan';

describe('link plan (R-S4, R-K3, R-X6)', () => {
  it('R-S4: replaces only the href values and keeps every other byte of the template', () => {
    const html =
      '<p class="x">Hi {{ firstName }}</p>\n<a  class="btn" href = "https://shop.example/a?x=1&amp;y=2" >A</a>';
    expect(planLinks(html)).toEqual({
      html: '<p class="x">Hi {{ firstName }}</p>\n<a  class="btn" href = "{{ __link_0 }}" >A</a>',
      links: [{ index: 0, url: 'https://shop.example/a?x=1&y=2' }],
    });
  });

  it('R-S4: reads hrefs as a browser does: any case, unquoted, character references decoded', () => {
    const plan = planLinks(
      "<A HREF='&#104;ttps://d.example'>d</A> <a href=https://u.example/?a=1&amp;b=2 class=q>u</a>",
    );
    expect(plan.links).toEqual([
      { index: 0, url: 'https://d.example' },
      { index: 1, url: 'https://u.example/?a=1&b=2' },
    ]);
    expect(plan.html).toBe('<A HREF=\'{{ __link_0 }}\'>d</A> <a href="{{ __link_1 }}" class=q>u</a>');
  });

  it('R-S4: leaves links in comments and scripts, Liquid-built and non-http hrefs, and other tags alone', () => {
    const html =
      '<!-- <a href="https://c.example">c</a> --><script>var s = \'<a href="https://s.example">\';</script>' +
      '<a href="https://v.example/{{ id }}">v</a><a href="mailto:x@example.com">m</a><link href="https://l.example">';
    expect(planLinks(html)).toEqual({ html, links: [] });
  });

  it(`R-K3: tracks at most ${MAX_TRACKED_LINKS} links`, () => {
    const plan = planLinks('<a href="https://x.example/">x</a>'.repeat(MAX_TRACKED_LINKS + 5));
    expect(plan.links).toHaveLength(MAX_TRACKED_LINKS);
    expect(plan.html.split('{{ __link_').length - 1).toBe(MAX_TRACKED_LINKS);
    expect(plan.html.split('https://x.example/').length - 1).toBe(5);
  });

  describe('R-X6: hostile HTML', () => {
    it('100 KB of `<a` is one unfinished tag: no link, the HTML unchanged', () => {
      const html = '<a'.repeat(50 * 1024);
      expect(planLinks(html)).toEqual({ html, links: [] });
    });

    it('1 MB of `<` is text: no link, the HTML unchanged', () => {
      const html = '<'.repeat(1024 * 1024);
      expect(planLinks(html)).toEqual({ html, links: [] });
    });

    it('a link inside tags nested 100,000 deep is planned', () => {
      const depth = 100_000;
      const html = `${'<div>'.repeat(depth)}<a href="https://deep.example">x</a>${'</div>'.repeat(depth)}`;
      const plan = planLinks(html);
      expect(plan.links).toEqual([{ index: 0, url: 'https://deep.example' }]);
      expect(plan.html).toBe(`${'<div>'.repeat(depth)}<a href="{{ __link_0 }}">x</a>${'</div>'.repeat(depth)}`);
    });

    it('100,000 attributes on one tag: the href among them is planned', () => {
      const html = `<a ${'data-x=1 '.repeat(100_000)}href="https://many.example">x</a>`;
      expect(planLinks(html).links).toEqual([{ index: 0, url: 'https://many.example' }]);
    });
  });
});

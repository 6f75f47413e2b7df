import {
  compileTemplates,
  dryRender,
  isTemplateProblems,
  RenderBudgetExceeded,
  renderTemplates,
  type CampaignTemplates,
} from './liquid-templates';

function compiled(source: { subject: string; html: string; text?: string }): CampaignTemplates {
  const result = compileTemplates(source);
  if (isTemplateProblems(result)) throw new Error(JSON.stringify(result));
  return result;
}

describe('campaign templates (R-S1, Liquid, sandboxed)', () => {
  it('R-S1: renders contact fields and attributes; a missing variable renders empty', async () => {
    const t = compiled({
      subject: 'Hi {{ firstName }}',
      html: '<p>{{ attributes.plan }}|{{ nope }}|</p>',
      text: 'Plan {{ attributes.plan }}',
    });
    expect(await renderTemplates(t, { firstName: 'Ada', attributes: { plan: 'gold' } })).toEqual({
      subject: 'Hi Ada',
      html: '<p>gold||</p>',
      text: 'Plan gold',
    });
  });

  it('R-S1: a syntax error is reported with its part and line', () => {
    const result = compileTemplates({ subject: 'ok', html: '<p>\n{% if x %}\nunclosed' });
    expect(isTemplateProblems(result) && result).toEqual([
      { field: 'html', line: 2, reason: expect.stringMatching(/^Liquid syntax error on line 2: .*if/) },
    ]);
  });

  it('R-S1: variables are HTML-escaped in the HTML part, not in the text part', async () => {
    const t = compiled({ subject: '{{ n }}', html: '<b>{{ n }}</b>', text: '{{ n }}' });
    const out = await renderTemplates(t, { n: '<script>x</script>' });
    expect(out.html).toBe('<b>&lt;script&gt;x&lt;/script&gt;</b>');
    expect(out.text).toBe('<script>x</script>');
  });

  it('R-S1: no file includes: include and render tags cannot reach the file system', async () => {
    const t = compiled({ subject: 's', html: "{% include '/etc/passwd' %}" });
    await expect(renderTemplates(t, {})).rejects.toThrow(/Failed to lookup|not found|ENOENT/i);
  });

  it('R-S1: only own properties are visible (no prototype walking)', async () => {
    const t = compiled({ subject: '{{ x.constructor }}{{ x.__proto__ }}', html: '' });
    expect((await renderTemplates(t, { x: {} })).subject).toBe('');
  });

  it('R-S1: runaway templates are stopped by the render limits', async () => {
    const t = compiled({
      subject: 's',
      html: '{% for a in (1..100000) %}{% for b in (1..100000) %}x{% endfor %}{% endfor %}',
    });
    await expect(renderTemplates(t, {})).rejects.toThrow(RenderBudgetExceeded);
    await expect(renderTemplates(t, {})).rejects.toMatchObject({ field: 'html' });
  });

  it('R-X6: the budget is the message’s, shared by its parts: the part that runs out is named', async () => {
    // The subject alone spends the whole budget given (1 ms); the HTML part gets nothing left.
    const t = compiled({
      subject: '{% for a in (1..100000) %}{% for b in (1..100000) %}x{% endfor %}{% endfor %}',
      html: '<p>hi</p>',
    });
    await expect(renderTemplates(t, {}, 1)).rejects.toMatchObject({ field: 'subject' });
    expect((await renderTemplates(compiled({ subject: 's', html: '<p>hi</p>' }), {})).html).toBe('<p>hi</p>');
  });

  it('R-X6: the dry render at creation names the part that outruns the budget, and passes ordinary templates', async () => {
    const runaway = compiled({
      subject: 'Hi {{ firstName }}',
      html: '<p>ok</p>',
      text: '{% for a in (1..100000) %}{% for b in (1..100000) %}{{ firstName }}{% endfor %}{% endfor %}',
    });
    expect(await dryRender(runaway)).toEqual([{ field: 'text', line: null, reason: expect.stringMatching(/budget/) }]);
    const ordinary = compiled({
      subject: 'Hi {{ firstName }}',
      html: '{% for i in (1..50) %}<p>{{ firstName }} {{ attributes.plan }}</p>{% endfor %}',
    });
    expect(await dryRender(ordinary)).toEqual([]);
  });

  it('R-S3: a subject cannot smuggle header lines', async () => {
    const t = compiled({ subject: 'Hello {{ n }}', html: '' });
    expect((await renderTemplates(t, { n: 'x\r\nBcc: victim@example.com' })).subject).toBe(
      'Hello x Bcc: victim@example.com',
    );
  });
});

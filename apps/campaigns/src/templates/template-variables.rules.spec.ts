import { compileTemplates, isTemplateProblems, type CampaignTemplates } from './liquid-templates';
import { isKnownVariable, unknownVariables } from './template-variables.rules';

function compiled(source: { subject: string; html: string; text?: string }): CampaignTemplates {
  const result = compileTemplates(source);
  if (isTemplateProblems(result)) throw new Error(JSON.stringify(result));
  return result;
}

describe('template variables checked at creation (API.md POST /v1/campaigns)', () => {
  it('R-S1: contact fields, attributes.X, the unsubscribe URL and planned links are known', () => {
    const t = compiled({
      subject: 'Hi {{ firstName }} {{ lastName | default: email }}',
      html: '<a href="{{ __link_0 }}">{{ attributes.plan }}</a>{{ attributes["a b"] }}{{ unsubscribe_url }}',
      text: '{{ phone }} {{ locale }}',
    });
    expect(unknownVariables(t)).toEqual([]);
  });

  it("R-S1: names the template defines itself (assign, capture, for) are not the contact's", () => {
    const t = compiled({
      subject: '{% assign n = firstName | upcase %}{{ n }}',
      html: '{% capture c %}{{ email }}{% endcapture %}{{ c }}{% for i in (1..attributes.n) %}{{ i }}{{ forloop.index }}{% endfor %}',
    });
    expect(unknownVariables(t)).toEqual([]);
  });

  it('R-S1: an unknown variable is named with its part and line, once per part', () => {
    const t = compiled({
      subject: 'Hello {{ contact.firstName }}',
      html: '<p>\n{{ first_name }} {% if vip %}x{% endif %}{{ first_name }}</p>',
      text: '{{ attributes }}',
    });
    expect(unknownVariables(t)).toEqual([
      {
        field: 'subject',
        line: 1,
        reason: expect.stringMatching(/^unknown template variable "contact.firstName" on line 1/),
      },
      { field: 'html', line: 2, reason: expect.stringMatching(/"first_name"/) },
      { field: 'html', line: 2, reason: expect.stringMatching(/"vip"/) },
      { field: 'text', line: 1, reason: expect.stringMatching(/"attributes"/) },
    ]);
  });

  it('R-S1: a variable in a filter argument or a dynamic key is checked too', () => {
    const t = compiled({ subject: '{{ firstName | default: nickname }}', html: '{{ attributes[key] }}' });
    expect(unknownVariables(t).map((p) => [p.field, p.reason.match(/"([^"]+)"/)?.[1]])).toEqual([
      ['subject', 'nickname'],
      ['html', 'key'],
    ]);
  });

  it('R-S1: isKnownVariable needs an attribute name after attributes', () => {
    expect(isKnownVariable(['attributes', 'plan'])).toBe(true);
    expect(isKnownVariable(['attributes'])).toBe(false);
    expect(isKnownVariable(['firstName'])).toBe(true);
    expect(isKnownVariable(['region'])).toBe(false);
  });

  it('R-S1: partials are not looked up (the sandbox has none; the dry render refuses them)', () => {
    const t = compiled({ subject: 's', html: "{% include '/etc/passwd' %}{% render 'x', a: nick %}{{ firstName }}" });
    expect(unknownVariables(t).map((p) => p.reason.match(/"([^"]+)"/)?.[1])).toEqual(['nick']);
  });
});

import { walkHtml } from './html-tokens';

/**
 * The links of a campaign, fixed when the campaign is created: every static http(s) href of the HTML template gets
 * an index and is replaced by a variable, so each message can carry either a signed click URL or the plain URL
 * (R-S4), and the click redirect goes only to a URL stored here (R-K3). Hrefs built from Liquid variables stay as
 * they are and are not tracked (their URL is not known in advance).
 */
export interface CampaignLink {
  index: number;
  url: string;
}

export interface LinkPlan {
  html: string;
  links: CampaignLink[];
}

export const MAX_TRACKED_LINKS = 200;

/** What the old regex took as a static URL: http(s), no spaces or quotes; the test runs on one value, not the HTML. */
const STATIC_URL = /^https?:\/\/[^"'\s]+$/i;

export function linkVariable(index: number): string {
  return `__link_${index}`;
}

/** Each `<a href>` value, found by the HTML tokenizer (R-X6), replaced in place; the rest of the HTML is kept as is. */
export function planLinks(html: string): LinkPlan {
  const links: CampaignLink[] = [];
  const parts: string[] = [];
  let copied = 0;
  walkHtml(html, {
    openTag(name, attributes) {
      if (name !== 'a') return;
      const href = attributes.find((a) => a.name === 'href');
      if (!href || links.length >= MAX_TRACKED_LINKS) return;
      const url = href.value;
      if (!STATIC_URL.test(url) || url.includes('{{') || url.includes('{%')) return;
      const index = links.length;
      links.push({ index, url });
      const variable = `{{ ${linkVariable(index)} }}`;
      parts.push(html.slice(copied, href.valueStart), href.quoted ? variable : `"${variable}"`);
      copied = href.valueEnd;
    },
  });
  parts.push(html.slice(copied));
  return { html: parts.join(''), links };
}

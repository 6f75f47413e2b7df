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

const HREF = /(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?:\/\/[^"'\s]+)\2/gi;
export const MAX_TRACKED_LINKS = 200;

export function linkVariable(index: number): string {
  return `__link_${index}`;
}

function decodeEntities(url: string): string {
  return url.replace(/&amp;/g, '&');
}

export function planLinks(html: string): LinkPlan {
  const links: CampaignLink[] = [];
  const rewritten = html.replace(HREF, (match, prefix: string, quote: string, url: string) => {
    if (url.includes('{{') || url.includes('{%') || links.length >= MAX_TRACKED_LINKS) return match;
    const index = links.length;
    links.push({ index, url: decodeEntities(url) });
    return `${prefix}${quote}{{ ${linkVariable(index)} }}${quote}`;
  });
  return { html: rewritten, links };
}

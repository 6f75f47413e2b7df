import { feedbackMessageId } from '@missive/tokens';
import type { RenderedParts } from '../templates/liquid-templates';
import { walkHtml } from './html-tokens';
import { linkVariable, type CampaignLink } from './link-plan';

export interface MessageUrls {
  /** `${PUBLIC_BASE_URL}/u/{token}` */
  unsubscribeUrl: string;
  /** `unsubscribe+{token}@{domain}` */
  unsubscribeMailbox: string;
  /** `${PUBLIC_BASE_URL}/t/o/{token}`, or null where opens are not tracked (R-S4). */
  pixelUrl: string | null;
  /** Click URL per link index, or null where clicks are not tracked: the plain URL is used (R-S4). */
  clickUrl: ((index: number) => string) | null;
  /** The signed bounce link token (R-S8) the Message-ID carries, so a report quoting it names the campaign. */
  bounceToken: string;
  /** `bounce+{compact VERP token}@{BOUNCE_DOMAIN}`, the envelope sender (R-S8). */
  returnPath: string;
}

export interface ComposedMessage {
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  messageId: string;
  /** The envelope sender (MAIL FROM), where DSNs and complaints come back (R-S8). */
  returnPath: string;
}

/** The Liquid variables a message renders with: the contact's, plus its links and its unsubscribe URL. */
export function messageVariables(
  contact: Record<string, unknown>,
  links: CampaignLink[],
  urls: MessageUrls,
): Record<string, unknown> {
  const variables: Record<string, unknown> = { ...contact, unsubscribe_url: urls.unsubscribeUrl };
  for (const link of links) variables[linkVariable(link.index)] = urls.clickUrl ? urls.clickUrl(link.index) : link.url;
  return variables;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Elements whose text a reader never sees in the body. */
const HIDDEN_TEXT = new Set(['script', 'style', 'title']);
/** End tags (and `<br>`) that end a line of the text part. */
const LINE_ENDS = new Set(['br', 'p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li']);

export interface HtmlFacts {
  /** The visible text, a line break for `<br>` and the end of each block (the text part when the template has none). */
  text: string;
  /** Whether the unsubscribe URL is already a link's target or visible text. */
  hasUnsubscribe: boolean;
  /** Index of the first `</body>`'s `<`, or -1. */
  bodyEnd: number;
}

/** Reads a rendered HTML part once, with the tokenizer (R-X6): no regular expression runs over HTML. */
export function readHtml(html: string, unsubscribeUrl: string): HtmlFacts {
  const text: string[] = [];
  let hidden = '';
  let linksToUnsubscribe = false;
  let bodyEnd = -1;
  walkHtml(html, {
    openTag(name, attributes) {
      if (HIDDEN_TEXT.has(name)) hidden = name;
      else if (name === 'br') text.push('\n');
      if (
        (name === 'a' || name === 'area') &&
        attributes.some((a) => a.name === 'href' && a.value === unsubscribeUrl)
      ) {
        linksToUnsubscribe = true;
      }
    },
    closeTag(name, start) {
      if (name === hidden) hidden = '';
      else if (LINE_ENDS.has(name)) text.push('\n');
      if (name === 'body' && bodyEnd < 0) bodyEnd = start;
    },
    text(chunk) {
      if (!hidden) text.push(chunk);
    },
  });
  const visible = text.join('').replaceAll('\u00A0', ' ');
  return {
    text: visible.replace(/\n{3,}/g, '\n\n').trim(),
    hasUnsubscribe: linksToUnsubscribe || visible.includes(unsubscribeUrl),
    bodyEnd,
  };
}

/**
 * Finishes a rendered message (R-S3): a unique Message-ID carrying the bounce token (R-S8), `List-Unsubscribe` with
 * the https and mailto forms, `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058), a visible unsubscribe
 * link in HTML and text when the template has none, and the open pixel only where opens are tracked (R-S4).
 */
export function composeMessage(rendered: RenderedParts, urls: MessageUrls, messageDomain: string): ComposedMessage {
  const facts = readHtml(rendered.html, urls.unsubscribeUrl);
  let text = rendered.text ?? facts.text;
  const before: string[] = [];
  if (!facts.hasUnsubscribe) {
    before.push(
      `<p style="font-size:12px;color:#666"><a href="${escapeHtml(urls.unsubscribeUrl)}">Unsubscribe</a></p>`,
    );
  }
  if (!text.includes(urls.unsubscribeUrl)) text = `${text}\n\nUnsubscribe: ${urls.unsubscribeUrl}\n`;
  if (urls.pixelUrl) {
    before.push(`<img src="${escapeHtml(urls.pixelUrl)}" width="1" height="1" alt="" style="display:block;border:0">`);
  }
  const end = facts.bodyEnd >= 0 ? facts.bodyEnd : rendered.html.length;
  const html = `${rendered.html.slice(0, end)}${before.join('')}${rendered.html.slice(end)}`;
  return {
    subject: rendered.subject,
    html,
    text,
    messageId: feedbackMessageId(urls.bounceToken, messageDomain),
    returnPath: urls.returnPath,
    headers: {
      'List-Unsubscribe': `<${urls.unsubscribeUrl}>, <mailto:${urls.unsubscribeMailbox}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}

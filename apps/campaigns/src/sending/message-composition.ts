import { randomBytes } from 'node:crypto';
import type { RenderedParts } from '../templates/liquid-templates';
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
}

export interface ComposedMessage {
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  messageId: string;
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

function htmlToText(html: string): string {
  return html
    .replace(/<(br|\/p|\/div|\/h\d|\/li)\s*\/?>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function insertBeforeBodyEnd(html: string, fragment: string): string {
  const end = html.search(/<\/body\s*>/i);
  return end >= 0 ? `${html.slice(0, end)}${fragment}${html.slice(end)}` : `${html}${fragment}`;
}

/**
 * Finishes a rendered message (R-S3): a unique Message-ID, `List-Unsubscribe` with the https and mailto forms,
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058), a visible unsubscribe link in HTML and text when
 * the template has none, and the open pixel only where opens are tracked (R-S4).
 */
export function composeMessage(rendered: RenderedParts, urls: MessageUrls, messageDomain: string): ComposedMessage {
  let html = rendered.html;
  let text = rendered.text ?? htmlToText(rendered.html);
  const escapedUrl = escapeHtml(urls.unsubscribeUrl);
  if (!html.includes(escapedUrl) && !html.includes(urls.unsubscribeUrl)) {
    html = insertBeforeBodyEnd(
      html,
      `<p style="font-size:12px;color:#666"><a href="${escapedUrl}">Unsubscribe</a></p>`,
    );
  }
  if (!text.includes(urls.unsubscribeUrl)) text = `${text}\n\nUnsubscribe: ${urls.unsubscribeUrl}\n`;
  if (urls.pixelUrl) {
    html = insertBeforeBodyEnd(
      html,
      `<img src="${escapeHtml(urls.pixelUrl)}" width="1" height="1" alt="" style="display:block;border:0">`,
    );
  }
  const messageId = `<${randomBytes(16).toString('hex')}@${messageDomain}>`;
  return {
    subject: rendered.subject,
    html,
    text,
    messageId,
    headers: {
      'List-Unsubscribe': `<${urls.unsubscribeUrl}>, <mailto:${urls.unsubscribeMailbox}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}

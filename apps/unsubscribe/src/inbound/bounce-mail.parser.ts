import { simpleParser, type SimpleParserOptions } from 'mailparser';
import { readReport, type FeedbackReport, type ReportPart } from './bounce-mail.rules';

/**
 * mailparser as a report reader: no HTML-to-text or link work (nothing is shown to anyone), and the
 * `message/delivery-status` part kept apart instead of being merged into the text body (`keepDeliveryStatus`, an
 * option its type definitions do not list).
 */
const PARSER_OPTIONS: SimpleParserOptions & { keepDeliveryStatus: boolean } = {
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  keepDeliveryStatus: true,
};

/**
 * R-S8: reads a DSN (RFC 3464) or an ARF report (RFC 5965) out of a whole message with mailparser, or null for
 * anything else. The message is only read here, in memory: nothing of it is kept or logged.
 */
export async function readFeedback(message: Buffer, now: Date): Promise<FeedbackReport | null> {
  const mail = await simpleParser(message, PARSER_OPTIONS);
  const contentType = mail.headers.get('content-type') as
    | { value?: string; params?: Record<string, string> }
    | undefined;
  if (contentType?.value?.toLowerCase() !== 'multipart/report') return null;
  const parts: ReportPart[] = mail.attachments.map((a) => ({
    contentType: a.contentType.toLowerCase(),
    text: a.content.toString('utf8'),
  }));
  return readReport(contentType.params?.['report-type'] ?? null, parts, now);
}

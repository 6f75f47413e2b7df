import { randomBytes } from 'node:crypto';
import { domainToASCII } from 'node:url';
import * as mimeFuncs from 'nodemailer/lib/mime-funcs';
import { encode as quotedPrintable, wrap as wrapQuotedPrintable } from 'nodemailer/lib/qp';
import type { ComposedMessage } from './message-composition';

/**
 * What every message of a campaign shares, built once per campaign: the From header and the multipart boundary.
 * The boundary holds `=_`, which quoted-printable output never contains, and 96 random bits, so no template or
 * contact field can end a part early.
 */
export interface MimeSkeleton {
  fromHeader: string;
  boundary: string;
}

/** Longest line RFC 5322 §2.1.1 allows: 998 characters before CRLF. */
const MAX_LINE = 998;
/** Printable US-ASCII and space: a header value made of these is written as it is. */
const PLAIN_HEADER = /^[\x20-\x7e]*$/;
/** US-ASCII text a 7bit body may carry: printable characters, tab and line breaks. */
const PLAIN_BODY = /^[\x20-\x7e\t\r\n]*$/;
/** Characters that force a display name into a quoted string (RFC 5322 specials). */
const SPECIALS = /[()<>[\]:;@\\,."]/;

/**
 * An unstructured header value (RFC 5322) as written: plain ASCII as it is, anything else as RFC 2047 words. Text
 * that looks like an encoded word (`=?utf-8?Q?…?=`) is encoded too, or the reader's client would decode it.
 */
function headerValue(value: string): string {
  return PLAIN_HEADER.test(value) && !value.includes('=?') && !hasLongerRun(value, ' ', MAX_LINE - 100)
    ? value
    : mimeFuncs.encodeWord(value, 'Q', 52);
}

/** Whether `text` has a stretch longer than `limit` between two `separator`s (a plain scan: no regex backtracking). */
function hasLongerRun(text: string, separator: string, limit: number): boolean {
  if (text.length <= limit) return false;
  let start = 0;
  for (;;) {
    const end = text.indexOf(separator, start);
    if ((end < 0 ? text.length : end) - start > limit) return true;
    if (end < 0) return false;
    start = end + separator.length;
  }
}

/** One header line, folded at white space to 76 characters where it can be (RFC 5322 §2.2.3). */
function header(name: string, value: string): string {
  return `${mimeFuncs.foldLines(`${name}: ${value}`, 76)}\r\n`;
}

/** Anything an address may not carry into a header: white space, control characters, angle brackets, quotes. */
const NOT_IN_ADDRESS = /[^\x21-\x7e\u0080-\uffff]|[<>"]/;

/** An address as it goes into a header: an internationalised domain in its ASCII form; never a line break. */
function address(email: string): string {
  if (NOT_IN_ADDRESS.test(email) || !email.includes('@')) throw new Error('the address cannot be written in a header');
  const at = email.lastIndexOf('@');
  const domain = email.slice(at + 1);
  return PLAIN_HEADER.test(domain) ? email : `${email.slice(0, at + 1)}${domainToASCII(domain) || domain}`;
}

function displayName(name: string): string {
  if (!PLAIN_HEADER.test(name)) return mimeFuncs.encodeWord(name, 'Q', 52);
  return SPECIALS.test(name) ? `"${name.replace(/[\\"]/g, '\\$&')}"` : name;
}

export function mimeSkeleton(from: { email: string; name: string | null }): MimeSkeleton {
  const mailbox = address(from.email);
  const value = from.name ? `${displayName(from.name)} <${mailbox}>` : mailbox;
  return { fromHeader: header('From', value), boundary: `----=_Missive_${randomBytes(12).toString('hex')}` };
}

/** A body part: 7bit where the text allows it (the common case, no encoding work), quoted-printable otherwise. */
function part(contentType: string, content: string, boundary: string): string {
  const text = content.replace(/\r\n|\r|\n/g, '\r\n');
  const plain = PLAIN_BODY.test(text) && !hasLongerRun(text, '\r\n', MAX_LINE) && !text.includes(boundary);
  const body = plain ? text : wrapQuotedPrintable(quotedPrintable(text), 76);
  return (
    `--${boundary}\r\nContent-Type: ${contentType}; charset=utf-8\r\n` +
    `Content-Transfer-Encoding: ${plain ? '7bit' : 'quoted-printable'}\r\n\r\n${body}\r\n`
  );
}

/**
 * The message as the relay receives it (RFC 5322 + MIME): the headers of R-S3 (Message-ID, List-Unsubscribe,
 * List-Unsubscribe-Post) and a multipart/alternative text + HTML body. Built directly instead of through nodemailer's
 * MIME tree, which cost about as much CPU per message as the whole SMTP dialogue (docs/benchmarks.md). DKIM, when
 * configured, is still applied by the transport to these bytes.
 */
export function buildMimeMessage(skeleton: MimeSkeleton, to: string, message: ComposedMessage, date: Date): string {
  let head =
    skeleton.fromHeader +
    header('To', address(to)) +
    header('Subject', headerValue(message.subject)) +
    header('Message-ID', message.messageId) +
    header('Date', date.toUTCString().replace('GMT', '+0000')) +
    'MIME-Version: 1.0\r\n';
  for (const [name, value] of Object.entries(message.headers)) head += header(name, headerValue(value));
  head += `Content-Type: multipart/alternative;\r\n boundary="${skeleton.boundary}"\r\n\r\n`;
  return (
    head +
    part('text/plain', message.text, skeleton.boundary) +
    part('text/html', message.html, skeleton.boundary) +
    `--${skeleton.boundary}--\r\n`
  );
}

import type { Transform } from 'node:stream';
import libmime from 'libmime';
import { Splitter, type SplitterChunk, type SplitterNode } from 'mailsplit';
import { readReport, REPORT_PART_TYPES, type FeedbackReport, type ReportPart } from './bounce-mail.rules';

/** Bytes kept of one report part: a returned message is read for its header block only (bounce-mail.rules.ts). */
const PART_MAX_BYTES = 64 * 1024;

/** One kept part, decoded (Content-Transfer-Encoding undone) as the splitter streams its body. */
class KeptPart {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  readonly decoded: Promise<void>;

  constructor(
    readonly contentType: string,
    private readonly decoder: Transform,
  ) {
    decoder.on('data', (chunk: Buffer) => {
      if (this.size >= PART_MAX_BYTES) return;
      this.chunks.push(chunk);
      this.size += chunk.length;
    });
    this.decoded = new Promise((resolve, reject) => {
      decoder.on('end', resolve);
      decoder.on('error', reject);
    });
  }

  write(chunk: Buffer): void {
    if (this.size < PART_MAX_BYTES) this.decoder.write(chunk);
  }

  end(): void {
    this.decoder.end();
  }

  part(): ReportPart {
    return { contentType: this.contentType, text: Buffer.concat(this.chunks, this.size).toString('utf8') };
  }
}

/**
 * R-S8: reads a DSN (RFC 3464) or an ARF report (RFC 5965) out of a whole message, or null for anything else. The
 * message is split into its MIME parts by mailsplit (the splitter mailparser is built on): only the root's
 * Content-Type and the parts a report reader needs (the delivery-status or feedback-report part, the returned
 * message or headers) are decoded; the other parts and every other header are skipped, not parsed. An embedded
 * message is one part, not parsed further. The message is only read here, in memory: nothing of it is kept or logged.
 */
export function readFeedback(message: Buffer, now: Date): Promise<FeedbackReport | null> {
  return new Promise((resolve, reject) => {
    const splitter = new Splitter({ ignoreEmbedded: true });
    let report = false;
    let reportType: string | null = null;
    const kept: KeptPart[] = [];
    let current: KeptPart | null = null;
    splitter.on('data', (data: SplitterNode | SplitterChunk) => {
      if (data.type === 'node') {
        current?.end();
        current = null;
        if (data.root) {
          report = data.contentType === 'multipart/report';
          if (report) {
            const params = libmime.parseHeaderValue(data.headers.getFirst('content-type')).params;
            reportType = params['report-type'] ?? null;
          }
        } else if (report && data.contentType && REPORT_PART_TYPES.has(data.contentType)) {
          current = new KeptPart(data.contentType, data.getDecoder());
          kept.push(current);
        }
      } else if (data.type === 'body') {
        current?.write(data.value);
      }
    });
    splitter.on('end', () => {
      current?.end();
      if (!report) return resolve(null);
      Promise.all(kept.map((p) => p.decoded)).then(
        () =>
          resolve(
            readReport(
              reportType,
              kept.map((p) => p.part()),
              now,
            ),
          ),
        reject,
      );
    });
    splitter.on('error', reject);
    splitter.end(message);
  });
}

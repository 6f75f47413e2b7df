import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SunkMessage {
  id: string;
  receivedAt: string;
  from: string | null;
  to: string[];
  /** The message exactly as received (headers and body). */
  raw: string;
}

export interface DevMailSinkOptions {
  port: number;
  host?: string;
  /** How many messages to keep; older ones are dropped (the sink is for a person to look at, not a store). */
  keep?: number;
  /**
   * Answer RCPT for these addresses with this SMTP reply, to rehearse relay failures in tests
   * (e.g. `{ 'bounce@example.com': 550 }`, `{ 'later@example.com': 451 }`).
   */
  rejectRecipients?: Map<string, number>;
  /** Wait this long before answering each message (a slow relay, for tests of work in flight). */
  answerDelayMs?: number;
}

/**
 * A local SMTP server that accepts everything and keeps it in memory: the relay `npm start` uses when SMTP_URL is
 * unset, and the real SMTP peer of the tests (no mocks). Development only: it holds whole messages.
 */
export class DevMailSink {
  private readonly messages: SunkMessage[] = [];
  private server: SMTPServer | null = null;
  private received = 0;
  private boundPort: number | null = null;
  readonly rejectRecipients: Map<string, number>;

  constructor(private readonly options: DevMailSinkOptions) {
    this.rejectRecipients = options.rejectRecipients ?? new Map();
  }

  /** The port it listens on (the one the OS chose when started with port 0). */
  get port(): number {
    return this.boundPort ?? this.options.port;
  }

  /** Count of every message accepted since start, including those no longer kept. */
  get total(): number {
    return this.received;
  }

  start(): Promise<void> {
    const keep = this.options.keep ?? 1000;
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      size: 20 * 1024 * 1024,
      onRcptTo: (address, _session, callback) => {
        const code = this.rejectRecipients.get(address.address.toLowerCase());
        if (!code) return callback();
        const error = new Error(code >= 500 ? 'mailbox unavailable' : 'try again later') as Error & {
          responseCode: number;
        };
        error.responseCode = code;
        callback(error);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          this.received += 1;
          const from = session.envelope.mailFrom;
          this.messages.push({
            id: randomUUID(),
            receivedAt: new Date().toISOString(),
            from: from ? from.address : null,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          if (this.messages.length > keep) this.messages.splice(0, this.messages.length - keep);
          if (this.options.answerDelayMs) setTimeout(() => callback(), this.options.answerDelayMs);
          else callback();
        });
      },
    });
    const server = this.server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host ?? '127.0.0.1', () => {
        this.boundPort = (server.server.address() as AddressInfo).port;
        server.off('error', reject);
        server.on('error', () => undefined);
        resolve();
      });
    });
  }

  list(): SunkMessage[] {
    return [...this.messages];
  }

  get(id: string): SunkMessage | undefined {
    return this.messages.find((m) => m.id === id);
  }

  clear(): void {
    this.messages.length = 0;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

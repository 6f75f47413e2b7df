import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/** The local part `unsubscribe+{token}` (R-U3); the domain is whatever the MX routed to us. */
const RECIPIENT = /^unsubscribe\+([A-Za-z0-9_-]{16,200})@[^@\s]+$/;

export function tokenFromRecipient(address: string): string | null {
  return RECIPIENT.exec(address.trim())?.[1] ?? null;
}

export interface InboundUnsubscribeOptions<TClaims> {
  port: number;
  host?: string;
  /** Verifies a token; null refuses the recipient at RCPT. */
  verify: (token: string) => TClaims | null;
  /** Stores the opt-out durably; the SMTP answer (250) waits for it. */
  optOut: (claims: TClaims) => Promise<void>;
}

/**
 * The inbound SMTP listener for `unsubscribe+{token}@…` (R-U3). Recipients that are not a valid unsubscribe token
 * are refused at RCPT; the message body is read and thrown away, and neither it nor the sender is stored or
 * logged — only the token's opt-out is kept, and the 250 comes after it is stored.
 */
export class InboundUnsubscribeListener<TClaims> {
  private server: SMTPServer | null = null;

  constructor(private readonly options: InboundUnsubscribeOptions<TClaims>) {}

  async start(): Promise<number> {
    const accepted = new WeakMap<object, TClaims[]>();
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH'],
      logger: false,
      size: 1024 * 1024,
      onRcptTo: (address: SMTPServerAddress, session, callback) => {
        const token = tokenFromRecipient(address.address);
        const claims = token ? this.options.verify(token) : null;
        if (!claims) {
          const refusal = new Error('no such mailbox') as Error & { responseCode: number };
          refusal.responseCode = 550;
          return callback(refusal);
        }
        accepted.set(session, [...(accepted.get(session) ?? []), claims]);
        callback();
      },
      onData: (stream, session, callback) => {
        stream.on('data', () => undefined);
        stream.on('end', () => {
          const claims = accepted.get(session) ?? [];
          accepted.delete(session);
          Promise.all(claims.map((c) => this.options.optOut(c))).then(
            () => callback(),
            () => {
              const failure = new Error('try again later') as Error & { responseCode: number };
              failure.responseCode = 451;
              callback(failure);
            },
          );
        });
      },
    });
    const server = this.server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        server.on('error', () => undefined);
        resolve((server.server.address() as AddressInfo).port);
      });
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

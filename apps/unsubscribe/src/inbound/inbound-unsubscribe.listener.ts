import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { BounceRecipients, MessageBytes, type InboundBounceMailbox } from './bounce-mail.mailbox';
import { ConnectionRate } from './connection-rate';

/** The local part `unsubscribe+{token}` (R-U3); the domain is whatever the MX routed to us. */
const RECIPIENT = /^unsubscribe\+([A-Za-z0-9_-]{16,200})@[^@\s]+$/;

export function tokenFromRecipient(address: string): string | null {
  return RECIPIENT.exec(address.trim())?.[1] ?? null;
}

/**
 * What one client may hold (R-X6). A genuine unsubscribe mail has one recipient and a few KB; anyone can find a
 * valid token in a message's headers, so these bound what that token can be used for.
 */
export interface InboundLimits {
  /** Connections at once; the next one is answered 421 and closed. */
  maxClients: number;
  /** Distinct recipients a message; a repeated one counts once, the next new one gets 452 (RFC 5321 4.5.3.1.10). */
  maxRecipients: number;
  /** Bytes a message; a larger one is answered 552 and changes nothing. */
  maxMessageBytes: number;
  /** A connection idle this long is closed. */
  socketTimeoutMs: number;
  /** Connections one client address may open a minute; past it, 421 and closed. */
  connectionsPerIpPerMinute: number;
}

export const INBOUND_LIMITS: Readonly<InboundLimits> = {
  maxClients: 100,
  maxRecipients: 10,
  maxMessageBytes: 1024 * 1024,
  socketTimeoutMs: 30_000,
  connectionsPerIpPerMinute: 60,
};

export interface InboundUnsubscribeOptions<TClaims> {
  port: number;
  host?: string;
  /** Verifies a token; null refuses the recipient at RCPT. */
  verify: (token: string) => TClaims | null;
  /** Stores the opt-out durably; the SMTP answer (250) waits for it. */
  optOut: (claims: TClaims) => Promise<void>;
  /** The VERP mailbox `bounce+{token}@…` of every message, for DSNs and ARF reports (R-S8). */
  bounce?: InboundBounceMailbox<unknown>;
  limits?: Partial<InboundLimits>;
}

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

/**
 * The inbound SMTP listener for `unsubscribe+{token}@…` (R-U3). Recipients that are not a valid unsubscribe token
 * are refused at RCPT; the message body is read and thrown away, and neither it nor the sender is stored or
 * logged — only the token's opt-out is kept, and the 250 comes after it is stored. With `bounce`, it is also the
 * mailbox `bounce+{token}@…` (R-S8): that message is read in memory by the mailbox, and its 250 waits for its outcome.
 */
export class InboundUnsubscribeListener<TClaims> {
  private server: SMTPServer | null = null;

  constructor(private readonly options: InboundUnsubscribeOptions<TClaims>) {}

  async start(): Promise<number> {
    const limits = { ...INBOUND_LIMITS, ...this.options.limits };
    // The message's recipients by token, filled in place: a repeated token is one recipient.
    const accepted = new WeakMap<object, Map<string, TClaims>>();
    const rate = new ConnectionRate(limits.connectionsPerIpPerMinute, 60_000);
    const bounces = this.options.bounce ? new BounceRecipients(this.options.bounce, limits.maxRecipients) : null;
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH'],
      // The client's host name is never used: no reverse DNS query holds each connection's greeting back.
      disableReverseLookup: true,
      logger: false,
      size: limits.maxMessageBytes,
      maxClients: limits.maxClients,
      socketTimeout: limits.socketTimeoutMs,
      onConnect: (session, callback) => {
        if (rate.admit(session.remoteAddress)) return callback();
        callback(smtpError(421, '4.7.0 Too many connections from your address, try again later'));
      },
      onMailFrom: (_address, session, callback) => {
        accepted.delete(session); // a new transaction starts with no recipients
        bounces?.reset(session);
        callback();
      },
      onRcptTo: (address: SMTPServerAddress, session, rcptCallback) => {
        // Answered on the next turn of the event loop: smtp-server reads a pipelined batch of commands one after
        // the other as long as each is answered at once, so thousands of RCPTs in one write would run as one block.
        const callback = (err?: Error) => void setImmediate(rcptCallback, err);
        if (bounces?.owns(address.address)) return callback(bounces.add(session, address.address));
        const token = tokenFromRecipient(address.address);
        const recipients = accepted.get(session) ?? new Map<string, TClaims>();
        if (token !== null && recipients.has(token)) return callback();
        if (recipients.size >= limits.maxRecipients) {
          return callback(smtpError(452, `4.5.3 Too many recipients: at most ${limits.maxRecipients} a message`));
        }
        const claims = token ? this.options.verify(token) : null;
        if (!claims) return callback(smtpError(550, 'no such mailbox'));
        recipients.set(token!, claims);
        accepted.set(session, recipients);
        callback();
      },
      onData: (stream, session, callback) => {
        const bounced = bounces?.take(session) ?? null;
        const message = bounced ? new MessageBytes(limits.maxMessageBytes) : null;
        stream.on('data', (chunk: Buffer) => message?.push(chunk));
        stream.on('end', () => {
          const claims = [...(accepted.get(session)?.values() ?? [])];
          accepted.delete(session);
          if ((stream as { sizeExceeded?: boolean }).sizeExceeded) {
            return callback(smtpError(552, `5.3.4 Message too big: at most ${limits.maxMessageBytes} bytes`));
          }
          Promise.all([
            ...claims.map((c) => this.options.optOut(c)),
            ...(bounced ? [bounces!.receive(bounced, message!.bytes())] : []),
          ]).then(
            () => callback(),
            () => callback(smtpError(451, 'try again later')),
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

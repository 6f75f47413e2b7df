import { tokenFromBounceAddress } from '@missive/tokens';

/** What the inbound listener needs of the VERP mailbox `bounce+{token}@…` (R-S8): bounce-mail.service.ts. */
export interface InboundBounceMailbox<TClaims> {
  /** A token's claims, or null: the recipient is refused at RCPT with a 5xx, never silently dropped. */
  verify(token: string): TClaims | null;
  /** Takes the whole message for these recipients; resolves once its outcome is durable (then the 250). */
  receive(recipients: TClaims[], message: Buffer): Promise<void>;
}

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

/**
 * The bounce recipients of each SMTP transaction, kept apart from the unsubscribe ones: verified at RCPT (a
 * repeated token counts once), handed with the message's bytes to the mailbox after DATA.
 */
export class BounceRecipients<TClaims> {
  private readonly bySession = new WeakMap<object, Map<string, TClaims>>();

  constructor(
    private readonly mailbox: InboundBounceMailbox<TClaims>,
    private readonly maxRecipients: number,
  ) {}

  /** Whether the address is a bounce mailbox at all (then `add` answers for it). */
  owns(address: string): boolean {
    return tokenFromBounceAddress(address) !== null;
  }

  /** A new transaction (MAIL FROM) starts with no recipients. */
  reset(session: object): void {
    this.bySession.delete(session);
  }

  /** RCPT TO: undefined when accepted, else the SMTP error to answer (550 bad token, 452 too many recipients). */
  add(session: object, address: string): Error | undefined {
    const token = tokenFromBounceAddress(address);
    const recipients = this.bySession.get(session) ?? new Map<string, TClaims>();
    if (token !== null && recipients.has(token)) return undefined;
    if (recipients.size >= this.maxRecipients) {
      return smtpError(452, `4.5.3 Too many recipients: at most ${this.maxRecipients} a message`);
    }
    const claims = token === null ? null : this.mailbox.verify(token);
    if (claims === null) return smtpError(550, '5.1.1 no such mailbox');
    recipients.set(token!, claims);
    this.bySession.set(session, recipients);
    return undefined;
  }

  /** The transaction's recipients, forgotten for the next one; null when it has none. */
  take(session: object): TClaims[] | null {
    const recipients = this.bySession.get(session);
    this.bySession.delete(session);
    return recipients && recipients.size > 0 ? [...recipients.values()] : null;
  }

  receive(recipients: TClaims[], message: Buffer): Promise<void> {
    return this.mailbox.receive(recipients, message);
  }
}

/** A message's bytes as DATA streams them, kept only up to the listener's size limit (past it the answer is 552). */
export class MessageBytes {
  private readonly chunks: Buffer[] = [];
  private length = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    if (this.length > this.limit) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

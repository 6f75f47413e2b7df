import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One scripted SMTP reply, as the relay would send it: `535 5.7.8 Authentication credentials invalid`. */
export type Reply = string;

/**
 * What the relay answers at each stage of the dialogue; an unset stage accepts. Mutable while the relay runs, so a
 * test can refuse first and accept after (a resume, a retry).
 */
export interface RelayScript {
  auth?: Reply;
  mailFrom?: Reply;
  /** The reply to one recipient's RCPT, given how many times it was asked before (0 the first time). */
  rcpt?: (address: string, asked: number) => Reply | undefined;
  data?: Reply;
}

export interface RelayedMessage {
  /** When the relay took it (ms since epoch). */
  at: number;
  from: string | null;
  to: string[];
  raw: string;
}

function refusal(reply: Reply): Error & { responseCode: number } {
  const match = /^(\d{3}) (.*)$/.exec(reply);
  if (!match) throw new Error(`not an SMTP reply: ${reply}`);
  return Object.assign(new Error(match[2]), { responseCode: Number(match[1]) });
}

/**
 * A real SMTP server (smtp-server, no mocks) that refuses per stage as scripted: AUTH, MAIL FROM, RCPT, DATA. It
 * offers AUTH without TLS (a test relay on 127.0.0.1) and takes mail with or without a login.
 */
export class ScriptedRelay {
  script: RelayScript = {};
  readonly received: RelayedMessage[] = [];
  /** How many times each recipient was asked for at RCPT. */
  readonly rcptAsked = new Map<string, number>();
  /** Every RCPT in order, with the refusal given (null: accepted). */
  readonly rcptLog: { address: string; at: number; reply: Reply | null }[] = [];
  private server: SMTPServer | null = null;
  private boundPort = 0;

  get port(): number {
    return this.boundPort;
  }

  /** The SMTP_URL of this relay, with a login when `user` is given. */
  url(user?: string): string {
    return user ? `smtp://${user}:secret@127.0.0.1:${this.port}` : `smtp://127.0.0.1:${this.port}`;
  }

  to(address: string): RelayedMessage[] {
    return this.received.filter((m) => m.to.includes(address));
  }

  start(port = 0): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth: (auth, _session, callback) => {
        if (this.script.auth) return callback(refusal(this.script.auth));
        callback(null, { user: auth.username });
      },
      onMailFrom: (_address, _session, callback) => {
        if (this.script.mailFrom) return callback(refusal(this.script.mailFrom));
        callback();
      },
      onRcptTo: (address, _session, callback) => {
        const key = address.address.toLowerCase();
        const asked = this.rcptAsked.get(key) ?? 0;
        this.rcptAsked.set(key, asked + 1);
        const reply = this.script.rcpt?.(key, asked);
        this.rcptLog.push({ address: key, at: Date.now(), reply: reply ?? null });
        if (reply) return callback(refusal(reply));
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (this.script.data) return callback(refusal(this.script.data));
          const from = session.envelope.mailFrom;
          this.received.push({
            at: Date.now(),
            from: from ? from.address : null,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.boundPort = (server.server.address() as AddressInfo).port;
        server.off('error', reject);
        server.on('error', () => undefined);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

import { connect, type Socket } from 'node:net';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { MissiveConfig } from '@missive/config';
import type { Region } from '@missive/contracts';
import { Slots } from './slots';
import { classifySmtpFailure, type SmtpFailure, type SmtpFailureFacts, type SmtpStage } from './smtp-outcome.rules';

/**
 * Messages between their send gate and the relay at once, per pool connection (SMTP_MAX_CONNECTIONS, default 40):
 * two, so that a connection done with one message finds the next one gated and rendered (1.5 measured 1,274 msg/s,
 * 2 1,366, 20,000-recipient runs). The gate runs once a turn is taken (R-S2): however many messages are claimed, one
 * waits at most about one SMTP transaction between its gate and the relay, so an opt-out answered before that
 * reaches it.
 */
export const TURNS_PER_CONNECTION = 2;

/** The relay's answer to one message: accepted, or a failure classified by stage and status (R-S5). */
export type SmtpOutcome = { kind: 'accepted'; response: string } | SmtpFailure;

/** Marks an error raised before any byte reached the relay: the message certainly did not go. */
const NOT_CONNECTED = Symbol('missive.smtpNotConnected');

/**
 * Opens the pool's connections with Nagle's algorithm off. SMTP is a dialogue of small writes (MAIL, RCPT, DATA, the
 * message, the dot); with Nagle on, each message waits out the peer's delayed ACK (~40 ms), and one connection
 * carries about 20 messages a second whatever the relay's speed. nodemailer takes an opened socket as `connection`
 * and still runs STARTTLS or implicit TLS over it.
 */
export function noDelaySocket(
  options: { host?: string; port?: number; connectionTimeout?: number },
  callback: (error: Error | null, socket?: { connection: Socket }) => void,
): void {
  const socket = connect({ host: options.host, port: options.port ?? 25, noDelay: true });
  const fail = (error: Error) => {
    clearTimeout(timer);
    callback(Object.assign(error, { [NOT_CONNECTED]: true }));
  };
  const timer = setTimeout(
    () => socket.destroy(Object.assign(new Error('SMTP connection timeout'), { code: 'ETIMEDOUT' })),
    options.connectionTimeout ?? 10000,
  );
  socket.once('error', fail);
  socket.once('connect', () => {
    clearTimeout(timer);
    socket.off('error', fail);
    coalesceWrites(socket);
    callback(null, { connection: socket });
  });
}

/**
 * Without Nagle, every small write nodemailer makes (a header line, a chunk of the message stream) would be a packet
 * and a system call of its own; corking until the next turn of the event loop sends what one turn wrote together.
 */
function coalesceWrites(socket: Socket): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  socket.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(() => {
        corked = false;
        socket.uncork();
      });
    }
    return write(...args);
  }) as Socket['write'];
}

/** nodemailer's `err.command` (the command the relay answered, or CONN, API) as an SMTP stage. */
function stageOf(command: string | undefined, code: string | undefined): SmtpStage {
  if (code === 'EAUTH' || command?.startsWith('AUTH')) return 'auth';
  switch (command) {
    case 'CONN':
    case 'EHLO':
    case 'HELO':
    case 'LHLO':
    case 'STARTTLS':
      return 'connection';
    case 'MAIL FROM':
      return 'mail-from';
    case 'RCPT TO':
      return 'rcpt';
    case 'DATA':
      return 'data';
    default:
      return 'unknown';
  }
}

/**
 * The facts of a nodemailer failure: the stage from `err.command`, the reply from `err.responseCode` and
 * `err.response` (the relay's line as sent, `550 5.1.1 …`). Without a reply, only an error before the message
 * (no connection, TLS or login refused) is known not to have sent it; nodemailer names an unexpected close CONN
 * whatever the stage, so any other break may have followed the relay's acceptance (R-S6).
 */
export function smtpFailureFacts(error: unknown): SmtpFailureFacts {
  const e = error as {
    responseCode?: number;
    response?: string;
    command?: string;
    code?: string;
    [NOT_CONNECTED]?: boolean;
  };
  const stage = stageOf(e.command, e.code);
  const replyCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  return {
    stage,
    replyCode,
    response: replyCode === null ? null : typeof e.response === 'string' ? e.response.trim() : String(replyCode),
    beforeMessage: !!e[NOT_CONNECTED] || stage === 'auth' || (e.code === 'ETLS' && e.command === 'STARTTLS'),
    errorCode: e.code ?? null,
  };
}

/**
 * Classifies a nodemailer failure (R-S5, R-S6). The reason reaches the tenant (its export): the relay's reply as it
 * is, but for a socket error only its code, as Node's message names the relay's address (R-X2).
 */
export function classifySmtpError(error: unknown): SmtpFailure {
  return classifySmtpFailure(smtpFailureFacts(error));
}

/** One relay's pool and its turns. */
interface RelayPool {
  transporter: Transporter;
  turns: Slots;
}

/**
 * Delivery over SMTP (R-S5): one nodemailer pool per process and relay — each region's (SMTP_URL_NA / _EEA, default
 * SMTP_URL; the dev sink when none is set), so a message goes only to its tenant's region's relay (R-T2) and two
 * regions sharing one relay share one pool. DKIM-signed when configured. SMTP_MAX_CONNECTIONS connections a pool
 * (default 40): each SMTP round trip waits for a turn of an event loop that also claims, renders and records, so
 * more connections than a bare pool needs keep the relay busy (docs/benchmarks.md).
 */
@Injectable()
export class SmtpSender implements OnModuleDestroy {
  private readonly pools: Record<Region, RelayPool>;

  constructor(config: MissiveConfig) {
    const byUrl = new Map<string, RelayPool>();
    const poolFor = (url: string): RelayPool => {
      let pool = byUrl.get(url);
      if (!pool) {
        pool = {
          transporter: createTransport(config, new URL(url)),
          turns: new Slots(TURNS_PER_CONNECTION * config.smtp.maxConnections),
        };
        byUrl.set(url, pool);
      }
      return pool;
    };
    const devSink = `smtp://127.0.0.1:${config.smtp.devSinkPort}`;
    this.pools = { NA: poolFor(config.smtp.urls.NA ?? devSink), EEA: poolFor(config.smtp.urls.EEA ?? devSink) };
  }

  /** Waits for one of the region's pool's turns: then gate, render and `send` the message, and end the turn. */
  async turn(region: Region): Promise<void> {
    await this.pools[region].turns.acquire(1);
  }

  endTurn(region: Region): void {
    this.pools[region].turns.release(1);
  }

  /**
   * Hands one message, built by buildMimeMessage, to the region's pool. The envelope is given as it is: nodemailer
   * does not parse a raw message's headers (the Message-ID given here only saves it generating one for its records).
   * `dkim`: the key of the tenant's verified sending domain (R-S9), which signs instead of the global DKIM_* key.
   */
  async send(
    region: Region,
    envelope: { from: string; to: string },
    raw: string,
    messageId: string,
    dkim?: { domainName: string; keySelector: string; privateKey: string },
  ): Promise<SmtpOutcome> {
    try {
      const info = await this.pools[region].transporter.sendMail({
        envelope,
        raw,
        messageId,
        ...(dkim ? { dkim } : {}),
      });
      return { kind: 'accepted', response: String(info.response ?? '') };
    } catch (error) {
      return classifySmtpError(error);
    }
  }

  onModuleDestroy(): void {
    for (const pool of new Set(Object.values(this.pools))) pool.transporter.close();
  }
}

function createTransport(config: MissiveConfig, url: URL): Transporter {
  const secure = url.protocol === 'smtps:';
  return nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port) || (secure ? 465 : 587),
    secure,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    pool: true,
    getSocket: noDelaySocket,
    maxConnections: config.smtp.maxConnections,
    maxMessages: Infinity,
    // Never let the pool resend a message on its own after a connection dropped mid-send (R-S6).
    maxRequeues: 0,
    // R-X2: in production the relay must offer STARTTLS.
    requireTLS: config.production,
    connectionTimeout: 10000,
    socketTimeout: 30000,
    // R-S5: optional DKIM signature on every message, with the key of DKIM_PRIVATE_KEY(_FILE).
    ...(config.smtp.dkim ? { dkim: config.smtp.dkim } : {}),
  } as nodemailer.TransportOptions);
}

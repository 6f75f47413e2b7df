import { connect, type Socket } from 'node:net';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { MissiveConfig } from '@missive/config';
import type { Region } from '@missive/contracts';
import { Slots } from './slots';

/**
 * Messages between their send gate and the relay at once, per pool connection (SMTP_MAX_CONNECTIONS, default 40):
 * two, so that a connection done with one message finds the next one gated and rendered (1.5 measured 1,274 msg/s,
 * 2 1,366, 20,000-recipient runs). The gate runs once a turn is taken (R-S2): however many messages are claimed, one
 * waits at most about one SMTP transaction between its gate and the relay, so an opt-out answered before that
 * reaches it.
 */
export const TURNS_PER_CONNECTION = 2;

export type SmtpOutcome =
  | { kind: 'accepted'; response: string }
  /** 4xx, or the relay could not be reached: not delivered, try again later (R-S5). */
  | { kind: 'transient'; reason: string }
  /** 5xx: a hard bounce; the address gets suppressed (R-S5). */
  | { kind: 'bounce'; reason: string }
  /** The connection failed mid-dialogue: the relay may have taken the message, so it is never resent (R-S6). */
  | { kind: 'unknown'; reason: string };

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

/**
 * Classifies a nodemailer failure. A reply code decides (5xx bounce, 4xx retry); without one, only a failure to
 * connect is safe to retry. Anything else (a reset, a timeout, a close mid-dialogue) may have followed the relay's
 * acceptance: SMTP has no idempotency, so the outcome is unknown and the message is not sent again (R-S6).
 * The reason reaches the tenant (its export): the relay's reply as it is, but for a socket error only its code, as
 * Node's message names the relay's address (R-X2; found by the route fuzzing of issue 27).
 */
export function classifySmtpError(error: unknown): SmtpOutcome {
  const e = error as { responseCode?: number; code?: string; message?: string; [NOT_CONNECTED]?: boolean };
  if (typeof e.responseCode === 'number') {
    const reason = `${e.responseCode} ${String(e.message ?? '').slice(0, 200)}`.trim();
    return e.responseCode >= 500 ? { kind: 'bounce', reason } : { kind: 'transient', reason };
  }
  const code = e.code ?? 'error';
  return e[NOT_CONNECTED]
    ? { kind: 'transient', reason: `${code}: the relay could not be reached` }
    : { kind: 'unknown', reason: `${code}: the connection to the relay ended before its answer` };
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
   */
  async send(
    region: Region,
    envelope: { from: string; to: string },
    raw: string,
    messageId: string,
  ): Promise<SmtpOutcome> {
    try {
      const info = await this.pools[region].transporter.sendMail({ envelope, raw, messageId });
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

import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { MissiveConfig } from '@missive/config';
import type { ComposedMessage } from './message-composition';

export type SmtpOutcome =
  | { kind: 'accepted'; response: string }
  /** 4xx or no answer: not delivered, try again later (R-S5). */
  | { kind: 'transient'; reason: string }
  /** 5xx: a hard bounce; the address gets suppressed (R-S5). */
  | { kind: 'bounce'; reason: string };

/** Classifies a nodemailer failure by the relay's reply code; no reply at all counts as transient. */
export function classifySmtpError(error: unknown): SmtpOutcome {
  const e = error as { responseCode?: number; code?: string; message?: string };
  const reason = `${e.responseCode ?? e.code ?? 'error'} ${String(e.message ?? '').slice(0, 200)}`.trim();
  if (typeof e.responseCode === 'number' && e.responseCode >= 500) return { kind: 'bounce', reason };
  return { kind: 'transient', reason };
}

/** Delivery over SMTP (R-S5): one nodemailer pool per process to SMTP_URL (the dev sink when unset). */
@Injectable()
export class SmtpSender implements OnModuleDestroy {
  private readonly transporter: Transporter;

  constructor(config: MissiveConfig) {
    const url = new URL(config.smtp.url ?? `smtp://127.0.0.1:${config.smtp.devSinkPort}`);
    const secure = url.protocol === 'smtps:';
    this.transporter = nodemailer.createTransport({
      host: url.hostname,
      port: Number(url.port) || (secure ? 465 : 587),
      secure,
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      pool: true,
      maxConnections: 10,
      maxMessages: Infinity,
      // R-X2: in production the relay must offer STARTTLS.
      requireTLS: config.production,
      connectionTimeout: 10000,
      socketTimeout: 30000,
    } as nodemailer.TransportOptions);
  }

  async send(from: { email: string; name: string | null }, to: string, message: ComposedMessage): Promise<SmtpOutcome> {
    try {
      const info = await this.transporter.sendMail({
        from: from.name ? { name: from.name, address: from.email } : from.email,
        to,
        subject: message.subject,
        html: message.html,
        text: message.text,
        messageId: message.messageId,
        headers: message.headers,
      });
      return { kind: 'accepted', response: String(info.response ?? '') };
    } catch (error) {
      return classifySmtpError(error);
    }
  }

  onModuleDestroy(): void {
    this.transporter.close();
  }
}
